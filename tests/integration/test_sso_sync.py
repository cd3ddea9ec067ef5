"""`sync_keycloak` pulls schools, users and roles from the real Keycloak (service account youke-sync)."""

import os
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from resources.models import School
from sso import keycloak as kc
from sso.models import SsoProfile, SsoSession
from sso.sync import sync
from sso.tasks import sync_keycloak
from sso.testing import realm_file_client_secret, sign_in

pytestmark = [pytest.mark.service("keycloak"), pytest.mark.django_db]


@pytest.fixture(autouse=True)
def sync_client(settings):
    """The sync client's secret from the environment, else the realm export's test secret."""
    secret = os.environ.get("KEYCLOAK_SYNC_CLIENT_SECRET") or realm_file_client_secret("youke-sync")
    settings.KEYCLOAK = {**settings.KEYCLOAK, "SYNC_CLIENT_SECRET": secret}


def user(username):
    return get_user_model().objects.select_related("sso_profile__school").get(username=username)


def groups_of(username):
    return set(user(username).groups.values_list("name", flat=True))


def test_reviewers_exist_before_their_first_login():
    """An empty site learns every enabled Keycloak user, with roles, school and subjects."""
    report = sync()
    assert report.users >= 6, "every enabled user of the realm"
    assert groups_of("district_reviewer1") == {"区级审核员"}
    assert groups_of("school_reviewer1") == {"教师", "校级审核员"}
    reviewer = user("school_reviewer1")
    assert reviewer.sso_profile.school.code == "CGYX"
    assert reviewer.sso_profile.subjects == ["英语"]
    assert reviewer.get_full_name() == "张敏"
    assert user("district_admin1").is_superuser
    assert user("trainer1").sso_profile.school is None
    assert not reviewer.has_usable_password()


def test_schools_come_from_the_realms_school_groups():
    report = sync()
    assert report.schools == 5
    school = School.objects.get(code="QSZX")
    assert (school.name, school.town, school.area, school.stage) == ("青山乡中心小学", "青山乡", "rural", "primary")
    assert user("teacher2").sso_profile.school == school


def test_a_disabled_user_gets_no_account():
    sync()
    assert not get_user_model().objects.filter(username="disabled_user").exists()


def test_user_disabled_in_keycloak_is_deactivated_and_signed_out(sso_demo_site, realm):
    client = Client(HTTP_HOST="127.0.0.1")
    kc.jwks_cache.clear()
    sign_in(client, "teacher2")
    assert client.get("/admin/").status_code == 200
    realm.disable("teacher2")
    report = sync()
    assert not user("teacher2").is_active
    assert report.deactivated == 1 and report.sessions_ended == 1
    assert client.get("/admin/").status_code == 302, "the open session ended with the account"
    assert not SsoSession.objects.exists()


def test_user_deleted_from_keycloak_is_deactivated():
    sync()
    ghost = get_user_model().objects.create(username="left-the-district")
    SsoProfile.objects.create(user=ghost, sub="00000000-0000-0000-0000-000000000000")
    sync()
    ghost.refresh_from_db()
    assert not ghost.is_active
    assert user("teacher1").is_active


def test_role_removed_in_keycloak_is_gone_after_sync(realm):
    sync()
    realm.remove_role("school_reviewer1", "school_reviewer")
    sync()
    assert groups_of("school_reviewer1") == {"教师"}


def test_sync_twice_changes_nothing():
    sync()
    before = sorted(get_user_model().objects.values_list("username", "is_active", "first_name", "email"))
    profiles = SsoProfile.objects.count()
    sync()
    assert sorted(get_user_model().objects.values_list("username", "is_active", "first_name", "email")) == before
    assert SsoProfile.objects.count() == profiles


def test_command_and_periodic_task():
    out = StringIO()
    call_command("sync_keycloak", stdout=out)
    assert "同步完成" in out.getvalue()
    assert sync_keycloak.apply().get()["users"] >= 6
    schedule = django_settings.CELERY_BEAT_SCHEDULE["sso-sync-keycloak"]
    assert schedule["task"] == sync_keycloak.name


def test_same_named_local_account_is_reported_not_linked(sso_demo_site):
    """A local teacher2 with its own password and another address: sync leaves it alone and says so."""
    local = get_user_model().objects.get(username="teacher2")
    local.email = "li.qiang@old-school.cn"
    local.save()
    out = StringIO()
    call_command("sync_keycloak", stdout=out)
    assert "账号冲突" in out.getvalue() and "teacher2" in out.getvalue()
    local.refresh_from_db()
    assert local.has_usable_password()
    assert not SsoProfile.objects.filter(user=local).exists()
    assert SsoProfile.objects.filter(user__username="teacher1").exists(), "the others are linked"
    assert sync().conflicts == ["teacher2"]
