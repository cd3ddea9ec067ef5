"""Who may see and change what in training.

A trainer manages only the courses that name them as 培训讲师; district
administrators (superusers, or the 区级管理员 group) manage all. A teacher
sees only their own enrolments and progress.
"""

from sso.roles import has_role, is_district_admin

from .models import CoursePage, Enrollment, VideoLessonPage


def is_trainer(user):
    return has_role(user, "trainer")


def managed_courses(user):
    """Courses (drafts included) whose cohorts `user` may see."""
    if is_district_admin(user):
        return CoursePage.objects.all()
    if is_trainer(user):
        return CoursePage.objects.filter(trainers=user)
    return CoursePage.objects.none()


def can_manage(user, course):
    return managed_courses(user).filter(pk=course.pk).exists()


def may_dashboard(user):
    return is_district_admin(user) or is_trainer(user)


def course_of(page):
    """The course a module or lesson page belongs to."""
    return CoursePage.objects.ancestor_of(page, inclusive=True).first()


def live_course_of(page):
    """The course of a live lesson or module whose every ancestor up to the course is live, else None.

    Unpublishing a module leaves its lessons live in Wagtail; they must close with it.
    """
    course = course_of(page)
    if course is None or not page.live or not course.live:
        return None
    if page.get_ancestors().filter(depth__gte=course.depth, live=False).exists():
        return None
    return course


def active_enrolment(user, course):
    if not user.is_authenticated:
        return None
    return Enrollment.objects.filter(course=course, user=user, status__in=Enrollment.ACTIVE).first()


def can_watch_video(user, video):
    """media_pipeline's rule for training: a video of a live lesson in a course the user studies or manages."""

    if not user.is_authenticated:
        return False
    for lesson in VideoLessonPage.objects.live().filter(video=video):
        course = course_of(lesson)
        if course is None:
            continue
        if (live_course_of(lesson) and active_enrolment(user, course)) or can_manage(user, course):
            return True
    return False
