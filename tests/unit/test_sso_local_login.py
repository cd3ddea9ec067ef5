"""Local passwords: the embedded default's login, switched off by Keycloak except for break-glass.

No Keycloak is needed here: where one is configured it points at a closed
port, which is also how the "Keycloak is down" pages are checked.
"""

import pytest
from django.contrib.auth import authenticate
from django.test import Client

pytestmark = pytest.mark.django_db

DOWN = {
    "SERVER_URL": "http://127.0.0.1:1/",
    "REALM": "youke",
    "CLIENT_ID": "youke-web",
    "CLIENT_SECRET": "youke-web-test-secret-not-for-production",
    "JWKS_TTL": 3600,
    "TIMEOUT": 2,
    "VERIFY_TLS": True,
    "SYNC_CLIENT_ID": "youke-sync",
    "SYNC_CLIENT_SECRET": "",
    "SESSION_MAX_AGE": 36000,
}


@pytest.fixture
def embedded(settings):
    settings.KEYCLOAK = None


@pytest.fixture
def keycloak_down(settings):
    settings.KEYCLOAK = DOWN


def test_embedded_default_signs_in_on_the_site_and_returns_to_the_page(demo_site, embedded):
    assert authenticate(None, username="teacher1", password="youke-demo").username == "teacher1"
    client = Client()
    form = client.get("/sso/login/", {"next": "/curriculum/"})
    assert form.status_code == 200
    text = form.content.decode()
    assert "登录优课" in text and "密码" in text and "Wagtail" not in text and "Password" not in text
    wrong = client.post("/sso/login/", {"username": "teacher1", "password": "nope", "next": "/curriculum/"})
    assert "用户名或密码不正确" in wrong.content.decode()
    response = client.post("/sso/login/", {"username": "teacher1", "password": "youke-demo", "next": "/curriculum/"})
    assert response["Location"] == "/curriculum/"
    assert client.get("/curriculum/").wsgi_request.user.username == "teacher1"


def test_embedded_default_signs_out_on_the_site(demo_site, embedded):
    client = Client()
    client.post("/sso/login/", {"username": "teacher1", "password": "youke-demo"})
    assert client.get("/sso/logout/").status_code == 200, "a GET only asks"
    response = client.post("/sso/logout/")
    assert response["Location"] == "/sso/logged-out/"
    assert not client.get("/").wsgi_request.user.is_authenticated


def test_an_offsite_next_is_not_followed(demo_site, embedded):
    client = Client()
    response = client.post(
        "/sso/login/", {"username": "teacher1", "password": "youke-demo", "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


def test_embedded_default_admin_redirect_reaches_the_site_password_form(demo_site, embedded):
    client = Client()
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == "/sso/login/?next=/admin/"
    assert 'name="password"' in response.content.decode()
    signed_in = client.post("/sso/login/", {"username": "teacher1", "password": "youke-demo", "next": "/admin/"})
    assert signed_in["Location"] == "/admin/"
    # The admin's own password form stays for break-glass use.
    response = client.post("/admin/login/", {"username": "teacher1", "password": "youke-demo", "next": "/admin/"})
    assert response["Location"] == "/admin/"


def test_with_keycloak_local_passwords_sign_nobody_in(demo_site, keycloak_down):
    assert authenticate(None, username="teacher1", password="youke-demo") is None
    response = Client().post("/admin/login/", {"username": "teacher1", "password": "youke-demo"})
    assert response.status_code == 200
    assert "请使用统一身份认证登录" in response.content.decode()
    assert "_auth_user_id" not in response.wsgi_request.session


def test_break_glass_superuser_may_sign_in_locally(demo_site, keycloak_down, settings):
    settings.SSO_BREAK_GLASS_USERNAMES = ["district_admin1", "teacher1"]
    assert authenticate(None, username="district_admin1", password="youke-demo").username == "district_admin1"
    assert authenticate(None, username="teacher1", password="youke-demo") is None, "only superusers"
    assert authenticate(None, username="district_admin1", password="wrong") is None
    client = Client()
    response = client.post("/admin/login/", {"username": "district_admin1", "password": "youke-demo"})
    assert response["Location"] == "/admin/"


def test_with_keycloak_the_admin_login_hands_over_unless_asked_for_the_local_form(keycloak_down):
    client = Client()
    assert client.get("/admin/login/")["Location"] == "/sso/login/?next=/admin/"
    local = client.get("/admin/login/", {"local": "1"})
    assert local.status_code == 200
    assert "仅供系统管理员" in local.content.decode()


def test_login_page_when_keycloak_is_unreachable_is_a_clear_503(keycloak_down):
    response = Client().get("/sso/login/", {"next": "/admin/"})
    assert response.status_code == 503
    body = response.content.decode()
    assert "统一身份认证服务暂时无法访问，请稍后再试" in body
    assert '<html lang="zh-hans">' in body
    assert 'href="/sso/login/?next=%2Fadmin%2F"' in body, "trying again later comes back to the same page"


def test_callback_when_keycloak_is_unreachable_is_a_clear_503(keycloak_down):
    client = Client()
    session = client.session
    session["sso_pending"] = {
        "the-state": {"nonce": "n", "verifier": "v" * 64, "redirect_uri": "http://testserver/sso/callback/",
                      "next": "/admin/", "at": __import__("time").time()}
    }  # fmt: skip
    session.save()
    response = client.get("/sso/callback/", {"state": "the-state", "code": "a-code"})
    assert response.status_code == 503
    assert "统一身份认证服务暂时无法访问" in response.content.decode()
    assert 'href="/sso/login/?next=%2Fadmin%2F"' in response.content.decode()


def test_unknown_state_is_a_400_page(keycloak_down):
    response = Client().get("/sso/callback/", {"state": "forged", "code": "a-code"})
    assert response.status_code == 400
    assert "请重新登录" in response.content.decode()


def test_sso_endpoints_do_not_exist_without_keycloak(embedded):
    assert Client().get("/sso/callback/", {"state": "s", "code": "c"}).status_code == 404
    assert Client().post("/sso/backchannel-logout", {"logout_token": "x"}).status_code == 404


def test_backchannel_logout_without_a_token_is_refused(keycloak_down):
    assert Client().post("/sso/backchannel-logout", {}).status_code == 400
    assert Client().get("/sso/backchannel-logout").status_code == 405
