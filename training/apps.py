from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "training"
    verbose_name = _("教师培训")

    def ready(self):
        from media_pipeline import access

        from . import signals  # noqa: F401 - connects the publish handler
        from .permissions import can_watch_video

        access.register(can_watch_video)

        from search import registry

        from .search import find_courses

        registry.register("course", _("培训课程"), find_courses, order=30)
