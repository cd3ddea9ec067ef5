from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SsoConfig(AppConfig):
    name = "sso"
    verbose_name = _("统一身份认证")

    def ready(self):
        from django.contrib.auth import get_user_model
        from django.contrib.auth.signals import user_logged_out

        from .names import get_full_name

        # Once, at the root: Wagtail's lists, dashboard and locks, and our templates
        # all ask get_full_name(), which Django writes given name first ("芳 王").
        get_user_model().get_full_name = get_full_name

        from .sidebar import install

        # The admin sidebar's account name too, which Wagtail takes from first_name alone.
        install()

        # Every way out (the site, the Wagtail admin, a refused refresh) drops the sid mapping.
        user_logged_out.connect(_forget_session, dispatch_uid="sso.forget_session")


def _forget_session(sender, request=None, **kwargs):
    from .sessions import forget

    if request is not None:
        forget(request)
