"""The 督导 and 学校领导 role groups, each allowed into the Wagtail admin (as sso's 0001 does for the others).

Kept in supervision (the app that gives the roles meaning); sso.roles names them.
"""

from django.db import migrations

# Frozen copy: a migration must not change when sso.roles does.
ROLE_GROUPS = {"supervisor": "督导", "school_leader": "学校领导"}


def create_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    access_admin = Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    for name in ROLE_GROUPS.values():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(access_admin)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLE_GROUPS.values()).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("supervision", "0001_usage_events"),
        ("sso", "0001_role_groups"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
