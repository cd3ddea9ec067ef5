"""Every platform role exists as a group that may enter the Wagtail admin."""

import pytest
from django.contrib.auth.models import Group

from sso.roles import ROLE_GROUPS


@pytest.mark.django_db
@pytest.mark.parametrize("role", sorted(ROLE_GROUPS))
def test_role_group_exists_with_admin_access(role):
    group = Group.objects.get(name=ROLE_GROUPS[role])
    assert group.permissions.filter(content_type__app_label="wagtailadmin", codename="access_admin").exists()


@pytest.mark.django_db
def test_demo_users_are_in_their_role_groups(demo_site):
    from django.contrib.auth import get_user_model

    reviewer = get_user_model().objects.get(username="school_reviewer1")
    assert set(reviewer.groups.values_list("name", flat=True)) == {"教师", "校级审核员"}
    assert reviewer.has_perm("wagtailadmin.access_admin")
    assert not reviewer.is_superuser
