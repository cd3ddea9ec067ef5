"""Self-enrolment in the window, capacity with a first-come waiting list, cohorts by school or group."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.test import Client
from django.utils import timezone

from resources.models import School
from training import enrolment
from training.models import Enrollment

from .helpers import course, school, user

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]
Status = Enrollment.Status


def test_enrolment_only_inside_the_window(demo_site):
    now = timezone.now()
    later = course(enrol_opens=now + datetime.timedelta(days=2), enrol_closes=now + datetime.timedelta(days=9))
    closed = course(
        "已截止", enrol_opens=now - datetime.timedelta(days=9), enrol_closes=now - datetime.timedelta(days=1)
    )
    teacher = user("t_window")
    with pytest.raises(enrolment.EnrolmentError, match="报名尚未开始"):
        enrolment.enrol(teacher, later)
    with pytest.raises(enrolment.EnrolmentError, match="报名已截止"):
        enrolment.enrol(teacher, closed)
    assert not Enrollment.objects.exists()


def test_enrolling_twice_keeps_one_enrolment(demo_site):
    page, teacher = course(), user("t_twice")
    first = enrolment.enrol(teacher, page)
    assert enrolment.enrol(teacher, page).pk == first.pk
    assert Enrollment.objects.filter(user=teacher).count() == 1


def test_a_full_course_puts_teachers_on_a_waiting_list_promoted_first_come_first_served(demo_site):
    page = course(capacity=2)
    teachers = [user(f"t_cap{i}") for i in range(5)]
    base = timezone.now()
    rows = [enrolment.enrol(t, page, now=base + datetime.timedelta(seconds=i)) for i, t in enumerate(teachers)]
    assert [row.status for row in rows] == [Status.ENROLLED] * 2 + [Status.WAITLISTED] * 3
    assert [enrolment.waitlist_position(row) for row in rows[2:]] == [1, 2, 3]
    assert enrolment.seats_left(page) == 0

    enrolment.withdraw(teachers[0], page)
    statuses = dict(Enrollment.objects.filter(course=page).values_list("user__username", "status"))
    assert statuses == {"t_cap0": "withdrawn", "t_cap1": "enrolled", "t_cap2": "enrolled", "t_cap3": "waitlisted",
                        "t_cap4": "waitlisted"}  # fmt: skip
    # Leaving the waiting list frees no seat; the queue behind simply moves up.
    enrolment.withdraw(teachers[3], page)
    assert enrolment.waitlist_position(Enrollment.objects.get(user=teachers[4])) == 1


def test_raising_the_capacity_promotes_the_waiting_list_when_published(demo_site):
    page = course(capacity=1)
    first, second = user("t_raise1"), user("t_raise2")
    enrolment.enrol(first, page)
    assert enrolment.enrol(second, page).status == Status.WAITLISTED
    page.capacity = 2
    page.save_revision().publish()
    assert Enrollment.objects.get(user=second).status == Status.ENROLLED


def test_withdrawing_from_a_completed_course_is_refused(demo_site):
    page, teacher = course(), user("t_done")
    row = enrolment.enrol(teacher, page)
    Enrollment.objects.filter(pk=row.pk).update(status=Status.COMPLETED)
    with pytest.raises(enrolment.EnrolmentError, match="已完成"):
        enrolment.withdraw(teacher, page)


def test_a_draft_course_cannot_be_enrolled(demo_site):
    draft = course("草稿课程", live=False)
    client = Client()
    client.force_login(user("t_draft"))
    assert client.post(f"/training/courses/{draft.pk}/enrol/").status_code == 404
    assert not Enrollment.objects.exists()


def test_trainer_enrols_a_school_cohort_beyond_capacity_onto_the_waiting_list(demo_site):
    trainer = user("tr_cohort", role="trainer")
    page = course(trainers=[trainer], capacity=3)
    school("QSZX", "青山乡中心小学", School.Area.RURAL)
    for i in range(4):
        user(f"t_qs{i}", school_code="QSZX")
    user("t_other", school_code="CGYX")
    enrolment.enrol(user("t_self", school_code="QSZX"), page)  # already in, by herself

    client = Client()
    client.force_login(trainer)
    response = client.post(f"/training/dashboard/{page.pk}/cohort/", {"school": "QSZX"}, follow=True)
    assert "新增 2 人，候补 2 人，已在课程中 1 人" in response.content.decode()
    rows = Enrollment.objects.filter(course=page)
    assert rows.count() == 5 and not rows.filter(user__username="t_other").exists()
    assert rows.filter(source=Enrollment.Source.SCHOOL, added_by=trainer).count() == 4
    assert rows.filter(status=Status.WAITLISTED).count() == 2


def test_trainer_enrols_a_group_cohort_ignoring_the_window(demo_site):
    trainer = user("tr_group", role="trainer")
    now = timezone.now()
    page = course(trainers=[trainer], enrol_opens=now - datetime.timedelta(days=9), enrol_closes=now)
    group = Group.objects.create(name="2026 年新教师")
    members = [user(f"t_new{i}") for i in range(3)]
    group.user_set.add(*members)
    counts = enrolment.enrol_cohort(page, enrolment.cohort_users(group=group), by=trainer, source="group")
    assert counts == {"enrolled": 3, "waitlisted": 0, "already": 0}


def test_cohort_form_needs_exactly_one_of_school_or_group(demo_site):
    trainer = user("tr_form", role="trainer")
    page = course(trainers=[trainer])
    client = Client()
    client.force_login(trainer)
    response = client.post(f"/training/dashboard/{page.pk}/cohort/", {}, follow=True)
    assert "请选择一所学校或一个用户组（二选一）" in response.content.decode()
