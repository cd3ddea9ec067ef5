from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = _("统一身份认证")

    def ready(self):
        from django.contrib.auth.signals import user_logged_out

        # Every way out (the site, the Wagtail admin, a refused refresh) drops the sid mapping.
        user_logged_out.connect(_forget_session, dispatch_uid="sso.forget_session")


def _forget_session(sender, request=None, **kwargs):
    from .sessions import forget

    if request is not None:
        forget(request)
