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


def test_demo_schools_match_the_keycloak_realm():
    """The realm's school groups and the demo schools are the same schools, so SSO can map one onto the other."""
    import json
    from pathlib import Path

    from resources.demo import SCHOOLS

    realm = json.loads((Path(__file__).resolve().parents[2] / "scripts/keycloak/youke-realm.json").read_text())
    groups = next(group for group in realm["groups"] if group["name"] == "schools")["subGroups"]
    in_realm = {
        (g["attributes"]["school_code"][0], g["attributes"]["name_zh"][0], g["attributes"]["area"][0]) for g in groups
    }
    assert in_realm == {(code, name, str(area)) for code, name, _, area, _ in SCHOOLS}


def test_realm_roles_are_the_platform_roles():
    import json
    from pathlib import Path

    realm = json.loads((Path(__file__).resolve().parents[2] / "scripts/keycloak/youke-realm.json").read_text())
    assert {role["name"] for role in realm["roles"]["realm"]} >= set(ROLE_GROUPS)
