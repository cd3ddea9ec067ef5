"""Signing in through the real Keycloak: the code flow, its checks, and what a login maps onto."""

import logging
import time

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from sso import keycloak as kc
from sso.models import SsoProfile, SsoSession
from sso.oidc import PENDING_KEY
from sso.sessions import SESSION_KEY
from sso.testing import authorize, callback_of, keycloak_browser, sign_in

pytestmark = [pytest.mark.service("keycloak"), pytest.mark.django_db]


@pytest.fixture
def site():
    """A test client calling the site as 127.0.0.1, the only host the realm redirects back to."""
    kc.jwks_cache.clear()
    return Client(HTTP_HOST="127.0.0.1")


def groups_of(username):
    return set(get_user_model().objects.get(username=username).groups.values_list("name", flat=True))


def start_login(site, next_url="/admin/"):
    """Begin a login and have Keycloak's form answer it; return (callback path, params)."""
    start = site.get("/sso/login/", {"next": next_url})
    assert start.status_code == 302
    return callback_of(authorize(keycloak_browser(), start["Location"], "teacher1"))


def test_login_creates_the_user_from_keycloak(site, sso_demo_site):
    """Name (family name first), e-mail, role group, school and subjects come from Keycloak's claims."""
    response = sign_in(site, "teacher1", next_url="/admin/")
    assert response.status_code == 302
    assert response["Location"] == "/admin/"

    user = get_user_model().objects.select_related("sso_profile__school").get(username="teacher1")
    assert user.get_full_name() == "王芳"
    assert user.email == "teacher1@youke.example.com"
    assert groups_of("teacher1") == {"教师"}
    assert not user.is_staff and not user.is_superuser
    assert user.sso_profile.school.code == "CGYX"
    assert user.sso_profile.school.area == "urban"
    assert user.sso_profile.subjects == ["数学"]
    assert not user.has_usable_password(), "an account Keycloak manages keeps no local password"

    session = site.session[SESSION_KEY]
    assert session["id_token"] and session["refresh_token"]
    assert session["access_expires_at"] > time.time()
    assert SsoSession.objects.get(session_key=site.session.session_key).sid == session["sid"]


def test_one_login_for_the_site_and_the_admin(site, sso_demo_site):
    sign_in(site, "teacher1", next_url="/")
    assert site.get("/admin/").status_code == 200
    assert "王芳" in site.get("/").content.decode()


def test_admin_sends_anonymous_people_to_single_sign_on(site):
    response = site.get("/admin/pages/")
    assert response.status_code == 302
    assert response["Location"].startswith("/sso/login/?next=/admin/pages/")
    login = site.get("/admin/login/", {"next": "/admin/pages/"})
    assert login["Location"] == "/sso/login/?next=/admin/pages/"


def test_authorization_request_uses_pkce_state_and_nonce(site):
    start = site.get("/sso/login/", {"next": "/admin/"})
    location = start["Location"]
    assert location.startswith(kc.issuer() + "/protocol/openid-connect/auth?")
    assert "code_challenge_method=S256" in location
    ((state, entry),) = site.session[PENDING_KEY].items()
    assert f"state={state}" in location and f"nonce={entry['nonce']}" in location
    assert entry["verifier"] not in location, "the PKCE verifier never leaves the server"


def test_replayed_state_is_refused(site, sso_demo_site):
    """The callback URL works once; again, or in another browser, it signs nobody in."""
    path, params = start_login(site)
    assert site.get(path, params).status_code == 302
    site.logout()
    replay = site.get(path, params)
    assert replay.status_code == 400
    assert "登录请求已失效" in replay.content.decode()

    other_browser = Client(HTTP_HOST="127.0.0.1")
    assert other_browser.get(path, params).status_code == 400
    assert "_auth_user_id" not in other_browser.session


def test_id_token_with_another_logins_nonce_is_refused(site, sso_demo_site, caplog):
    """The ID token must carry the nonce of the very login request being completed."""
    path, params = start_login(site)
    session = site.session
    session[PENDING_KEY][params["state"]]["nonce"] = "nonce-of-an-earlier-login"
    session.save()
    with caplog.at_level(logging.WARNING, logger="sso"):
        response = site.get(path, params)
    assert response.status_code == 400
    assert "nonce" in caplog.text
    assert "_auth_user_id" not in site.session


def test_code_without_its_pkce_verifier_is_refused(site, sso_demo_site):
    path, params = start_login(site)
    session = site.session
    session[PENDING_KEY][params["state"]]["verifier"] = "x" * 64
    session.save()
    assert site.get(path, params).status_code == 400
    assert "_auth_user_id" not in site.session


def test_answer_from_another_issuer_is_refused(site, sso_demo_site):
    path, params = start_login(site)
    params["iss"] = "http://127.0.0.1:9999/realms/youke"
    assert site.get(path, params).status_code == 400
    assert "_auth_user_id" not in site.session


@pytest.mark.parametrize(
    "next_url", ["https://evil.example/admin/", "//evil.example/", "/\\evil.example", "http://127.0.0.1.evil.example/"]
)
def test_next_to_another_host_is_not_followed(site, sso_demo_site, next_url):
    response = sign_in(site, "teacher1", next_url=next_url)
    assert response.status_code == 302
    assert response["Location"] == "/"


def test_tokens_of_another_client_are_refused(site, sso_demo_site, caplog):
    """Tokens Keycloak issued to another application cannot sign anyone in here."""
    from django.contrib.auth import authenticate

    from sso.testing import DEMO_PASSWORD

    other = kc.openid_client().__class__(
        server_url=kc.config()["SERVER_URL"],
        realm_name=kc.config()["REALM"],
        client_id="other-app",
        client_secret_key="other-app-test-secret-not-for-production",
    )
    tokens = other.token(username="teacher1", password=DEMO_PASSWORD, scope="openid")
    with caplog.at_level(logging.WARNING, logger="sso"):
        assert authenticate(None, keycloak_tokens=tokens, nonce="any") is None
    assert "another client" in caplog.text


def test_tampered_id_token_is_refused(site, sso_demo_site):
    from django.contrib.auth import authenticate

    from sso.testing import DEMO_PASSWORD

    tokens = kc.openid_client().token(username="teacher1", password=DEMO_PASSWORD, scope="openid")
    header, payload, signature = tokens["id_token"].split(".")
    tokens["id_token"] = f"{header}.{payload[:-4]}AAAA.{signature}"
    assert authenticate(None, keycloak_tokens=tokens, nonce="any") is None


def test_disabled_user_cannot_sign_in(site):
    """Keycloak's form refuses a disabled account: no code ever comes back to the site."""
    start = site.get("/sso/login/", {"next": "/admin/"})
    answer = authorize(keycloak_browser(), start["Location"], "disabled_user")
    assert answer.status_code == 200
    assert "/sso/callback/" not in answer.headers.get("Location", "")
    assert not get_user_model().objects.filter(username="disabled_user").exists()


def test_signed_in_user_is_not_sent_round_again(site, sso_demo_site):
    """A signed-in user on the login page gets a page, not another trip to Keycloak (no loop)."""
    sign_in(site, "teacher1")
    page = site.get("/sso/login/", {"next": "/admin/users/"})
    assert page.status_code == 200
    assert "您已登录为 王芳" in page.content.decode()


def test_same_named_local_account_with_its_own_password_is_not_taken_over(site, sso_demo_site, caplog):
    """The local teacher1 has another address than the one Keycloak verified: refused, and told whom to ask."""
    local = get_user_model().objects.get(username="teacher1")
    local.email = "wang.fang@old-school.cn"
    local.save()
    with caplog.at_level(logging.WARNING, logger="sso"):
        response = sign_in(site, "teacher1")
    assert response.status_code == 403
    assert "账号冲突，请联系管理员" in response.content.decode()
    assert "_auth_user_id" not in site.session
    local.refresh_from_db()
    assert local.has_usable_password(), "the local account keeps its password"
    assert not SsoProfile.objects.filter(user=local).exists()
    assert "account conflict: teacher1" in caplog.text


def test_login_works_with_keycloak_called_by_an_internal_address(site, sso_demo_site, settings):
    """Server-side calls go to KEYCLOAK_INTERNAL_URL ("localhost" plays the compose service name here)."""
    settings.KEYCLOAK_INTERNAL_URL = kc.config()["SERVER_URL"].replace("127.0.0.1", "localhost")
    start = site.get("/sso/login/", {"next": "/admin/"})
    assert start["Location"].startswith(kc.issuer() + "/"), "browsers are still sent to the public URL"
    assert sign_in(site, "teacher1").status_code == 302
    assert site.get("/admin/").status_code == 200
    assert kc.openid_client().connection.base_url.startswith("http://localhost:")


def test_login_needs_the_internal_address_when_one_is_set(site, settings):
    settings.KEYCLOAK_INTERNAL_URL = "http://127.0.0.1:1/"
    response = site.get("/sso/login/", {"next": "/admin/"})
    assert response.status_code == 503, "the public URL is not called from the server"
