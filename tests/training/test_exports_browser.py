"""In Chromium: the trainer filters the cohort through the dashboard's form, and 导出 CSV exports just those rows."""

import csv
import io

import pytest

from resources.models import School
from training import enrolment

from .helpers import course, school, user
from .test_browser import signed_in

pytestmark = [
    pytest.mark.service("chromium"),
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def downloaded_csv(page, link_name):
    with page.expect_download() as info:
        page.get_by_role("link", name=link_name).click()
    text = info.value.path().read_text(encoding="utf-8")
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_the_csv_export_keeps_the_filters_chosen_in_the_form(page, live_server, demo_site):
    school("CGYX", "城关第一小学", School.Area.URBAN)
    school("QSZX", "青山乡中心小学", School.Area.RURAL)
    trainer = user("tr_filter", role="trainer")
    training_course = course("乡村教师研修课", kinds=("quiz",), trainers=[trainer])
    for username, code, name in (("t_city", "CGYX", ("张", "敏")), ("t_village", "QSZX", ("李", "强"))):
        enrolment.enrol(user(username, school_code=code, name=name), training_course)
    signed_in(page, live_server, trainer)

    page.goto(live_server.url + "/training/dashboard/")
    page.get_by_role("link", name="乡村教师研修课").click()
    page.get_by_label("城乡").select_option(label="乡村")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**area=rural**")
    assert page.locator("table.cohort tbody tr").count() == 1
    assert "青山乡中心小学" in page.locator("table.cohort tbody").inner_text()

    rows = downloaded_csv(page, "导出 CSV")
    assert [(row[0], row[2], row[3]) for row in rows[1:]] == [("李强", "青山乡中心小学", "乡村")]

    page.get_by_label("城乡").select_option(label="城区和乡村")
    page.get_by_label("学校", exact=True).select_option(label="城关第一小学")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_url("**school=CGYX**")
    assert [row[1] for row in downloaded_csv(page, "导出 CSV")[1:]] == ["t_city"]
