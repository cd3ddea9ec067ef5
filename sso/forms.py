"""Password forms: the site's (the embedded default) and the admin's, which under Keycloak only
break-glass superusers may use."""

from django import forms
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm as WagtailLoginForm


class LoginForm(WagtailLoginForm):
    """Wagtail's login form; with Keycloak configured its refusal points to single sign-on.

    The refusal itself is LocalPasswordBackend's. One message for a wrong
    password and for a name that may not use a password at all, so the
    form does not tell which names are break-glass accounts.
    """

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        if settings.KEYCLOAK:
            self.error_messages = {
                **self.error_messages,
                "invalid_login": _("用户名或密码不正确，或该账号不能使用本地密码登录。请使用统一身份认证登录。"),
            }


class SiteLoginForm(AuthenticationForm):
    """The site's sign-in form, in the words a teacher expects."""

    username = forms.CharField(
        label=_("用户名"), max_length=150, widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"})
    )
    password = forms.CharField(
        label=_("密码"), strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )
    error_messages = {
        "invalid_login": _("用户名或密码不正确，请重新输入。"),
        "inactive": _("该账号已停用，请联系学校管理员。"),
    }
