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
