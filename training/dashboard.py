"""Cohort progress for trainers: one row per teacher with a column per module, in batches.

The same generator feeds the HTML table (one page of it), the CSV and the
Excel export, so all three agree; it reads enrolments with `.iterator()` and
lesson progress per batch, so 10,000 teachers cost a few dozen queries and
little memory.
"""

from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.http import urlencode

from resources.models import School
from sso.names import full_name

from .models import Enrollment, LessonProgress
from .rules import BEHIND_WINDOW_DAYS, REQUIRED_KINDS, expected_progress, is_behind

BATCH = 1000
VALUES = (
    "pk", "user_id", "user__username", "user__first_name", "user__last_name", "status", "source", "progress",
    "enrolled_at", "completed_at", "user__sso_profile__school__name", "user__sso_profile__school__area",
)  # fmt: skip
# Plain strings, not lazy translations: the Excel writer takes only real str values.
STATUS_LABELS = {value: str(label) for value, label in Enrollment.Status.choices}
SOURCE_LABELS = {value: str(label) for value, label in Enrollment.Source.choices}
AREA_LABELS = {value: str(label) for value, label in School.Area.choices}


@dataclass
class CohortFilter:
    school: School | None = None
    area: str = ""
    status: str = ""
    behind: bool = False

    @classmethod
    def from_params(cls, params):
        """From GET parameters; unknown values are ignored rather than refused."""
        school = None
        code = (params.get("school") or "").strip()
        if code:
            school = School.objects.filter(code=code).first()
        area = params.get("area") if params.get("area") in AREA_LABELS else ""
        status = params.get("status") if params.get("status") in STATUS_LABELS else ""
        return cls(school=school, area=area, status=status, behind=params.get("behind") == "1")

    def as_query(self):
        """The filters as a URL query string ("area=rural&status=enrolled"), for export and pager links."""
        query = {"school": self.school.code if self.school else "", "area": self.area, "status": self.status}
        if self.behind:
            query["behind"] = "1"
        return urlencode({key: value for key, value in query.items() if value})


@dataclass
class CohortRow:
    enrolment_id: int
    user_id: int
    name: str
    username: str
    school: str
    area: str
    status: str
    source: str
    progress: float
    enrolled_at: object
    completed_at: object
    behind: bool
    modules: list = field(default_factory=list)  # progress 0..1 per module, None where nothing is required

    @property
    def status_label(self):
        return STATUS_LABELS.get(self.status, self.status)


def behind_threshold(course, today=None):
    """The progress below which an enrolled teacher is behind today, or None while the end is far."""
    today = today or timezone.localdate()
    if not course.ends_on or (course.ends_on - today).days > BEHIND_WINDOW_DAYS:
        return None
    return expected_progress(course.starts_on, course.ends_on, today)


def cohort(course, filters, today=None):
    """Enrolments of the course matching the filters (withdrawn teachers only when asked for)."""
    queryset = Enrollment.objects.filter(course=course)
    if filters.status:
        queryset = queryset.filter(status=filters.status)
    else:
        queryset = queryset.exclude(status=Enrollment.Status.WITHDRAWN)
    if filters.school:
        queryset = queryset.filter(user__sso_profile__school=filters.school)
    if filters.area:
        queryset = queryset.filter(user__sso_profile__school__area=filters.area)
    if filters.behind:
        threshold = behind_threshold(course, today)
        if threshold is None:
            return queryset.none()
        queryset = queryset.filter(status=Enrollment.Status.ENROLLED, progress__lt=threshold)
    return queryset.order_by("user__sso_profile__school__name", "user__username", "pk")


def _name(row):
    return full_name(row["user__first_name"], row["user__last_name"]) or row["user__username"]


def rows(course, queryset, modules, lessons, today=None):
    """CohortRow for each enrolment of `queryset`, in order, lesson progress read a batch at a time."""
    today = today or timezone.localdate()
    required = {module.pk: [] for module in modules}
    for lesson in lessons:
        if lesson.kind in REQUIRED_KINDS:
            required[lesson.module.pk].append(lesson.page.pk)
    lesson_ids = [pk for ids in required.values() for pk in ids]
    batch = []
    for row in queryset.values(*VALUES).iterator(chunk_size=BATCH):
        batch.append(row)
        if len(batch) >= BATCH:
            yield from _rows_of(course, batch, modules, required, lesson_ids, today)
            batch = []
    if batch:
        yield from _rows_of(course, batch, modules, required, lesson_ids, today)


def _rows_of(course, batch, modules, required, lesson_ids, today):
    progress = {}
    if lesson_ids:
        for user_id, lesson_id, value in LessonProgress.objects.filter(
            user_id__in=[row["user_id"] for row in batch], lesson_id__in=lesson_ids
        ).values_list("user_id", "lesson_id", "progress"):
            progress[user_id, lesson_id] = value
    for row in batch:
        completed = row["status"] == Enrollment.Status.COMPLETED
        per_module = []
        for module in modules:
            ids = required[module.pk]
            if not ids:
                per_module.append(None)
            elif completed:
                per_module.append(1.0)
            else:
                per_module.append(sum(progress.get((row["user_id"], pk), 0.0) for pk in ids) / len(ids))
        behind = row["status"] == Enrollment.Status.ENROLLED and is_behind(
            row["progress"], completed, course.starts_on, course.ends_on, today
        )
        yield CohortRow(
            enrolment_id=row["pk"],
            user_id=row["user_id"],
            name=_name(row),
            username=row["user__username"],
            school=row["user__sso_profile__school__name"] or "",
            area=AREA_LABELS.get(row["user__sso_profile__school__area"], ""),
            status=row["status"],
            source=SOURCE_LABELS.get(row["source"], row["source"]),
            progress=row["progress"],
            enrolled_at=row["enrolled_at"],
            completed_at=row["completed_at"],
            behind=behind,
            modules=per_module,
        )


def summary(course):
    """Counts by status for the course's header."""
    from django.db.models import Count

    counts = dict(Enrollment.objects.filter(course=course).values_list("status").annotate(n=Count("pk")))
    return {status: counts.get(status, 0) for status in STATUS_LABELS}
