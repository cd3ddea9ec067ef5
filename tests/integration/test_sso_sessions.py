"""Signed-in sessions follow Keycloak: refreshed tokens, removed roles, disabled users, and outages."""

import socket
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from sso import keycloak as kc
from sso.sessions import RETRY_SECONDS, SESSION_KEY, logout_hint
from tests.clients import signed_in_through_keycloak

pytestmark = [pytest.mark.service("keycloak"), pytest.mark.django_db]


def expire_access_token(client):
    session = client.session
    session[SESSION_KEY] = {**session[SESSION_KEY], "access_expires_at": 0, "retry_at": 0}
    session.save()


def groups_of(username):
    return set(get_user_model().objects.get(username=username).groups.values_list("name", flat=True))


def is_signed_in(client):
    return client.get("/admin/").status_code == 200


def test_expired_access_token_is_refreshed(sso_demo_site):
    client = signed_in_through_keycloak("teacher1")
    before = client.session[SESSION_KEY]
    expire_access_token(client)
    assert is_signed_in(client)
    after = client.session[SESSION_KEY]
    assert after["access_expires_at"] > time.time()
    assert after["refresh_token"] != before["refresh_token"]
    assert after["id_token"] != before["id_token"], "the refreshed ID token is the next logout hint"
    assert kc.validate_token(after["id_token"], token_type="ID")["sid"] == before["sid"]  # a JWT typ


def test_refreshed_id_token_is_checked_before_it_becomes_the_logout_hint(sso_demo_site):
    """Signature, type, user and session: anything else keeps the login's ID token as the hint."""
    from sso.testing import DEMO_PASSWORD

    data = signed_in_through_keycloak("teacher1").session[SESSION_KEY]
    tokens = kc.openid_client().refresh_token(data["refresh_token"])
    assert logout_hint(tokens, data) == tokens["id_token"], "a good one is taken"
    header, payload, signature = tokens["id_token"].split(".")
    assert logout_hint({**tokens, "id_token": f"{header}.{payload[:-4]}AAAA.{signature}"}, data) == data["id_token"]
    assert logout_hint({**tokens, "id_token": tokens["access_token"]}, data) == data["id_token"], "not an ID token"
    other = kc.openid_client().token(username="teacher2", password=DEMO_PASSWORD, scope="openid")
    assert logout_hint(other, data) == data["id_token"], "another user's"
    own_other_session = kc.openid_client().token(username="teacher1", password=DEMO_PASSWORD, scope="openid")
    assert logout_hint(own_other_session, data) == data["id_token"], "another session's"
    assert logout_hint({"id_token": ""}, data) == data["id_token"]


def test_role_removed_in_keycloak_is_gone_after_the_next_login(sso_demo_site, realm):
    signed_in_through_keycloak("school_reviewer1")
    assert groups_of("school_reviewer1") == {"教师", "校级审核员"}
    realm.remove_role("school_reviewer1", "school_reviewer")
    signed_in_through_keycloak("school_reviewer1")
    assert groups_of("school_reviewer1") == {"教师"}


def test_role_removed_in_keycloak_is_gone_after_the_next_refresh(sso_demo_site, realm):
    client = signed_in_through_keycloak("school_reviewer1")
    realm.remove_role("school_reviewer1", "school_reviewer")
    expire_access_token(client)
    assert is_signed_in(client)
    assert groups_of("school_reviewer1") == {"教师"}


def test_district_admin_role_removed_takes_superuser_away(sso_demo_site, realm):
    signed_in_through_keycloak("district_admin1")
    assert get_user_model().objects.get(username="district_admin1").is_superuser
    realm.remove_role("district_admin1", "district_admin")
    signed_in_through_keycloak("district_admin1")
    user = get_user_model().objects.get(username="district_admin1")
    assert not user.is_superuser and not user.is_staff
    assert groups_of("district_admin1") == set()


def test_user_disabled_in_keycloak_loses_the_site_at_the_next_refresh(sso_demo_site, realm):
    client = signed_in_through_keycloak("teacher2")
    realm.disable("teacher2")
    expire_access_token(client)
    response = client.get("/admin/")
    assert response.status_code == 302, "Keycloak refused the refresh: the site session ended"
    assert response["Location"].startswith("/sso/login/")
    assert "_auth_user_id" not in client.session


def test_session_ended_in_keycloak_ends_at_the_next_refresh(sso_demo_site, realm):
    client = signed_in_through_keycloak("teacher1")
    realm.admin.user_logout(realm.user_id("teacher1"))
    expire_access_token(client)
    assert not is_signed_in(client)


def test_unreachable_keycloak_keeps_signed_in_users_working(sso_demo_site, settings):
    client = signed_in_through_keycloak("teacher1")
    settings.KEYCLOAK = {**settings.KEYCLOAK, "SERVER_URL": "http://127.0.0.1:1/"}
    expire_access_token(client)
    assert is_signed_in(client)
    assert client.session[SESSION_KEY]["retry_at"] > time.time() + RETRY_SECONDS - 5, "no retry on every page"


def test_hung_keycloak_costs_one_bounded_wait_then_none(sso_demo_site, settings):
    """A Keycloak that accepts connections but never answers: one page waits for the timeout, the next does not."""
    client = signed_in_through_keycloak("teacher1")
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        settings.KEYCLOAK = {**settings.KEYCLOAK, "SERVER_URL": f"http://127.0.0.1:{port}/", "TIMEOUT": 1}
        expire_access_token(client)
        started = time.monotonic()
        assert is_signed_in(client)
        first = time.monotonic() - started
        started = time.monotonic()
        assert is_signed_in(client)
        second = time.monotonic() - started
    # python-keycloak retries once: at most two timeouts, plus the page itself.
    assert first < 4, first
    assert second < 1, second


def test_login_page_says_so_when_keycloak_is_unreachable(settings):
    settings.KEYCLOAK = {**settings.KEYCLOAK, "SERVER_URL": "http://127.0.0.1:1/"}
    response = Client(HTTP_HOST="127.0.0.1").get("/sso/login/", {"next": "/admin/"})
    assert response.status_code == 503
    assert "统一身份认证服务暂时无法访问，请稍后再试" in response.content.decode()
