"""Tokens from the real Keycloak realm are validated against its JWKS - and forgeries are not."""

import base64
import json
import os
import re
import time

import pytest
from jwcrypto import jwk, jwt
from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakError

from sso import keycloak as kc
from sso.testing import REALM_DIR, realm_admin

pytestmark = pytest.mark.service("keycloak")

DEMO_PASSWORD = "youke-demo"


@pytest.fixture(autouse=True)
def fresh_jwks():
    kc.jwks_cache.clear()
    yield
    kc.jwks_cache.clear()


def password_grant(username, client_id="youke-web", secret=None):
    client = KeycloakOpenID(
        server_url=os.environ["KEYCLOAK_SERVER_URL"],
        realm_name=os.environ.get("KEYCLOAK_REALM", "youke"),
        client_id=client_id,
        client_secret_key=secret or os.environ["KEYCLOAK_CLIENT_SECRET"],
        timeout=10,
    )
    return client.token(username=username, password=DEMO_PASSWORD, scope="openid")


def _claims(token):
    payload = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))


def _signed(claims, key):
    kid = json.loads(key.export_public())["kid"]
    token = jwt.JWT(header={"alg": "RS256", "kid": kid, "typ": "JWT"}, claims=json.dumps(claims))
    token.make_signed_token(key)
    return token.serialize()


def _b64(data):
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def test_teacher_access_token_is_valid_and_carries_roles():
    tokens = password_grant("teacher1")
    claims = kc.validate_token(tokens["access_token"])
    assert claims["preferred_username"] == "teacher1"
    assert claims["iss"] == kc.issuer()
    roles = claims.get("roles") or claims["realm_access"]["roles"]
    assert "teacher" in roles
    assert "district_admin" not in roles


def test_id_token_is_valid_as_id_token_only():
    tokens = password_grant("teacher1")
    claims = kc.validate_token(tokens["id_token"], token_type="ID")
    assert claims["aud"] == "youke-web" or "youke-web" in claims["aud"]
    with pytest.raises(kc.TokenError, match="expected a Bearer"):
        kc.validate_token(tokens["id_token"])


def test_token_issued_to_another_client_is_refused():
    tokens = password_grant("teacher1", client_id="other-app", secret="other-app-test-secret-not-for-production")
    with pytest.raises(kc.TokenError):
        kc.validate_token(tokens["access_token"])


def test_tampered_token_is_refused():
    token = password_grant("teacher1")["access_token"]
    header, _, signature = token.split(".")
    claims = _claims(token)
    claims["realm_access"] = {"roles": ["district_admin"]}
    with pytest.raises(kc.TokenError, match="invalid token"):
        kc.validate_token(f"{header}.{_b64(claims)}.{signature}")


def test_token_signed_by_another_key_is_refused():
    """Same claims, same key id, but signed with a key Keycloak never had."""
    real = password_grant("teacher1")["access_token"]
    real_kid = jwt.JWT(jwt=real).token.jose_header["kid"]
    forger = jwk.JWK.generate(kty="RSA", size=2048, kid=real_kid)
    with pytest.raises(kc.TokenError):
        kc.validate_token(_signed(_claims(real), forger))


class CountingFetch:
    """The real fetch from Keycloak, counted."""

    def __init__(self):
        self.calls = 0

    def __call__(self):
        self.calls += 1
        return kc._fetch_jwks()


@pytest.fixture
def counted_jwks(monkeypatch):
    """A JWKS cache that fetches from the real Keycloak, with a clock the test moves."""
    fetch, clock = CountingFetch(), [time.monotonic()]
    monkeypatch.setattr(kc, "jwks_cache", kc.JwksCache(fetch, clock=lambda: clock[0]))
    return fetch, clock


def test_known_key_id_does_not_refetch(counted_jwks):
    fetch, clock = counted_jwks
    for _ in range(3):
        kc.validate_token(password_grant("teacher1")["access_token"])
        clock[0] += kc.MIN_REFRESH_INTERVAL + 1
    assert fetch.calls == 1


def test_unknown_key_id_refetches_keys_once_then_refuses(counted_jwks):
    fetch, clock = counted_jwks
    real = password_grant("teacher1")["access_token"]
    kc.validate_token(real)
    clock[0] += kc.MIN_REFRESH_INTERVAL + 1  # cached long enough to allow a refresh
    forger = jwk.JWK.generate(kty="RSA", size=2048, kid="rotated-key")
    for _ in range(3):
        with pytest.raises(kc.TokenError):
            kc.validate_token(_signed(_claims(real), forger))
    assert fetch.calls == 2, "an unknown kid triggers one JWKS refresh, not one per token"
    assert kc.validate_token(real)["preferred_username"] == "teacher1", "the refreshed keys still work"


def test_alg_none_is_refused():
    real = password_grant("teacher1")["access_token"]
    header, payload, _ = real.split(".")
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    with pytest.raises(kc.TokenError):
        kc.validate_token(unsigned)


@pytest.fixture
def own_key():
    """Keycloak's own key is not ours to sign with, so the realm's key set is
    swapped for one we hold; the tokens are otherwise exactly like Keycloak's."""
    key = jwk.JWK.generate(kty="RSA", size=2048, kid="test-key")
    keys = jwk.JWKSet()
    keys.add(key)
    kc.jwks_cache.prime(keys)
    return key


def test_expired_token_is_refused(own_key):
    payload = _claims(password_grant("teacher1")["access_token"])
    payload["exp"] = int(time.time()) - kc.LEEWAY_SECONDS - 60
    with pytest.raises(kc.TokenError, match="[Ee]xpired"):
        kc.validate_token(_signed(payload, own_key))
    payload["exp"] = int(time.time()) + 300
    assert kc.validate_token(_signed(payload, own_key))["preferred_username"] == "teacher1"


@pytest.mark.parametrize(
    ("claim", "reason"), [("nbf", "not valid yet"), ("iat", "issued in the future")], ids=["nbf", "iat"]
)
def test_token_from_the_future_is_refused(own_key, claim, reason):
    """A token not valid for another 10 minutes, or claiming to be issued then, is refused now."""
    payload = _claims(password_grant("teacher1")["access_token"])
    payload[claim] = int(time.time()) + kc.LEEWAY_SECONDS + 600
    with pytest.raises(kc.TokenError, match=reason):
        kc.validate_token(_signed(payload, own_key))
    payload[claim] = int(time.time())
    assert kc.validate_token(_signed(payload, own_key))["preferred_username"] == "teacher1"


def test_the_site_can_call_keycloak_by_an_internal_address(settings):
    """Tokens fetched through another address of the same Keycloak still name the public issuer.

    Here "localhost" plays the compose service name; Keycloak's pinned
    hostname makes 127.0.0.1 the issuer whichever address is called.
    """
    public = kc.config()["SERVER_URL"]
    settings.KEYCLOAK_INTERNAL_URL = public.replace("127.0.0.1", "localhost")
    assert kc.openid_client().connection.base_url.startswith("http://localhost:")
    tokens = kc.openid_client().token(username="teacher1", password=DEMO_PASSWORD, scope="openid")
    assert kc.validate_token(tokens["access_token"])["iss"] == kc.issuer() == public + "realms/youke"

    settings.KEYCLOAK_INTERNAL_URL = "http://127.0.0.1:1/"
    with pytest.raises(KeycloakError):
        kc.openid_client().token(username="teacher1", password=DEMO_PASSWORD, scope="openid")


def test_nonce_must_match():
    client = kc.openid_client()
    tokens = client.token(username="teacher1", password=DEMO_PASSWORD, scope="openid")
    with pytest.raises(kc.TokenError, match="nonce"):
        kc.validate_token(tokens["id_token"], token_type="ID", nonce="expected-nonce")


def test_disabled_user_cannot_sign_in():
    with pytest.raises(KeycloakError) as error:
        password_grant("disabled_user")
    assert error.value.response_code == 400
    assert b"invalid_grant" in error.value.response_body


def test_wrong_password_is_refused():
    client = kc.openid_client()
    with pytest.raises(KeycloakError) as error:
        client.token(username="trainer1", password="not-the-password")
    assert b"invalid_grant" in error.value.response_body
    # The realm's brute-force detection has now seen a failure for trainer1; how it
    # weighs one failure followed at once by a success depends on timing (a "quick
    # login" lock is possible on a slow machine), so the record is cleared the way
    # a district admin would before checking that the account itself still works.
    admin = realm_admin()
    user_id = admin.get_user_id("trainer1")
    assert (
        admin.connection.raw_get(
            f"admin/realms/{admin.connection.realm_name}/attack-detection/brute-force/users/{user_id}"
        ).json()["numFailures"]
        >= 1
    ), "the failed attempt is counted"
    admin.connection.raw_delete(
        f"admin/realms/{admin.connection.realm_name}/attack-detection/brute-force/users/{user_id}"
    )
    assert client.token(username="trainer1", password=DEMO_PASSWORD)["access_token"]


# --- The production realm file, imported into the real Keycloak under another name

PRODUCTION_CHECK_REALM = "youke-production-check"
PRODUCTION_VALUES = {
    # As docker compose would set them; the site is called as 127.0.0.1 here.
    "YOUKE_SITE_URL": "http://127.0.0.1",
    "YOUKE_WEB_CLIENT_SECRET": "production-check-web",
    "YOUKE_SYNC_CLIENT_SECRET": "production-check-sync",
    "YOUKE_BACKCHANNEL_LOGOUT_URL": "http://127.0.0.1:9/sso/backchannel-logout",
}
PERSON_PASSWORD = "production-check-password"  # a throwaway user of a throwaway realm


def resolve_placeholders(text, values):
    """${NAME} replaced from `values`, as Keycloak does from its environment at import; an unknown NAME fails."""
    return re.sub(r"\$\{([A-Z][A-Z0-9_]*)\}", lambda match: values[match.group(1)], text)


@pytest.fixture
def production_realm():
    """youke-realm.production.json in the real Keycloak, renamed so the test realm is untouched; removed after."""
    text = resolve_placeholders((REALM_DIR / "youke-realm.production.json").read_text(), PRODUCTION_VALUES)
    # The realm's default role is named after it, so it is renamed with it.
    text = text.replace('"default-roles-youke"', f'"default-roles-{PRODUCTION_CHECK_REALM}"')
    realm = {**json.loads(text), "realm": PRODUCTION_CHECK_REALM}
    master = realm_admin()
    if PRODUCTION_CHECK_REALM in {r["realm"] for r in master.get_realms()}:
        master.delete_realm(PRODUCTION_CHECK_REALM)  # left by an interrupted run
    master.create_realm(realm)
    try:
        yield realm_admin(PRODUCTION_CHECK_REALM)
    finally:
        master.delete_realm(PRODUCTION_CHECK_REALM)


@pytest.mark.django_db
def test_production_realm_works_in_the_real_keycloak(production_realm, settings):
    """Keycloak accepts the file; the sync account, the code flow and the mappers work; the password grant does not."""
    from django.contrib.auth import get_user_model
    from django.test import Client

    from sso.sync import sync
    from sso.testing import sign_in

    admin = production_realm
    assert admin.get_realm(PRODUCTION_CHECK_REALM)["sslRequired"] == "external"
    assert admin.get_client_id("other-app") is None
    assert admin.get_users({"max": 10}) == [], "no people (the sync service account is not listed)"
    web = admin.get_client(admin.get_client_id("youke-web"))
    assert web["directAccessGrantsEnabled"] is False
    assert web["redirectUris"] == ["http://127.0.0.1/sso/callback/"]
    assert web["attributes"]["backchannel.logout.url"] == PRODUCTION_VALUES["YOUKE_BACKCHANNEL_LOGOUT_URL"]

    # A person, as a district administrator would create one.
    person = admin.create_user({
        "username": "prod_teacher", "enabled": True, "email": "prod.teacher@school.cn", "emailVerified": True,
        "firstName": "红", "lastName": "周", "groups": ["/schools/CGYX"],
        "attributes": {"school_code": ["CGYX"], "subjects": ["数学"]},
        "credentials": [{"type": "password", "value": PERSON_PASSWORD, "temporary": False}],
    })  # fmt: skip
    admin.assign_realm_roles(person, [admin.get_realm_role("teacher")])

    settings.KEYCLOAK = {
        **settings.KEYCLOAK,
        "REALM": PRODUCTION_CHECK_REALM,
        "CLIENT_SECRET": PRODUCTION_VALUES["YOUKE_WEB_CLIENT_SECRET"],
        "SYNC_CLIENT_SECRET": PRODUCTION_VALUES["YOUKE_SYNC_CLIENT_SECRET"],
    }
    with pytest.raises(KeycloakError) as refused:
        kc.openid_client().token(username="prod_teacher", password=PERSON_PASSWORD)
    assert b"unauthorized_client" in refused.value.response_body, "no password grant in production"

    report = sync()
    assert (report.schools, report.users, report.conflicts) == (5, 1, [])

    client = Client(HTTP_HOST="127.0.0.1")
    assert sign_in(client, "prod_teacher", password=PERSON_PASSWORD).status_code == 302
    user = get_user_model().objects.select_related("sso_profile__school").get(username="prod_teacher")
    assert set(user.groups.values_list("name", flat=True)) == {"教师"}
    assert user.sso_profile.school.code == "CGYX" and user.sso_profile.subjects == ["数学"]
    assert client.get("/admin/").status_code == 200


def test_health_checks_keycloak_where_the_site_calls_it(client, settings):
    """/healthz asks the Keycloak the site uses (KEYCLOAK_INTERNAL_URL), and names it when it is down."""
    settings.KEYCLOAK_INTERNAL_URL = kc.config()["SERVER_URL"].replace("127.0.0.1", "localhost")
    identity = client.get("/healthz").json()["checks"]["identity"]
    assert identity["status"] == "up" and identity["url"].startswith("http://localhost:")

    # The public address still answers; the site's own way to Keycloak does not.
    settings.KEYCLOAK_INTERNAL_URL = "http://127.0.0.1:1/"
    response = client.get("/healthz")
    identity = response.json()["checks"]["identity"]
    assert response.status_code == 503
    assert identity["status"] == "down" and identity["backend"] == "keycloak"
    assert "Connection refused" in identity["error"] or "URLError" in identity["error"]
