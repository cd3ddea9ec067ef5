"""From a Keycloak identity to a site account: name, roles, school, subjects.

The same mapping runs at login (from the validated token and userinfo
claims), at each token refresh and in `sync_keycloak` (from the admin API),
so an account looks the same whichever of them saw the change first.
A claim that is missing means "none": a role or school taken away in
Keycloak is taken away here too.
"""

import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import SsoProfile, school_model
from .roles import ROLE_GROUPS, ensure_role_groups

logger = logging.getLogger(__name__)

# The realm keeps one group per school under this path (scripts/keycloak/youke-realm.json).
SCHOOLS_GROUP_PATH = "/schools"
# District administrators manage users, schools and the taxonomy: the whole admin.
SUPERUSER_ROLE = "district_admin"
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")


class IdentityConflict(Exception):
    """The Keycloak identity would take over a site account it must not.

    People see "账号冲突，请联系管理员" (sso.views); the message says why, for the log.
    """


@dataclass(frozen=True)
class Identity:
    sub: str
    username: str
    email: str = ""
    # Whether Keycloak vouches for the address (OIDC `email_verified`, the admin API's `emailVerified`).
    email_verified: bool = False
    given_name: str = ""
    family_name: str = ""
    roles: frozenset = frozenset()
    school_code: str = ""
    subjects: tuple = ()
    enabled: bool = True


def known_roles(roles):
    """The platform roles among those Keycloak sends (it also sends default-roles-youke, offline_access...)."""
    return frozenset(role for role in roles or () if role in ROLE_GROUPS)


def as_list(value):
    """A claim or attribute as a list of non-empty strings: Keycloak sends one value or many."""
    if value is None:
        return []
    values = [value] if isinstance(value, str) else list(value)
    return [str(v).strip() for v in values if str(v).strip()]


def school_code_from(attribute, group_paths, group_codes=None):
    """The user's school: the `school_code` attribute, else membership of a /schools/<code> group.

    `group_codes` maps group paths to school codes when the admin API told us
    (group attributes); from a token only the path is known, whose last part
    is the code in the realm's convention.
    """
    codes = as_list(attribute)
    if codes:
        return codes[0]
    prefix = SCHOOLS_GROUP_PATH + "/"
    for path in sorted(as_list(group_paths)):
        if path.startswith(prefix):
            return (group_codes or {}).get(path) or path[len(prefix) :].split("/")[0]
    return ""


def display_name(given_name, family_name):
    """(first_name, last_name) for Django's User, so that get_full_name() reads right.

    Django joins "first last"; a Chinese name is family name first with no
    space (王芳), so it is kept whole in first_name.
    """
    given, family = (given_name or "").strip(), (family_name or "").strip()
    if _CJK.search(given + family):
        return family + given, ""
    return given, family


def identity_from_claims(claims):
    """An Identity from validated OIDC claims (ID token, access token and userinfo merged)."""
    roles = claims.get("roles")
    if roles is None:
        # A realm without the "roles" mapper still lists them in realm_access.
        roles = (claims.get("realm_access") or {}).get("roles")
    return Identity(
        sub=claims["sub"],
        username=claims.get("preferred_username") or claims["sub"],
        email=claims.get("email") or "",
        email_verified=claims.get("email_verified") is True,
        given_name=claims.get("given_name") or "",
        family_name=claims.get("family_name") or "",
        roles=known_roles(as_list(roles)),
        school_code=school_code_from(claims.get("school_code"), claims.get("groups")),
        subjects=tuple(as_list(claims.get("subjects"))),
    )


def identity_from_admin(user, roles, group_paths, group_codes=None):
    """An Identity from the admin API: a UserRepresentation, its effective realm roles and group paths."""
    attributes = user.get("attributes") or {}
    return Identity(
        sub=user["id"],
        username=user["username"],
        email=user.get("email") or "",
        email_verified=user.get("emailVerified") is True,
        given_name=user.get("firstName") or "",
        family_name=user.get("lastName") or "",
        roles=known_roles(roles),
        school_code=school_code_from(attributes.get("school_code"), group_paths, group_codes),
        subjects=tuple(as_list(attributes.get("subjects"))),
        enabled=bool(user.get("enabled", True)),
    )


def upsert_user(identity, *, groups=None):
    """Create or update the site account of a Keycloak identity; return the user.

    `groups` is ensure_role_groups()'s result, passed in by callers that map
    many users at once. Two logins of a new user at the same moment race on
    the unique `sub`; the loser retries and finds the winner's account.

    Raises IdentityConflict when the identity would take over an account it
    must not (see adoption_refusal).
    """
    groups = groups or ensure_role_groups()
    try:
        with transaction.atomic():
            return _upsert(identity, groups)
    except IntegrityError:
        with transaction.atomic():
            return _upsert(identity, groups)


def _upsert(identity, groups):

    School = school_model()

    profile = SsoProfile.objects.select_related("user").filter(sub=identity.sub).first()
    if profile is not None:
        user = profile.user
        _rename(user, identity.username)
    else:
        user = _account_to_link(identity)
        # A local profile (embedded default) becomes this identity's; otherwise a new one.
        profile = SsoProfile.objects.filter(user_id=user.pk, sub__startswith=SsoProfile.LOCAL_PREFIX).first()
        profile = profile or SsoProfile()
        profile.sub = identity.sub
    user.first_name, user.last_name = display_name(identity.given_name, identity.family_name)
    user.email = identity.email
    user.is_active = identity.enabled
    user.is_superuser = user.is_staff = SUPERUSER_ROLE in identity.roles
    user.save()

    profile.user = user
    profile.school = School.objects.filter(code=identity.school_code).first() if identity.school_code else None
    if identity.school_code and profile.school is None:
        logger.warning("school %s of %s is not known here; run sync_keycloak", identity.school_code, user.username)
    profile.subjects = list(identity.subjects)
    profile.last_synced = timezone.now()
    profile.save()
    _set_role_groups(user, identity.roles, groups)
    return user


def _account_to_link(identity):
    """The account a first-time identity gets: a new one, or an existing local one it may adopt.

    A linked account loses its local password: from then on Keycloak decides
    who it is. Raises IdentityConflict when the local account is not safe to adopt.
    """
    user = get_user_model().objects.filter(username=identity.username).first()
    if user is None:
        user = get_user_model()(username=identity.username)
    else:
        reason = adoption_refusal(user, identity)
        if reason:
            logger.warning("account conflict: %s (Keycloak %s) not linked: %s", identity.username, identity.sub, reason)
            raise IdentityConflict(f"{identity.username}: {reason}")
    user.set_unusable_password()
    return user


def adoption_refusal(user, identity):
    """Why a Keycloak identity must not take over the unlinked local account of the same name; "" if it may.

    Names are not proof: anyone a Keycloak administrator creates as "teacher1"
    would otherwise inherit the local teacher1's lessons. An account is
    adopted only when nobody could sign in to it locally (made without a
    password, e.g. by an administrator for someone about to use Keycloak),
    or when its e-mail address is the one Keycloak has verified for the
    identity - so a district that started with local accounts keeps them,
    and their lessons, when it switches. Break-glass accounts never.
    """

    if user.username in settings.SSO_BREAK_GLASS_USERNAMES:
        return "a break-glass account cannot be linked to Keycloak"
    linked = SsoProfile.objects.filter(user_id=user.pk).exclude(sub__startswith=SsoProfile.LOCAL_PREFIX)
    if user.pk is not None and linked.exists():
        return "the account is already linked to another Keycloak identity"
    if not user.has_usable_password():
        return ""
    if identity.email_verified and _same_address(user.email, identity.email):
        return ""
    return "the local account has its own password and no e-mail address Keycloak verified for this identity"


def _same_address(a, b):
    a, b = (a or "").strip().casefold(), (b or "").strip().casefold()
    return bool(a) and a == b


def _rename(user, username):
    """Follow a username changed in Keycloak, unless another account already has the new name."""
    if user.username == username:
        return
    if get_user_model().objects.filter(username=username).exclude(pk=user.pk).exists():
        logger.warning("cannot rename %s to %s: the name is taken", user.username, username)
        return
    user.username = username


def _set_role_groups(user, roles, groups):
    """Role groups exactly as the roles say; groups that are not roles are left alone."""
    wanted = {groups[role].pk for role in roles}
    managed = {group.pk for group in groups.values()}
    current = set(user.groups.filter(pk__in=managed).values_list("pk", flat=True))
    if current - wanted:
        user.groups.remove(*(current - wanted))
    if wanted - current:
        user.groups.add(*(wanted - current))
