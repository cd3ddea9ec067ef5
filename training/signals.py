"""When a course is published: free seats go to the waiting list, and changed rules are applied to everyone."""

from django.db import transaction
from django.dispatch import receiver
from wagtail.signals import page_published

from . import enrolment
from .models import CoursePage, Enrollment
from .tasks import refresh_course


@receiver(page_published, sender=CoursePage)
def course_published(sender, instance, **kwargs):

    # A raised capacity frees seats now, not at the next withdrawal.
    enrolment.promote(instance)
    # Lowered thresholds may complete teachers who were just short: recompute in the background.
    if Enrollment.objects.filter(course=instance, status=Enrollment.Status.ENROLLED).exists():
        transaction.on_commit(lambda: refresh_course.delay(instance.pk), robust=True)
