"""Single logout: signing out here ends the Keycloak session, and Keycloak ending it signs out here."""

import json
import time
import uuid
from urllib.parse import parse_qs, urlsplit

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from jwcrypto import jwk, jwt

from sso import keycloak as kc
from sso.models import SsoSession
from sso.sessions import SESSION_KEY
from sso.testing import keycloak_browser
from tests.clients import signed_in_through_keycloak

pytestmark = pytest.mark.service("keycloak")


def keycloak_session_ids(realm, username):
    return {session["id"] for session in realm.admin.get_sessions(realm.user_id(username))}


@pytest.mark.django_db
@pytest.mark.parametrize("logout_url", ["/sso/logout/", "/admin/logout/"])
def test_signing_out_ends_the_keycloak_session_too(sso_demo_site, realm, logout_url):
    """RP-initiated logout: the site's session ends, then Keycloak's, with the ID token as the hint."""
    browser = keycloak_browser()
    client = signed_in_through_keycloak("teacher1", browser)
    hint, sid = client.session[SESSION_KEY]["id_token"], client.session[SESSION_KEY]["sid"]
    assert sid in keycloak_session_ids(realm, "teacher1")

    response = client.post(logout_url)
    assert response.status_code == 302
    end_session = urlsplit(response["Location"])
    assert end_session.geturl().startswith(kc.issuer() + "/protocol/openid-connect/logout?")
    query = parse_qs(end_session.query)
    assert query["id_token_hint"] == [hint]
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1/sso/logged-out/"]
    assert client.get("/admin/").status_code == 302, "signed out of the site at once"
    assert not SsoSession.objects.exists()

    back = browser.get(response["Location"], allow_redirects=False, timeout=15)
    assert back.status_code == 302
    assert back.headers["Location"].startswith("http://127.0.0.1/sso/logged-out/")
    assert sid not in keycloak_session_ids(realm, "teacher1"), "Keycloak's session ended too"
    # The same browser is asked for a password again: no silent sign-in.
    again = client.get("/sso/login/", {"next": "/admin/"})
    assert browser.get(again["Location"], allow_redirects=False, timeout=15).status_code == 200


@pytest.mark.django_db
def test_logout_is_never_a_get(sso_demo_site):
    client = signed_in_through_keycloak("teacher1")
    page = client.get("/sso/logout/")
    assert page.status_code == 200
    assert "确定要退出" in page.content.decode()
    assert client.get("/admin/").status_code == 200, "still signed in"


@pytest.fixture
def request_scoped_db_connections():
    """Keycloak keeps its connection to the live server open (keep-alive), so the server's request
    thread outlives the test; with persistent database connections (CONN_MAX_AGE) its connection
    would too, and the test database could not be dropped at the end of the run."""
    from django.db import connections

    database = connections.settings["default"]
    kept, database["CONN_MAX_AGE"] = database["CONN_MAX_AGE"], 0
    yield
    database["CONN_MAX_AGE"] = kept


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("request_scoped_db_connections")
def test_keycloak_ending_a_session_signs_out_here(live_server, sso_demo_site, realm):
    """Back-channel logout: Keycloak posts a logout token to the site, which ends that session only."""
    site_url = live_server.url.replace("localhost", "127.0.0.1")
    realm.set_client_attribute("youke-web", "backchannel.logout.url", f"{site_url}/sso/backchannel-logout")
    teacher = signed_in_through_keycloak("teacher1")
    other = signed_in_through_keycloak("teacher2")
    assert teacher.get("/admin/").status_code == 200

    realm.admin.user_logout(realm.user_id("teacher1"))  # as a Keycloak administrator would

    # Keycloak's own logout token passed every check, jti and iat included (OIDC Back-Channel Logout 2.4).
    assert teacher.get("/admin/").status_code == 302, "teacher1's site session ended"
    assert not SsoSession.objects.filter(sub=realm.user_id("teacher1")).exists()
    assert other.get("/admin/").status_code == 200, "other people stay signed in"


# --- Logout tokens that must be refused, posted straight to the endpoint.


@pytest.fixture
def own_keys():
    """The realm's keys swapped for one we hold, so a test can sign any logout token it needs.

    Keycloak's own private key is not ours to sign with; everything else
    about the tokens is what Keycloak sends (see the back-channel test above).
    """
    key = jwk.JWK.generate(kty="RSA", size=2048, kid="test-logout-key")
    use_keys(key)
    yield key
    kc.jwks_cache.clear()


def use_keys(key):
    keys = jwk.JWKSet()
    keys.add(key)
    kc.jwks_cache.prime(keys)


def logout_token(key, session, **changes):
    now = int(time.time())
    claims = {
        "iat": now,
        "exp": now + 120,
        "jti": str(uuid.uuid4()),
        "iss": kc.issuer(),
        "aud": "youke-web",
        "sub": session["sub"],
        "sid": session["sid"],
        "typ": "Logout",
        "events": {kc.BACKCHANNEL_LOGOUT_EVENT: {}},
        **changes,
    }
    claims = {name: value for name, value in claims.items() if value is not None}
    token = jwt.JWT(header={"alg": "RS256", "kid": key.get("kid"), "typ": "logout+jwt"}, claims=json.dumps(claims))
    token.make_signed_token(key)
    return token.serialize()


@pytest.fixture
def teacher(sso_demo_site):
    return signed_in_through_keycloak("teacher1")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "changes",
    [
        {"exp": int(time.time()) - 600},
        {"aud": "other-app"},
        {"iss": "http://127.0.0.1:9999/realms/youke"},
        {"events": None},
        {"typ": "ID"},
        {"nonce": "abc"},
        {"sid": None, "sub": None},
        {"jti": None},
        {"jti": ""},
        {"iat": None},
        {"iat": int(time.time()) - kc.LOGOUT_TOKEN_MAX_AGE - kc.LEEWAY_SECONDS - 120},
        {"iat": int(time.time()) + 3600},
        {"nbf": int(time.time()) + 3600},
    ],
    ids=[
        "expired", "other-client", "other-issuer", "no-event", "id-token", "nonce", "no-session",
        "no-jti", "empty-jti", "no-iat", "too-old", "issued-in-the-future", "not-yet-valid",
    ],
)  # fmt: skip
def test_bad_logout_token_is_refused(teacher, own_keys, changes):
    token = logout_token(own_keys, teacher.session[SESSION_KEY], **changes)
    response = Client().post("/sso/backchannel-logout", {"logout_token": token})
    assert response.status_code == 400
    assert response["Cache-Control"] == "no-store" or "no-cache" in response["Cache-Control"]
    assert teacher.get("/admin/").status_code == 200, "the session survives"


@pytest.mark.django_db
def test_clock_leeway_is_the_sites_not_the_librarys(teacher, own_keys):
    """Expired 15 s beyond our 30 s of leeway: refused (jwcrypto alone would allow 60 s)."""
    token = logout_token(own_keys, teacher.session[SESSION_KEY], exp=int(time.time()) - kc.LEEWAY_SECONDS - 15)
    assert Client().post("/sso/backchannel-logout", {"logout_token": token}).status_code == 400


@pytest.mark.django_db
def test_logout_token_signed_by_another_key_is_refused(teacher):
    forger = jwk.JWK.generate(kty="RSA", size=2048, kid="forged")
    token = logout_token(forger, teacher.session[SESSION_KEY])
    assert Client().post("/sso/backchannel-logout", {"logout_token": token}).status_code == 400
    assert teacher.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_tampered_logout_token_is_refused(teacher, own_keys):
    header, payload, signature = logout_token(own_keys, teacher.session[SESSION_KEY], sid="another").split(".")
    _, real_payload, _ = logout_token(own_keys, teacher.session[SESSION_KEY]).split(".")
    forged = f"{header}.{real_payload}.{signature}"
    assert Client().post("/sso/backchannel-logout", {"logout_token": forged}).status_code == 400
    assert teacher.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_id_token_posted_as_logout_token_is_refused(teacher):
    from sso.testing import DEMO_PASSWORD

    tokens = kc.openid_client().token(username="teacher1", password=DEMO_PASSWORD, scope="openid")
    assert Client().post("/sso/backchannel-logout", {"logout_token": tokens["id_token"]}).status_code == 400
    assert Client().post("/sso/backchannel-logout", {}).status_code == 400
    assert teacher.get("/admin/").status_code == 200


@pytest.mark.django_db
def test_replayed_logout_token_is_refused(teacher, own_keys):
    """A logout token works once: posted again (captured on the way, say) it cannot end later sessions."""
    token = logout_token(own_keys, teacher.session[SESSION_KEY], sid=None)  # every session of teacher1
    assert Client().post("/sso/backchannel-logout", {"logout_token": token}).status_code == 200
    assert teacher.get("/admin/").status_code == 302, "obeyed the first time"

    again = signed_in_through_keycloak("teacher1")
    use_keys(own_keys)  # signing in fetched the realm's own keys again
    replay = Client().post("/sso/backchannel-logout", {"logout_token": token})
    assert replay.status_code == 400
    assert again.get("/admin/").status_code == 200, "the new session survives the replay"


@pytest.mark.django_db
def test_well_formed_logout_token_ends_that_session_only(teacher, own_keys):
    """The control for the refusals above: the same token, unaltered, is obeyed."""
    session_key = teacher.session.session_key
    token = logout_token(own_keys, teacher.session[SESSION_KEY])
    assert Client().post("/sso/backchannel-logout", {"logout_token": token}).status_code == 200
    assert not Session.objects.filter(session_key=session_key).exists()
