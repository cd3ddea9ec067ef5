"""Completion credits the hours once and issues one certificate whose data never changes."""

import io

import pytest
from django.test import Client, override_settings
from pypdf import PdfReader

from training import certificates, enrolment, progress
from training.models import (
    Certificate,
    Enrollment,
    MicroCompetency,
    QuizAttempt,
    QuizLessonPage,
    StudyHoursEntry,
)

from .helpers import answer_sheet, course, lesson, school, user

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]


@pytest.fixture
def completed(demo_site):
    school()
    page = course(kinds=("quiz",))
    page.competencies.set(MicroCompetency.objects.filter(code__in=["A3", "B2"]))
    page.save_revision().publish()
    teacher = user("t_cert", school_code="CGYX")
    enrolment.enrol(teacher, page)
    client = Client()
    client.force_login(teacher)
    quiz_page = lesson(page, QuizLessonPage)
    client.post(f"/training/lessons/{quiz_page.pk}/quiz/", answer_sheet(quiz_page))
    return page, teacher, client


def test_passing_the_last_rule_completes_credits_hours_and_issues_a_certificate(completed):
    page, teacher, _client = completed
    row = Enrollment.objects.get(user=teacher, course=page)
    assert row.status == Enrollment.Status.COMPLETED and row.progress == 1.0
    entry = StudyHoursEntry.objects.get(user=teacher)
    assert (entry.course_title, str(entry.hours), entry.year) == (page.title, "12.5", row.completed_at.year)
    certificate = Certificate.objects.get(user=teacher)
    assert certificate.data["name"] == "王芳" and certificate.data["school"] == "城关第一小学"
    assert certificate.data["competencies"] == ["A3 演示文稿设计与制作", "B2 微课程设计与制作"]
    assert certificate.code.startswith("YK-")


def test_completing_again_issues_nothing_new(completed):
    page, teacher, client = completed
    quiz_page = lesson(page, QuizLessonPage)
    client.post(f"/training/lessons/{quiz_page.pk}/quiz/", answer_sheet(quiz_page))  # refused: already passed
    progress.refresh(teacher, page)
    progress.complete(Enrollment.objects.get(user=teacher))
    assert QuizAttempt.objects.filter(user=teacher).count() == 1
    assert StudyHoursEntry.objects.filter(user=teacher).count() == 1
    assert Certificate.objects.filter(user=teacher).count() == 1


def test_the_certificate_keeps_its_data_when_names_change(completed):
    page, teacher, client = completed
    certificate = Certificate.objects.get(user=teacher)
    first = client.get(f"/training/certificates/{certificate.code}.pdf")
    assert first.status_code == 200 and first["Content-Type"] == "application/pdf"
    teacher.last_name, teacher.first_name = "李", "娜"
    teacher.save()
    page.title = "改名后的课程"
    page.save_revision().publish()
    second = client.get(f"/training/certificates/{certificate.code}.pdf")
    assert second.content == first.content, "a re-download renders the same frozen data"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(second.content)).pages)
    assert certificate.code in text
    assert "王芳" in text and "12.5" in text


def test_the_public_verification_page_shows_the_frozen_data_without_login(completed):
    _page, teacher, _client = completed
    certificate = Certificate.objects.get(user=teacher)
    response = Client().get(f"/training/certificates/verify/{certificate.code}/")
    body = response.content.decode()
    assert response.status_code == 200
    for text in ("有效证书", "王芳", "城关第一小学", "信息技术应用能力提升测试课", "12.5", "A3 演示文稿设计与制作"):
        assert text in body
    missing = Client().get("/training/certificates/verify/YK-AAAA-BBBB-CCCC-DDDD/")
    assert missing.status_code == 404 and "未找到验证码" in missing.content.decode()
    typed = Client().get("/training/certificates/verify/", {"code": certificate.code.lower()})
    assert typed.status_code == 302 and typed["Location"].endswith(f"/verify/{certificate.code}/")


def test_only_the_teacher_and_the_course_staff_download_a_certificate(completed):
    page, teacher, _client = completed
    code = Certificate.objects.get(user=teacher).code
    other = Client()
    other.force_login(user("t_nosy"))
    assert other.get(f"/training/certificates/{code}.pdf").status_code == 404
    assert Client().get(f"/training/certificates/{code}.pdf").status_code == 302  # to the login page
    trainer = user("tr_cert", role="trainer")
    page.trainers.set([trainer])
    page.save_revision().publish()
    staff = Client()
    staff.force_login(trainer)
    assert staff.get(f"/training/certificates/{code}.pdf").status_code == 200


def test_ledger_and_certificates_are_append_only(completed):
    _page, teacher, _client = completed
    entry = StudyHoursEntry.objects.get(user=teacher)
    entry.hours = 99
    with pytest.raises(ValueError, match="append-only"):
        entry.save()
    with pytest.raises(ValueError, match="append-only"):
        Certificate.objects.get(user=teacher).delete()


def test_hours_are_totalled_per_year(completed):
    _page, teacher, _client = completed
    StudyHoursEntry.objects.create(
        user=teacher, course=None, course_title="线下研修", year=2025, hours=5, kind=StudyHoursEntry.Kind.ADJUSTMENT
    )
    totals = dict(progress.hours_by_year(teacher))
    assert str(totals[2025]) == "5.0"
    assert sum(totals.values()) == pytest.approx(17.5)


def test_codes_are_unambiguous():
    code = certificates.new_code()
    assert len(code) == 22 and not set(code.replace("-", "")[2:]) & set("01ILO")


@override_settings(WAGTAILADMIN_BASE_URL="https://youke.example.edu.cn/")
def test_the_pdf_prints_the_public_site_url_not_the_host_it_was_requested_from(completed):
    """The verification address comes from SITE_URL (WAGTAILADMIN_BASE_URL): paper outlives the demo's 127.0.0.1."""
    _page, teacher, client = completed
    code = Certificate.objects.get(user=teacher).code
    response = client.get(f"/training/certificates/{code}.pdf", HTTP_HOST="127.0.0.1:8000")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(response.content)).pages)
    assert f"https://youke.example.edu.cn/training/certificates/verify/{code}/" in text
    assert "127.0.0.1" not in text
