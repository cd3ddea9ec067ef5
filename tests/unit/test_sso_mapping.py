"""From Keycloak claims to a site account: pure mapping rules, then what upsert_user writes."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from resources.models import School
from sso.mapping import (
    Identity,
    IdentityConflict,
    display_name,
    identity_from_admin,
    identity_from_claims,
    known_roles,
    school_code_from,
    upsert_user,
)
from sso.models import SsoProfile

CLAIMS = {
    "sub": "3552da48-8b9d-42f8-a560-262d9551a075",
    "preferred_username": "teacher1",
    "email": "teacher1@youke.example.com",
    "given_name": "芳",
    "family_name": "王",
    "roles": ["teacher", "offline_access", "default-roles-youke", "uma_authorization"],
    "groups": ["/schools/CGYX"],
    "school_code": "CGYX",
    "subjects": ["数学"],
}


def test_only_platform_roles_are_kept():
    assert known_roles(["teacher", "default-roles-youke", "offline_access", "admin"]) == {"teacher"}
    assert known_roles(None) == frozenset()


def test_chinese_names_read_family_name_first():
    assert display_name("芳", "王") == ("王芳", "")
    assert display_name("Ada", "Lovelace") == ("Ada", "Lovelace")
    assert display_name("", "") == ("", "")


def test_school_from_attribute_then_from_school_group():
    assert school_code_from(["QSZX"], ["/schools/CGYX"]) == "QSZX"
    assert school_code_from(None, ["/staff", "/schools/HXZX"]) == "HXZX"
    assert school_code_from(None, ["/schools/g-17"], {"/schools/g-17": "QSCZ"}) == "QSCZ"
    assert school_code_from(None, ["/staff"]) == ""


def test_missing_claims_mean_nothing():
    identity = identity_from_claims({"sub": "abc"})
    assert identity == Identity(sub="abc", username="abc")


def test_roles_fall_back_to_realm_access():
    """A realm without the "roles" mapper still lists realm roles under realm_access."""
    claims = {"sub": "abc", "realm_access": {"roles": ["trainer", "offline_access"]}}
    assert identity_from_claims(claims).roles == {"trainer"}


def test_identity_from_the_admin_api():
    user = {"id": "u1", "username": "t", "firstName": "强", "lastName": "李", "enabled": False,
            "attributes": {"subjects": ["语文", "道德与法治"]}}  # fmt: skip
    identity = identity_from_admin(user, ["teacher", "default-roles-youke"], ["/schools/QSZX"])
    assert identity.roles == {"teacher"}
    assert identity.school_code == "QSZX"
    assert identity.subjects == ("语文", "道德与法治")
    assert identity.enabled is False


@pytest.mark.django_db
def test_first_login_creates_the_account(demo_site):
    get_user_model().objects.filter(username="teacher1").delete()
    user = upsert_user(identity_from_claims(CLAIMS))
    assert user.username == "teacher1" and user.get_full_name() == "王芳"
    assert set(user.groups.values_list("name", flat=True)) == {"教师"}
    assert user.sso_profile.school == School.objects.get(code="CGYX")
    assert user.sso_profile.subjects == ["数学"]
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_existing_local_account_is_linked_and_loses_its_password(demo_site):
    local = get_user_model().objects.get(username="teacher1")
    assert local.has_usable_password()
    user = upsert_user(identity_from_claims(CLAIMS))
    assert user.pk == local.pk
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_roles_follow_keycloak_and_other_groups_stay(demo_site):
    user = upsert_user(identity_from_claims({**CLAIMS, "roles": ["teacher", "school_reviewer"]}))
    local_group = Group.objects.create(name="语文教研组")
    user.groups.add(local_group)
    user = upsert_user(identity_from_claims({**CLAIMS, "roles": ["teacher"]}))
    assert set(user.groups.values_list("name", flat=True)) == {"教师", "语文教研组"}
    user = upsert_user(identity_from_claims({key: value for key, value in CLAIMS.items() if key != "roles"}))
    assert set(user.groups.values_list("name", flat=True)) == {"语文教研组"}, "no roles claim: no roles"


@pytest.mark.django_db
def test_district_admin_role_is_superuser_and_only_that(demo_site):
    user = upsert_user(identity_from_claims({**CLAIMS, "roles": ["district_admin"]}))
    assert user.is_superuser and user.is_staff
    user = upsert_user(identity_from_claims(CLAIMS))
    assert not user.is_superuser and not user.is_staff


@pytest.mark.django_db
def test_school_taken_away_in_keycloak_is_taken_away_here(demo_site):
    upsert_user(identity_from_claims(CLAIMS))
    user = upsert_user(identity_from_claims({**CLAIMS, "school_code": None, "groups": []}))
    assert user.sso_profile.school is None


@pytest.mark.django_db
def test_username_renamed_in_keycloak_follows_the_id(demo_site):
    upsert_user(identity_from_claims(CLAIMS))
    user = upsert_user(identity_from_claims({**CLAIMS, "preferred_username": "wangfang"}))
    assert user.username == "wangfang"
    assert SsoProfile.objects.get(sub=CLAIMS["sub"]).user == user


@pytest.mark.django_db
def test_break_glass_account_cannot_be_taken_over(demo_site, settings):
    settings.SSO_BREAK_GLASS_USERNAMES = ["district_admin1"]
    with pytest.raises(IdentityConflict):
        upsert_user(identity_from_claims({**CLAIMS, "sub": "other", "preferred_username": "district_admin1"}))
    assert get_user_model().objects.get(username="district_admin1").has_usable_password()


@pytest.mark.django_db
def test_account_linked_to_one_identity_is_not_linked_to_another(demo_site):
    upsert_user(identity_from_claims(CLAIMS))
    with pytest.raises(IdentityConflict):
        upsert_user(identity_from_claims({**CLAIMS, "sub": "someone-else"}))
