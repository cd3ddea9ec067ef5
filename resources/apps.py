from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = _("教学资源")

    def ready(self):
        from media_pipeline import access

        from .api import can_watch_video

        access.register(can_watch_video)

        from media_pipeline import usage

        from .video_use import lesson_links

        # The 视频转码 list links each upload to the lesson that uses it.
        usage.register(lesson_links)

        from django.db.models.signals import post_save

        from . import models

        # A renamed unit, volume, edition, subject or grade changes what the 课 chooser matches.
        for model in (models.Unit, models.Textbook, models.Edition, models.Subject, models.Grade):
            post_save.connect(_refresh_lesson_terms, sender=model, dispatch_uid=f"lesson-terms-{model.__name__}")


# Which 课 sit under an instance of each level.
_LESSONS_UNDER = {
    "Unit": "unit",
    "Textbook": "unit__textbook",
    "Edition": "unit__textbook__edition",
    "Subject": "unit__textbook__subject",
    "Grade": "unit__textbook__grade",
}


def _refresh_lesson_terms(sender, instance, created, raw=False, **kwargs):
    if created or raw:
        return  # nothing sits under a new level yet; fixtures load their own terms
    from .models import KnowledgeNode
    from .models.taxonomy import refresh_lesson_terms

    refresh_lesson_terms(KnowledgeNode.objects.filter(**{_LESSONS_UNDER[sender.__name__]: instance}))
