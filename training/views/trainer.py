"""The trainer dashboard: cohorts of one's own courses, exports, cohort enrolment, assignment review."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from resources.models import School
from sso.ratelimits import limit

from .. import assignments, dashboard, enrolment, exports, progress
from ..models import AssignmentLessonPage, AssignmentSubmission, CoursePage, Enrollment
from ..permissions import can_manage, course_of, managed_courses, may_dashboard

PAGE_SIZE = 50


def _dashboard_user(request):
    if not may_dashboard(request.user):
        raise PermissionDenied("只有培训管理员可以查看培训看板。")


def _managed(request, course_id):
    """The course, if the user manages it; 404 otherwise: other trainers' cohorts are not theirs to learn about."""
    _dashboard_user(request)
    course = get_object_or_404(CoursePage, pk=course_id)
    if not can_manage(request.user, course):
        raise Http404
    return course


@require_GET
@login_required
def home(request):
    _dashboard_user(request)
    active = Q(enrollments__status__in=Enrollment.ACTIVE)
    courses = managed_courses(request.user).annotate(
        active=Count("enrollments", filter=active),
        completed=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.COMPLETED)),
        waiting=Count("enrollments", filter=Q(enrollments__status=Enrollment.Status.WAITLISTED)),
    )
    return render(request, "training/dashboard_home.html", {"courses": courses.order_by("-latest_revision_created_at")})


def _cohort(request, course):
    filters = dashboard.CohortFilter.from_params(request.GET)
    modules, lessons = progress.course_lessons(course)
    return filters, modules, lessons, dashboard.cohort(course, filters)


@require_GET
@login_required
def course(request, course_id):
    course = _managed(request, course_id)
    filters, modules, lessons, queryset = _cohort(request, course)
    page = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    ids = list(page.object_list.values_list("pk", flat=True))
    rows = list(dashboard.rows(course, queryset.filter(pk__in=ids), modules, lessons))
    behind = dashboard.cohort(course, dashboard.CohortFilter(behind=True))
    pending = AssignmentSubmission.objects.filter(
        lesson_id__in=[lesson.page.pk for lesson in lessons if lesson.kind == "assignment"],
        status=AssignmentSubmission.Status.SUBMITTED,
    ).count()
    context = {
        "course": course,
        "modules": modules,
        "rows": rows,
        "page": page,
        "filters": filters,
        "query": filters.as_query(),
        "schools": School.objects.order_by("name"),
        "groups": Group.objects.order_by("name"),
        "areas": School.Area.choices,
        "statuses": Enrollment.Status.choices,
        "summary": dashboard.summary(course),
        "behind_count": behind.count(),
        "behind_threshold": dashboard.behind_threshold(course),
        "pending": pending,
    }
    return render(request, "training/dashboard_course.html", context)


def _export_name(course, extension):
    return f"{course.title}-学员进度-{timezone.localdate().isoformat()}.{extension}"


@require_GET
@login_required
@limit("export", key="user")
def export_csv(request, course_id):
    course = _managed(request, course_id)
    _filters, modules, lessons, queryset = _cohort(request, course)
    rows = dashboard.rows(course, queryset, modules, lessons)
    return exports.csv_response(course, rows, modules, _export_name(course, "csv"))


@require_GET
@login_required
@limit("export", key="user")
def export_xlsx(request, course_id):
    course = _managed(request, course_id)
    _filters, modules, lessons, queryset = _cohort(request, course)
    rows = dashboard.rows(course, queryset, modules, lessons)
    return exports.xlsx_response(course, rows, modules, _export_name(course, "xlsx"))


@require_POST
@login_required
def enrol_cohort(request, course_id):
    course = _managed(request, course_id)
    if not course.live:
        messages.error(request, "课程尚未发布，不能报名。")
        return redirect("training:dashboard_course", course_id=course.pk)
    school = School.objects.filter(code=request.POST.get("school") or "").first()
    group = Group.objects.filter(pk=request.POST.get("group") or 0).first() if request.POST.get("group") else None
    if (school is None) == (group is None):
        messages.error(request, "请选择一所学校或一个用户组（二选一）。")
        return redirect("training:dashboard_course", course_id=course.pk)
    source = Enrollment.Source.SCHOOL if school else Enrollment.Source.GROUP
    users = enrolment.cohort_users(school=school, group=group)
    counts = enrolment.enrol_cohort(course, users, by=request.user, source=source)
    messages.success(
        request,
        f"已为“{school or group}”报名：新增 {counts['enrolled']} 人，候补 {counts['waitlisted']} 人，"
        f"已在课程中 {counts['already']} 人。",
    )
    return redirect("training:dashboard_course", course_id=course.pk)


@require_GET
@login_required
def submissions(request, course_id):
    course = _managed(request, course_id)
    lesson_ids = AssignmentLessonPage.objects.descendant_of(course).values_list("pk", flat=True)
    pending = (
        AssignmentSubmission.objects.filter(lesson_id__in=lesson_ids, status=AssignmentSubmission.Status.SUBMITTED)
        .select_related("user", "lesson")
        .order_by("created_at")
    )
    reviewed = (
        AssignmentSubmission.objects.filter(lesson_id__in=lesson_ids)
        .exclude(status=AssignmentSubmission.Status.SUBMITTED)
        .select_related("user", "lesson", "reviewed_by")
        .order_by("-reviewed_at")[:50]
    )
    return render(request, "training/submissions.html", {"course": course, "pending": pending, "reviewed": reviewed})


@require_POST
@login_required
def review(request, submission_id):
    _dashboard_user(request)
    submission = get_object_or_404(AssignmentSubmission.objects.select_related("user", "lesson"), pk=submission_id)
    course = course_of(submission.lesson)
    if course is None or not can_manage(request.user, course):
        raise Http404
    try:
        assignments.review(submission, request.user, request.POST.get("action"), request.POST.get("comment", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        progress.refresh(submission.user, course.specific)
        messages.success(request, "已批阅。")
    return redirect("training:submissions", course_id=course.pk)
