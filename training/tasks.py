"""Background work for training. Task arguments are ids; running a task twice is harmless."""

from celery import shared_task

from .models import CoursePage, Enrollment
from .progress import course_lessons, refresh


@shared_task(name="training.refresh_course")
def refresh_course(course_id):
    """Recompute every enrolled teacher's progress in a course (after its rules or lessons changed)."""

    course = CoursePage.objects.filter(pk=course_id).first()
    if course is None:
        return 0
    _modules, lessons = course_lessons(course, specific=False)  # refresh() needs no specific page
    count = 0
    enrolled = Enrollment.objects.filter(course=course, status=Enrollment.Status.ENROLLED).select_related("user")
    for enrolment in enrolled.iterator(chunk_size=500):
        refresh(enrolment.user, course, lessons)
        count += 1
    return count
