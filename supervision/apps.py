from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "supervision"
    verbose_name = _("教育督导")

    def ready(self):
        from . import cache  # noqa: F401 - its receivers start a new generation when schools change
