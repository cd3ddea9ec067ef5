from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResourcesConfig(AppConfig):
    name = "resources"
    verbose_name = _("教学资源")

    def ready(self):
        from media_pipeline import access

        from .api import can_watch_video

        access.register(can_watch_video)
