"""The cohort table and its CSV and Excel exports: same rows, filters applied, fine with 10,000 teachers."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

from resources.models import School
from sso.models import SsoProfile
from training import enrolment, heartbeat
from training.models import Enrollment, LessonProgress, ModulePage, QuizLessonPage, VideoLessonPage

from .helpers import course, lesson, publish, school, user

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]


@pytest.fixture
def cohort(demo_site):
    school("CGYX", "城关第一小学", School.Area.URBAN)
    school("QSZX", "青山乡中心小学", School.Area.RURAL)
    trainer = user("tr_export", role="trainer")
    today = timezone.localdate()
    page = course(
        kinds=("video",),
        trainers=[trainer],
        starts_on=today - datetime.timedelta(days=80),
        ends_on=today + datetime.timedelta(days=20),
    )
    second = publish(page, ModulePage(title="模块二"))
    from training.demo import quiz_stream

    publish(second, QuizLessonPage(title="测验二", questions=quiz_stream()))
    urban = user("t_urban", school_code="CGYX", name=("张", "敏"))
    rural = user("t_rural", school_code="QSZX", name=("李", "强"))
    for teacher in (urban, rural):
        enrolment.enrol(teacher, page)
    video_lesson = lesson(page, VideoLessonPage)
    start = timezone.now() - datetime.timedelta(seconds=10)
    heartbeat.record(urban, video_lesson, heartbeat.Heartbeat(video_lesson.pk, "sess-export", 0, 0, 0), 4, now=start)
    heartbeat.record(urban, video_lesson, heartbeat.Heartbeat(video_lesson.pk, "sess-export", 1, 0, 4), 4)
    from training.progress import refresh

    refresh(urban, page)
    client = Client()
    client.force_login(trainer)
    return page, client


def read_csv(response):
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff"), "BOM for Excel on Chinese Windows"
    return list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))


def test_csv_lists_each_teacher_with_module_progress(cohort):
    page, client = cohort
    response = client.get(f"/training/dashboard/{page.pk}/export.csv")
    assert response.status_code == 200 and response.streaming
    assert "attachment" in response["Content-Disposition"]
    rows = read_csv(response)
    assert rows[0] == ["姓名", "用户名", "学校", "城乡", "状态", "报名方式", "报名时间", "总进度(%)", "模块一(%)",
                       "模块二(%)", "完成时间", "进度落后"]  # fmt: skip
    by_user = {row[1]: row for row in rows[1:]}
    assert by_user["t_urban"][:6] == ["张敏", "t_urban", "城关第一小学", "城区", "学习中", "自主报名"]
    assert by_user["t_urban"][7:10] == ["50.0", "100.0", "0.0"]
    assert by_user["t_rural"][2:4] == ["青山乡中心小学", "乡村"]
    # 80 of 100 days gone, 20 left: both are behind the linear expectation.
    assert by_user["t_rural"][-1] == "是" and by_user["t_urban"][-1] == "是"


def test_filters_apply_to_exports_too(cohort):
    page, client = cohort
    rows = read_csv(client.get(f"/training/dashboard/{page.pk}/export.csv", {"area": "rural"}))
    assert [row[1] for row in rows[1:]] == ["t_rural"]
    rows = read_csv(client.get(f"/training/dashboard/{page.pk}/export.csv", {"school": "CGYX"}))
    assert [row[1] for row in rows[1:]] == ["t_urban"]


def test_excel_export_has_the_same_rows(cohort):
    page, client = cohort
    response = client.get(f"/training/dashboard/{page.pk}/export.xlsx")
    assert response.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    rows = list(book["学员进度"].iter_rows(values_only=True))
    assert rows[0][:4] == ("姓名", "用户名", "学校", "城乡")
    by_user = {row[1]: row for row in rows[1:]}
    assert by_user["t_urban"][7:10] == (50, 100, 0)
    assert by_user["t_rural"][3] == "乡村"


def test_the_dashboard_shows_and_filters_the_cohort(cohort):
    page, client = cohort
    body = client.get(f"/training/dashboard/{page.pk}/").content.decode()
    assert "张敏" in body and "李强" in body and "进度落后：2 人" in body
    body = client.get(f"/training/dashboard/{page.pk}/", {"area": "urban"}).content.decode()
    assert "张敏" in body and "李强" not in body


def test_ten_thousand_enrolments_export_in_bounded_queries(cohort, django_assert_max_num_queries):
    page, client = cohort
    User = get_user_model()
    rural = School.objects.get(code="QSZX")
    users = User.objects.bulk_create([User(username=f"bulk{i:05d}", first_name=f"师{i}") for i in range(10_000)])
    SsoProfile.objects.bulk_create([SsoProfile(user=u, sub=f"bulk-{u.pk}", school=rural) for u in users])
    now = timezone.now()
    Enrollment.objects.bulk_create(
        [Enrollment(course=page, user=u, status=Enrollment.Status.ENROLLED, enrolled_at=now) for u in users]
    )
    quiz_id = lesson(page, QuizLessonPage).pk
    LessonProgress.objects.bulk_create(
        [LessonProgress(user=u, lesson_id=quiz_id, progress=1.0, met=True) for u in users[::2]]
    )
    with django_assert_max_num_queries(60):
        response = client.get(f"/training/dashboard/{page.pk}/export.csv")
        rows = read_csv(response)
    assert len(rows) == 1 + 10_002
    assert sum(1 for row in rows[1:] if row[9] == "100.0") == 5_000
    with django_assert_max_num_queries(60):
        response = client.get(f"/training/dashboard/{page.pk}/export.xlsx", {"area": "rural"})
        book = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)
    assert book["学员进度"].max_row == 1 + 10_001


def test_exported_names_never_become_formulas():
    from core.spreadsheets import inert as _inert

    assert _inert('=HYPERLINK("http://x")') == '\'=HYPERLINK("http://x")'
    assert _inert("+1") == "'+1" and _inert("@SUM(A1)") == "'@SUM(A1)" and _inert("王芳") == "王芳"
    assert _inert(12.5) == 12.5
