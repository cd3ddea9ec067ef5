"""Who a site account is in Keycloak, and which site sessions a Keycloak session opened."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class SsoProfile(models.Model):
    """The Keycloak identity behind a site account, with its school and subjects.

    `sub` (the Keycloak user id) is what links the two, never the username:
    a username can be renamed in the directory, the id cannot.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sso_profile", verbose_name=_("用户")
    )
    # Profiles made on the embedded default (demo accounts' schools) have a
    # "local:" sub: no Keycloak identity yet, so a login may adopt them.
    LOCAL_PREFIX = "local:"

    sub = models.CharField(_("统一身份标识"), max_length=255, unique=True)
    school = models.ForeignKey(
        "resources.School",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sso_profiles",
        verbose_name=_("学校"),
    )
    # Subject names as the directory sends them (语文, 数学 ...); the curriculum
    # is still being built, so they are not linked to its records yet.
    subjects = models.JSONField(_("任教学科"), default=list, blank=True)
    last_synced = models.DateTimeField(_("最近同步"), null=True, blank=True)

    class Meta:
        verbose_name = _("统一身份档案")
        verbose_name_plural = _("统一身份档案")

    def __str__(self):
        return f"{self.user} ({self.sub})"


class SsoSession(models.Model):
    """A site session opened by a Keycloak login, so a back-channel logout can find it.

    Keycloak names its session (`sid`) in the logout token; this maps it to
    the site's session key without scanning the session store.
    """

    session_key = models.CharField(max_length=64, unique=True)
    sid = models.CharField(max_length=255, blank=True, db_index=True)
    sub = models.CharField(max_length=255, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("单点登录会话")
        verbose_name_plural = _("单点登录会话")

    def __str__(self):
        return f"{self.sub} / {self.sid}"


def school_model():
    """The district's school directory, reached through the profile's relation.

    The School model lives in resources with the rest of the master data;
    sso fills it from the Keycloak directory and links profiles to it, but
    may not import resources, which sits above sso. Django resolves the
    lazy "resources.School" reference once the apps are loaded.
    """
    return SsoProfile._meta.get_field("school").related_model
