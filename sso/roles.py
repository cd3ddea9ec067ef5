"""The platform's roles: one Keycloak realm role = one Wagtail group.

The group names are what people see in the admin, so they are Chinese;
the keys are the realm role names the identity provider sends.
"""

ROLE_GROUPS = {
    "teacher": "教师",
    "school_reviewer": "校级审核员",
    "district_reviewer": "区级审核员",
    "trainer": "培训管理员",
    "district_admin": "区级管理员",
    # 督导: the district's supervision office, which reads every school's figures (supervision).
    "supervisor": "督导",
    # A school's head or deputy: sees and answers for their own school's supervision pages only.
    "school_leader": "学校领导",
}

# Every role works in the Wagtail admin (teachers publish lessons there).
ADMIN_ACCESS = ("wagtailadmin", "access_admin")


def ensure_role_groups():
    """Return {role: Group}, creating any group that is missing, with admin access.

    The migration creates them on a new database; this also covers a database
    flushed since (tests) or a group an administrator deleted by mistake.
    """
    from django.contrib.auth.models import Group, Permission

    access_admin = Permission.objects.get(content_type__app_label=ADMIN_ACCESS[0], codename=ADMIN_ACCESS[1])
    groups = {}
    for role, name in ROLE_GROUPS.items():
        group, created = Group.objects.get_or_create(name=name)
        if created:
            group.permissions.add(access_admin)
        groups[role] = group
    return groups


# Roles that review or administer every school's work and so may open its unpublished files.
DISTRICT_ROLES = ("district_reviewer", "district_admin")


def roles_of(user):
    """The platform roles (ROLE_GROUPS keys) of `user`, cached on the user object for the request."""
    if not (user and user.is_authenticated):
        return frozenset()
    cached = getattr(user, "_youke_roles", None)
    if cached is None:
        by_name = {name: role for role, name in ROLE_GROUPS.items()}
        cached = frozenset(by_name[name] for name in user.groups.values_list("name", flat=True) if name in by_name)
        user._youke_roles = cached
    return cached


def has_role(user, *roles):
    """Whether `user` holds any of `roles` (ROLE_GROUPS keys). Superusers hold none by name."""
    return bool(roles_of(user) & set(roles))


def is_district_staff(user):
    """Superusers, district reviewers and district administrators see every teacher's work."""
    if not (user and user.is_authenticated):
        return False
    return user.is_superuser or has_role(user, *DISTRICT_ROLES)


def is_district_admin(user):
    """District administrators (and superusers) keep the library itself: publish around review, move."""
    return bool(user and user.is_authenticated) and (user.is_superuser or has_role(user, "district_admin"))


def school_of(user):
    """The id of the school a user teaches at, or None (district staff, or not known)."""
    # The school comes from the identity provider's groups (sso.SsoProfile).
    profile = getattr(user, "sso_profile", None)
    return getattr(profile, "school_id", None)
