"""What teachers see: the catalogue, a course, its lessons, their own learning, their certificates."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_POST

from resources import api as library

from .. import assignments, certificates, enrolment, progress, quiz
from ..models import (
    AssignmentSubmission,
    Certificate,
    CoursePage,
    DocumentLessonPage,
    Enrollment,
    LessonProgress,
    MicroCompetency,
    QuizAttempt,
    QuizLessonPage,
    StudyHoursEntry,
    VideoProgress,
)
from ..permissions import active_enrolment, can_manage, course_of, is_district_admin, live_course_of
from ..rules import REQUIRED_KINDS


@require_GET
@login_required
def catalogue(request):
    courses = (
        CoursePage.objects.live()
        .order_by("-first_published_at")
        .prefetch_related(Prefetch("competencies", queryset=MicroCompetency.objects.order_by("sort_order")))
    )
    mine = dict(Enrollment.objects.filter(user=request.user).values_list("course_id", "status"))
    labels = dict(Enrollment.Status.choices)
    items = [(course, labels.get(mine.get(course.pk), "")) for course in courses]
    return render(request, "training/catalogue.html", {"items": items})


def course_context(course, user):
    """What the course page shows: modules with their lessons and this teacher's standing in each."""
    modules, lessons = progress.course_lessons(course)
    enrolment_row = Enrollment.objects.filter(course=course, user=user).first()
    standings = {
        row.lesson_id: row
        for row in LessonProgress.objects.filter(user=user, lesson_id__in=[lesson.page.pk for lesson in lessons])
    }
    grouped = [
        (module, [(lesson, standings.get(lesson.page.pk)) for lesson in lessons if lesson.module.pk == module.pk])
        for module in modules
    ]
    return {
        "course": course,
        "modules": grouped,
        "enrolment": enrolment_row,
        "waitlist_position": enrolment.waitlist_position(enrolment_row) if enrolment_row else None,
        "seats_left": enrolment.seats_left(course),
        "window": enrolment.window_state(course),
        "competencies": course.competencies.order_by("sort_order"),
        "certificate": Certificate.objects.filter(user=user, course=course).first(),
        "manager": can_manage(user, course),
    }


@require_POST
@login_required
def enrol(request, course_id):
    course = get_object_or_404(CoursePage.objects.live(), pk=course_id)
    try:
        row = enrolment.enrol(request.user, course)
    except enrolment.EnrolmentError as exc:
        messages.error(request, str(exc))
    else:
        if row.status == Enrollment.Status.WAITLISTED:
            position = enrolment.waitlist_position(row)
            messages.info(request, f"课程名额已满，您已进入候补名单（第 {position} 位），有人退出时自动递补。")
        else:
            messages.success(request, "报名成功，开始学习吧。")
    return redirect(course.url)


@require_POST
@login_required
def withdraw(request, course_id):
    course = get_object_or_404(CoursePage, pk=course_id)
    try:
        enrolment.withdraw(request.user, course)
    except enrolment.EnrolmentError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, "您已退出该课程。")
    return redirect(course.url if course.live else "training:my")


def serve_lesson(lesson, request, preview=False):
    """A lesson page: signed-in teachers enrolled in its live course, and the course's trainers.

    `preview` is the admin's preview of a draft, whose permission Wagtail checked; nothing is recorded.
    """
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    course, module = course_of(lesson), lesson.get_parent()
    if course is None or (not preview and (not course.live or not module.live)):
        raise Http404
    enrolled = None if preview else active_enrolment(request.user, course)
    if enrolled is None and not preview and not can_manage(request.user, course):
        messages.info(request, "请先报名该课程。")
        return redirect(course.url)
    context = {"page": lesson, "self": lesson, "course": course, "module": module, "enrolment": enrolled}
    context["standing"] = LessonProgress.objects.filter(user=request.user, lesson_id=lesson.pk).first()
    context.update(_kind_context(lesson, course, request.user, enrolled))
    return TemplateResponse(request, "training/lesson_page.html", context)


def _kind_context(lesson, course, user, enrolled):
    if lesson.kind == "video":
        watched = VideoProgress.objects.filter(user=user, lesson_id=lesson.pk).first()
        return {"video": lesson.video, "watched": watched, "tracking": enrolled is not None}
    if lesson.kind == "resource":
        resource = lesson.resource.specific if lesson.resource_id else None
        visible = resource is not None and library.can_view(resource, user)
        if visible and enrolled is not None:
            progress.mark_opened(user, lesson)
        return {"resource": resource if visible else None}
    if lesson.kind == "quiz":
        return {
            "questions": quiz.questions(lesson),
            "attempts": QuizAttempt.objects.filter(user=user, lesson_id=lesson.pk),
            "attempts_left": quiz.attempts_left(lesson, user),
            "pass_percent": quiz.pass_percent(lesson, course),
            "can_answer": quiz.can_answer(lesson, user),
            "answer_key": quiz.answer_key(lesson) if quiz.answers_revealed(lesson, user) else None,
        }
    if lesson.kind == "assignment":
        return {
            "submissions": AssignmentSubmission.objects.filter(user=user, lesson_id=lesson.pk),
            "max_upload_mb": assignments.MAX_UPLOAD_MB,
        }
    return {}


def _enrolled_lesson(request, model, lesson_id):
    lesson = get_object_or_404(model.objects.live(), pk=lesson_id)
    course = live_course_of(lesson)
    if course is None or active_enrolment(request.user, course) is None:
        raise Http404
    return lesson, course


@require_POST
@login_required
def submit_quiz(request, lesson_id):
    lesson, course = _enrolled_lesson(request, QuizLessonPage, lesson_id)
    try:
        attempt, _graded = quiz.submit(lesson, course, request.user, request.POST)
    except quiz.QuizError as exc:
        messages.error(request, str(exc))
    else:
        _modules, lessons = progress.course_lessons(course)
        result = progress.refresh(request.user, course, lessons)
        verdict = "通过" if attempt.passed else f"未通过（及格分 {quiz.pass_percent(lesson, course)}）"
        messages.success(request, f"第 {attempt.number} 次作答：{attempt.score:.0f} 分，{verdict}。")
        if attempt.passed:
            _tell_course_standing(request, course, lessons, result)
    return redirect(lesson.url)


def _tell_course_standing(request, course, lessons, result):
    """After a passed quiz: the course is complete (with the certificate's link), or what is still missing."""
    if result.complete:
        certificate = Certificate.objects.filter(user=request.user, course=course).first()
        if certificate is not None:
            url = reverse("training:certificate", args=[certificate.code])
            messages.success(request, format_html('恭喜，课程已完成，可<a href="{}">下载证书</a>。', url))
        return
    missing = [
        f"{item.page.title}（{result.standings[item.page.pk].detail}）"
        for item in lessons
        if item.kind in REQUIRED_KINDS and not result.standings[item.page.pk].met
    ]
    messages.info(request, "课程尚未完成，还需：" + "；".join(missing) + "。")


@require_POST
@login_required
def submit_assignment(request, lesson_id):
    from ..models import AssignmentLessonPage

    lesson, course = _enrolled_lesson(request, AssignmentLessonPage, lesson_id)
    try:
        assignments.submit(lesson, request.user, request.FILES.get("file"), request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        progress.refresh(request.user, course)
        messages.success(request, "作业已提交，等待讲师批阅。")
    return redirect(lesson.url)


@require_GET
@login_required
def document(request, lesson_id):
    """A document lesson's file, to enrolled teachers and the course's trainers (not through Wagtail's public URL)."""
    lesson = get_object_or_404(DocumentLessonPage.objects.live().select_related("document"), pk=lesson_id)
    course = course_of(lesson)
    enrolled = active_enrolment(request.user, course) if live_course_of(lesson) else None
    if enrolled is None and not (course and can_manage(request.user, course)):
        raise Http404
    if enrolled is not None:
        progress.mark_opened(request.user, lesson)
    doc = lesson.document
    return FileResponse(doc.file.open("rb"), as_attachment=False, filename=doc.filename)


@require_GET
@login_required
def submission_file(request, submission_id):
    submission = get_object_or_404(AssignmentSubmission, pk=submission_id)
    if submission.user_id != request.user.pk:
        course = course_of(submission.lesson)
        if course is None or not can_manage(request.user, course):
            raise Http404
    return FileResponse(submission.file.open("rb"), as_attachment=True, filename=submission.original_name)


@require_GET
@login_required
def my_learning(request):
    enrolments = (
        Enrollment.objects.filter(user=request.user)
        .exclude(status=Enrollment.Status.WITHDRAWN)
        .select_related("course")
        .order_by("status", "-enrolled_at")
    )
    items = [(row, enrolment.waitlist_position(row)) for row in enrolments]
    return render(
        request,
        "training/my_learning.html",
        {
            "items": items,
            "hours": progress.hours_by_year(request.user),
            "ledger": StudyHoursEntry.objects.filter(user=request.user),
            "certificates": Certificate.objects.filter(user=request.user),
        },
    )


@require_GET
@login_required
def certificate_pdf(request, code):
    certificate = get_object_or_404(Certificate, code=code)
    if certificate.user_id != request.user.pk and not is_district_admin(request.user):
        if certificate.course is None or not can_manage(request.user, certificate.course):
            raise Http404
    response = HttpResponse(certificates.render_pdf(certificate), content_type="application/pdf")
    # An attachment: every link to it says 下载证书, and a browser's PDF viewer would only show it.
    response["Content-Disposition"] = content_disposition_header(True, f"培训证书-{certificate.code}.pdf")
    return response


@require_GET
def verify(request, code=None):
    """Public: anyone holding a certificate's code sees what was issued, exactly as frozen."""
    code = (code or request.GET.get("code") or "").strip().upper()
    if not re.fullmatch(r"[A-Z0-9-]{0,40}", code):
        code = "INVALID"  # never a 500 for a typed-in code: simply not found
    if code and not request.resolver_match.kwargs.get("code"):
        return redirect("training:verify", code=code)
    certificate = Certificate.objects.filter(code=code).first() if code else None
    status = 404 if code and certificate is None else 200
    return render(request, "training/verify.html", {"certificate": certificate, "code": code}, status=status)
