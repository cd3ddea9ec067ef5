"""Enrolment: self-enrolment in the window, capacity with a FIFO waiting list, cohorts by school or group.

Every change takes a lock on the course's row first, so two teachers taking
the last seat at the same moment cannot both get it, and a withdrawal
promotes exactly the next teacher in line.
"""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from .models import CoursePage, Enrollment

Status = Enrollment.Status


class EnrolmentError(Exception):
    """Why an enrolment was refused, in words for the teacher."""


def _lock(course):
    return CoursePage.objects.select_for_update(of=("self",)).get(pk=course.pk)


def window_state(course, now=None):
    """'open', 'not_yet' or 'closed'."""
    now = now or timezone.now()
    if course.enrol_opens and now < course.enrol_opens:
        return "not_yet"
    if course.enrol_closes and now > course.enrol_closes:
        return "closed"
    return "open"


def seats_taken(course):
    return Enrollment.objects.filter(course=course, status__in=Enrollment.ACTIVE).count()


def seats_left(course):
    return None if course.capacity is None else max(course.capacity - seats_taken(course), 0)


def waitlist_position(enrolment):
    if enrolment.status != Status.WAITLISTED:
        return None
    ahead = Enrollment.objects.filter(course_id=enrolment.course_id, status=Status.WAITLISTED).filter(
        Q(waitlisted_at__lt=enrolment.waitlisted_at) | Q(waitlisted_at=enrolment.waitlisted_at, pk__lt=enrolment.pk)
    )
    return ahead.count() + 1


def _enrol_locked(course, user, source, by, now):
    """(enrolment, outcome) with outcome enrolled/waitlisted/already; the course row must be locked."""
    enrolment = Enrollment.objects.filter(course=course, user=user).first()
    if enrolment is not None and enrolment.status != Status.WITHDRAWN:
        return enrolment, "already"
    full = course.capacity is not None and seats_taken(course) >= course.capacity
    enrolment = enrolment or Enrollment(course=course, user=user)
    enrolment.source, enrolment.added_by = source, by
    enrolment.withdrawn_at = None
    if full:
        enrolment.status, enrolment.waitlisted_at, enrolment.enrolled_at = Status.WAITLISTED, now, None
    else:
        enrolment.status, enrolment.enrolled_at, enrolment.waitlisted_at = Status.ENROLLED, now, None
    enrolment.save()
    return enrolment, enrolment.status


def enrol(user, course, *, now=None):
    """Self-enrolment: within the window, of a live course; a full course puts the teacher on the waiting list."""
    now = now or timezone.now()
    if not course.live:
        raise EnrolmentError("该课程尚未发布。")
    state = window_state(course, now)
    if state == "not_yet":
        raise EnrolmentError("报名尚未开始。")
    if state == "closed":
        raise EnrolmentError("报名已截止。")
    with transaction.atomic():
        course = _lock(course)
        enrolment, _outcome = _enrol_locked(course, user, Enrollment.Source.SELF, None, now)
    return enrolment


def withdraw(user, course, *, now=None):
    """Leave a course (or its waiting list); the next teacher in line takes the seat. Completed courses stay."""
    now = now or timezone.now()
    with transaction.atomic():
        course = _lock(course)
        enrolment = Enrollment.objects.filter(course=course, user=user).first()
        if enrolment is None or enrolment.status == Status.WITHDRAWN:
            raise EnrolmentError("您未报名该课程。")
        if enrolment.status == Status.COMPLETED:
            raise EnrolmentError("已完成的课程不能退出。")
        enrolment.status, enrolment.withdrawn_at = Status.WITHDRAWN, now
        enrolment.save(update_fields=["status", "withdrawn_at", "updated_at"])
        promote(course, now=now)
    return enrolment


def promote(course, *, now=None):
    """Move waiting teachers onto free seats, first come first served; returns those promoted."""
    now = now or timezone.now()
    promoted = []
    with transaction.atomic():
        course = _lock(course)
        if course.capacity is None:
            free = None
        else:
            free = course.capacity - seats_taken(course)
            if free <= 0:
                return promoted
        waiting = Enrollment.objects.filter(course=course, status=Status.WAITLISTED).order_by("waitlisted_at", "pk")
        for enrolment in waiting[:free] if free is not None else waiting:
            enrolment.status, enrolment.enrolled_at = Status.ENROLLED, now
            enrolment.save(update_fields=["status", "enrolled_at", "updated_at"])
            promoted.append(enrolment)
    return promoted


def cohort_users(*, school=None, group=None):
    """Active accounts of a school (their single sign-on school) or a Django group (roles synced from Keycloak)."""
    users = get_user_model().objects.filter(is_active=True)
    if school is not None:
        users = users.filter(sso_profile__school=school)
    if group is not None:
        users = users.filter(groups=group)
    return users.order_by("pk")


def enrol_cohort(course, users, *, by, source, now=None):
    """Enrol many teachers at once, regardless of the window; beyond capacity they wait. Returns counts."""
    now = now or timezone.now()
    counts = {"enrolled": 0, "waitlisted": 0, "already": 0}
    with transaction.atomic():
        course = _lock(course)
        for user in users.iterator(chunk_size=500):
            _enrolment, outcome = _enrol_locked(course, user, source, by, now)
            counts[outcome] += 1
    return counts
