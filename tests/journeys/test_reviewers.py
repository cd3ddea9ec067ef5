"""School review, then district review and award, then a visitor finds the lesson.

teacher1 (城关第一小学) submits a package through the screen; school_reviewer1
of the same school finds it waiting on the dashboard, reads its checklist and
the quotas, and passes it with a comment; district_reviewer1 awards 区级优课,
recommends it to 市级 and passes it; an anonymous visitor then finds it by
search, marked 区级优课. Each decision must say what it did.
"""

import secrets

from tests.journeys.conftest import JOURNEY_MARKS
from tests.journeys.steps import prepare_and_submit

pytestmark = JOURNEY_MARKS

# Its own number, so a rerun against the same site (YOUKE_JOURNEY_URL) is not confused by the last one.
TITLE = f"认识几分之一（城乡共享 {secrets.randbelow(10_000):04d}）"


def open_waiting(page, title):
    page.get_by_role("link", name="工作台").click()
    waiting = page.get_by_role("region", name="等待你的审查")
    waiting.get_by_role("link", name=title).click()
    page.wait_for_load_state()


def test_school_then_district_review_award_and_the_visitor_finds_it(person, files):
    teacher = person("teacher")
    teacher.go("/")
    teacher.sign_in("teacher1")
    prepare_and_submit(teacher, files, TITLE, public=True)

    school = person("school-reviewer")
    page = school.go("/")
    school.sign_in("school_reviewer1")
    open_waiting(page, TITLE)
    checklist = page.locator(".youke-checklist > li")
    assert [row.get_attribute("data-complete") for row in checklist.all()] == ["true"] * 4
    school.shoot("01-lesson-to-review")
    page.get_by_role("tab", name="评优推荐").click()
    quotas = page.locator(".youke-quotas").inner_text()
    assert "推荐市级优课：剩余" in quotas and "同一课限推荐一节" in quotas, quotas
    school.shoot("02-quotas")
    page.get_by_role("tab", name="课例内容").click()
    page.get_by_label("审核意见").fill("教学设计清楚，课堂实录完整，同意推荐区级审核。")
    page.get_by_role("button", name="通过", exact=True).click()
    page.locator(".messages").get_by_text("已通过校级审核，已提交区级审核。").wait_for()
    assert page.get_by_role("region", name="等待你的审查").get_by_text(TITLE).count() == 0
    school.shoot("03-passed")

    district = person("district-reviewer")
    page = district.go("/")
    district.sign_in("district_reviewer1")
    open_waiting(page, TITLE)
    page.get_by_role("tab", name="评优推荐").click()
    assert "推荐市级优课：剩余" in page.locator(".youke-quotas").inner_text()
    page.get_by_label("获奖等级").select_option(label="区级优课")
    page.get_by_label("推荐至").select_option(label="市级优课")
    district.shoot("04-award")
    page.locator("footer").get_by_role("button", name="更多动作").click()
    page.locator("footer").get_by_role("button", name="带评论批准").click()
    dialog = page.locator(".modal-content")
    dialog.locator("textarea").fill("评为区级优课，推荐参加市级评选。")
    district.shoot("05-approve-with-comment")
    dialog.get_by_role("button").filter(has_text="批准").last.click()
    page.locator(".messages").get_by_text("已通过区级审核，课例已发布。").wait_for()
    district.shoot("06-published")

    visitor = person("visitor")
    page = visitor.go("/")
    page.get_by_role("combobox", name="搜索").fill("认识几分之一")
    page.get_by_role("button", name="搜索").click()
    result = page.locator("main").get_by_role("link", name=TITLE).first
    result.wait_for()
    assert "区级优课" in page.locator("main").inner_text()
    result.click()
    page.get_by_role("heading", name=TITLE).wait_for()
    visitor.shoot("01-found-after-review")
