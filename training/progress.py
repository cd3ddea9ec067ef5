"""A teacher's progress in a course: read from the records, judged by the course's rules, stored for dashboards.

`refresh(user, course)` runs after anything that can change progress (a
heartbeat, a quiz attempt, a review) and completes the enrolment - hours in
the ledger and a certificate - the moment every rule is met.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone
from wagtail.models import Page

from . import certificates
from .models import (
    LESSON_MODELS,
    AssignmentSubmission,
    Enrollment,
    LessonProgress,
    ModulePage,
    QuizAttempt,
    StudyHoursEntry,
    VideoProgress,
)
from .rules import LessonState, evaluate


@dataclass
class CourseLesson:
    page: Page  # the specific lesson page (a plain Page from course_lessons(specific=False))
    module: ModulePage

    @property
    def kind(self):
        return self.page.specific_class.kind  # from the content type: no query, specific or not


def course_lessons(course, specific=True):
    """(modules, lessons) of a course as teachers see them: live modules, and the live lessons inside them.

    specific=False leaves the lessons plain Pages: what progress needs (id,
    title, kind) without a query and a StreamField load per lesson type -
    refresh() runs on every heartbeat.
    """
    modules = list(ModulePage.objects.child_of(course).live().order_by("path"))
    by_path = {module.path: module for module in modules}
    prefix = len(course.path) + Page.steplen
    lessons = []
    pages = Page.objects.descendant_of(course).live().type(*LESSON_MODELS).order_by("path")
    for page in pages.specific() if specific else pages:
        module = by_path.get(page.path[:prefix])
        if module is not None and page.depth == module.depth + 1:
            lessons.append(CourseLesson(page, module))
    return modules, lessons


def lesson_states(user, lessons):
    """LessonState of each lesson for one teacher: four queries whatever the number of lessons."""
    ids = [lesson.page.pk for lesson in lessons]
    videos = {row.lesson_id: row for row in VideoProgress.objects.filter(user=user, lesson_id__in=ids)}
    quizzes = {
        row["lesson_id"]: row
        for row in QuizAttempt.objects.filter(user=user, lesson_id__in=ids)
        .values("lesson_id")
        .annotate(best=Max("score"), passes=Count("pk", filter=Q(passed=True)))
    }
    assignments = {}
    for lesson_id, status in AssignmentSubmission.objects.filter(user=user, lesson_id__in=ids).values_list(
        "lesson_id", "status"
    ):
        assignments.setdefault(lesson_id, status)  # newest first (Meta.ordering)
    opened = set(
        LessonProgress.objects.filter(user=user, lesson_id__in=ids, opened_at__isnull=False).values_list(
            "lesson_id", flat=True
        )
    )
    states = []
    for lesson in lessons:
        pk = lesson.page.pk
        video, quiz = videos.get(pk), quizzes.get(pk)
        states.append(
            LessonState(
                lesson_id=pk,
                kind=lesson.kind,
                title=lesson.page.title,
                module_id=lesson.module.pk,
                watched_percent=video.percent if video else 0.0,
                best_score=quiz["best"] if quiz else None,
                quiz_passed=bool(quiz and quiz["passes"]),
                assignment_status=assignments.get(pk, ""),
                opened=pk in opened,
            )
        )
    return states


def refresh(user, course, lessons=None):
    """Recompute one teacher's progress in `course`; complete the enrolment when every rule is met."""
    if lessons is None:
        _modules, lessons = course_lessons(course, specific=False)
    result = evaluate(course.rules(), lesson_states(user, lessons))
    _store(user, result.standings)
    enrolment = Enrollment.objects.filter(course=course, user=user, status=Enrollment.Status.ENROLLED).first()
    if enrolment is not None:
        if result.complete:
            complete(enrolment)
        elif abs(enrolment.progress - result.progress) > 1e-6:
            Enrollment.objects.filter(pk=enrolment.pk).update(progress=result.progress)
    return result


def _store(user, standings):
    existing = {row.lesson_id: row for row in LessonProgress.objects.filter(user=user, lesson_id__in=standings)}
    changed, new = [], []
    for lesson_id, standing in standings.items():
        values = {"progress": standing.progress, "met": bool(standing.met), "detail": standing.detail}
        row = existing.get(lesson_id)
        if row is None:
            new.append(LessonProgress(user=user, lesson_id=lesson_id, **values))
        elif any(getattr(row, key) != value for key, value in values.items()):
            for key, value in values.items():
                setattr(row, key, value)
            changed.append(row)
    if new:
        # Two refreshes at once may both create: the unique constraint keeps one.
        LessonProgress.objects.bulk_create(new, ignore_conflicts=True)
    if changed:
        LessonProgress.objects.bulk_update(changed, ["progress", "met", "detail", "updated_at"])


def mark_opened(user, lesson):
    """A document or library resource was opened; reading material counts as seen, nothing more."""
    row, _created = LessonProgress.objects.get_or_create(user=user, lesson_id=lesson.pk)
    if row.opened_at is None:
        LessonProgress.objects.filter(pk=row.pk).update(opened_at=timezone.now())


def complete(enrolment):
    """Mark the enrolment completed, credit the course's hours once and issue the certificate once."""
    with transaction.atomic():
        enrolment = Enrollment.objects.select_for_update().select_related("course", "user").get(pk=enrolment.pk)
        if enrolment.status != Enrollment.Status.ENROLLED:
            return enrolment
        now = timezone.now()
        enrolment.status = Enrollment.Status.COMPLETED
        enrolment.completed_at = now
        enrolment.progress = 1.0
        enrolment.save(update_fields=["status", "completed_at", "progress", "updated_at"])
        course = enrolment.course
        StudyHoursEntry.objects.get_or_create(
            user=enrolment.user,
            course=course,
            kind=StudyHoursEntry.Kind.COMPLETION,
            defaults={
                "course_title": course.title,
                "year": timezone.localtime(now).year,
                "hours": course.study_hours,
            },
        )
        certificates.issue(enrolment)
    return enrolment


def hours_by_year(user):
    """[(year, total hours)] of a teacher's ledger, newest year first."""
    from django.db.models import Sum

    rows = StudyHoursEntry.objects.filter(user=user).values("year").annotate(total=Sum("hours")).order_by("-year")
    return [(row["year"], row["total"]) for row in rows]
