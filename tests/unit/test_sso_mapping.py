"""From Keycloak claims to a site account: pure mapping rules, then what upsert_user writes."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from resources.models import School
from sso.mapping import (
    Identity,
    IdentityConflict,
    adoption_refusal,
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
    "email_verified": True,
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
    assert not identity_from_claims({"sub": "abc", "email": "a@b.cn", "email_verified": "true"}).email_verified


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
    assert identity.email_verified is False
    assert identity_from_admin({**user, "email": "t@x.cn", "emailVerified": True}, [], []).email_verified


@pytest.mark.django_db
def test_first_login_creates_the_account(sso_demo_site):
    get_user_model().objects.filter(username="teacher1").delete()
    user = upsert_user(identity_from_claims(CLAIMS))
    assert user.username == "teacher1" and user.get_full_name() == "王芳"
    assert set(user.groups.values_list("name", flat=True)) == {"教师"}
    assert user.sso_profile.school == School.objects.get(code="CGYX")
    assert user.sso_profile.subjects == ["数学"]
    assert not user.has_usable_password()


@pytest.mark.django_db
def test_local_account_with_the_verified_email_is_adopted_and_loses_its_password(sso_demo_site):
    """A district's own account, same name and the address Keycloak verified: its lessons stay with it."""
    local = get_user_model().objects.get(username="teacher1")
    assert local.has_usable_password() and local.email == CLAIMS["email"]
    user = upsert_user(identity_from_claims({**CLAIMS, "email": "Teacher1@YOUKE.example.com"}))
    assert user.pk == local.pk
    assert not user.has_usable_password()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "claims",
    [
        {"email": "someone.else@youke.example.com"},
        {"email_verified": False},
        {"email": None, "email_verified": None},
    ],
    ids=["other-email", "email-not-verified", "no-email"],
)
def test_same_name_is_no_proof_local_account_is_not_taken_over(sso_demo_site, claims, caplog):
    """A Keycloak user who merely has the same name does not get the local account, its password or lessons."""
    local = get_user_model().objects.get(username="teacher1")
    with pytest.raises(IdentityConflict), caplog.at_level("WARNING", logger="sso"):
        upsert_user(identity_from_claims({**CLAIMS, **claims}))
    local.refresh_from_db()
    assert local.has_usable_password()
    assert not SsoProfile.objects.filter(user=local).exists()
    assert not SsoProfile.objects.filter(sub=CLAIMS["sub"]).exists()
    assert "account conflict: teacher1" in caplog.text


@pytest.mark.django_db
def test_local_account_without_a_password_is_adopted(sso_demo_site):
    """Made without a password (an administrator preparing it for a Keycloak user): nobody else could use it."""
    local = get_user_model().objects.get(username="teacher1")
    local.email = ""
    local.set_unusable_password()
    local.save()
    assert upsert_user(identity_from_claims({**CLAIMS, "email_verified": False})).pk == local.pk


@pytest.mark.django_db
def test_a_profile_made_on_the_embedded_default_is_taken_over_by_the_identity(sso_demo_site):
    """Demo accounts get a "local:" profile for their school; the adopting identity replaces it, not duplicates."""
    local = get_user_model().objects.get(username="teacher1")
    qszx = School.objects.get(code="QSZX")
    SsoProfile.objects.create(user=local, sub=SsoProfile.LOCAL_PREFIX + "teacher1", school=qszx)
    user = upsert_user(identity_from_claims(CLAIMS))
    assert user.pk == local.pk
    profile = SsoProfile.objects.get(user=local)
    assert profile.sub == CLAIMS["sub"] and profile.school.code == "CGYX", "the directory's school wins"


def test_adoption_rules_in_short(settings):
    """The rules alone, on unsaved accounts (no profile can exist for them)."""
    from django.contrib.auth.models import User

    settings.SSO_BREAK_GLASS_USERNAMES = ["root"]
    with_password = User(username="t", email="t@x.cn", password="md5$salt$hash")  # a fake hash
    without = User(username="t", email="")
    without.set_unusable_password()
    verified = Identity(sub="s", username="t", email="T@X.cn ", email_verified=True)

    assert adoption_refusal(with_password, verified) == ""
    assert adoption_refusal(with_password, Identity(sub="s", username="t", email="t@x.cn")) != ""
    assert adoption_refusal(with_password, Identity(sub="s", username="t", email="", email_verified=True)) != ""
    assert adoption_refusal(User(username="t", email="", password="md5$s$h"), verified) != "", "no address"
    assert adoption_refusal(without, Identity(sub="s", username="t")) == ""
    assert "break-glass" in adoption_refusal(User(username="root", email="t@x.cn"), verified)


@pytest.mark.django_db
def test_roles_follow_keycloak_and_other_groups_stay(sso_demo_site):
    user = upsert_user(identity_from_claims({**CLAIMS, "roles": ["teacher", "school_reviewer"]}))
    local_group = Group.objects.create(name="语文教研组")
    user.groups.add(local_group)
    user = upsert_user(identity_from_claims({**CLAIMS, "roles": ["teacher"]}))
    assert set(user.groups.values_list("name", flat=True)) == {"教师", "语文教研组"}
    user = upsert_user(identity_from_claims({key: value for key, value in CLAIMS.items() if key != "roles"}))
    assert set(user.groups.values_list("name", flat=True)) == {"语文教研组"}, "no roles claim: no roles"


@pytest.mark.django_db
def test_district_admin_role_is_superuser_and_only_that(sso_demo_site):
    user = upsert_user(identity_from_claims({**CLAIMS, "roles": ["district_admin"]}))
    assert user.is_superuser and user.is_staff
    user = upsert_user(identity_from_claims(CLAIMS))
    assert not user.is_superuser and not user.is_staff


@pytest.mark.django_db
def test_school_taken_away_in_keycloak_is_taken_away_here(sso_demo_site):
    upsert_user(identity_from_claims(CLAIMS))
    user = upsert_user(identity_from_claims({**CLAIMS, "school_code": None, "groups": []}))
    assert user.sso_profile.school is None


@pytest.mark.django_db
def test_username_renamed_in_keycloak_follows_the_id(sso_demo_site):
    upsert_user(identity_from_claims(CLAIMS))
    user = upsert_user(identity_from_claims({**CLAIMS, "preferred_username": "wangfang"}))
    assert user.username == "wangfang"
    assert SsoProfile.objects.get(sub=CLAIMS["sub"]).user == user


@pytest.mark.django_db
def test_break_glass_account_cannot_be_taken_over(sso_demo_site, settings):
    settings.SSO_BREAK_GLASS_USERNAMES = ["district_admin1"]
    with pytest.raises(IdentityConflict):
        upsert_user(identity_from_claims({**CLAIMS, "sub": "other", "preferred_username": "district_admin1"}))
    assert get_user_model().objects.get(username="district_admin1").has_usable_password()


@pytest.mark.django_db
def test_account_linked_to_one_identity_is_not_linked_to_another(sso_demo_site):
    upsert_user(identity_from_claims(CLAIMS))
    with pytest.raises(IdentityConflict):
        upsert_user(identity_from_claims({**CLAIMS, "sub": "someone-else"}))
