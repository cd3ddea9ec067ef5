"""Create the role groups, each allowed into the Wagtail admin.

Done in a migration, not only in the demo loader, because the Keycloak role
mapping needs the groups in production too.
"""

from django.db import migrations

# Frozen copy: a migration must not change when sso.roles does.
ROLE_GROUPS = {
    "teacher": "教师",
    "school_reviewer": "校级审核员",
    "district_reviewer": "区级审核员",
    "trainer": "培训管理员",
    "district_admin": "区级管理员",
}


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
        ("auth", "0012_alter_user_first_name_max_length"),
        ("wagtailadmin", "0001_create_admin_access_permissions"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
