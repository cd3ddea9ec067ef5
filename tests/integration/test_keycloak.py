"""Tokens from the real Keycloak realm are validated against its JWKS - and forgeries are not."""

import base64
import json
import os
import time

import pytest
from jwcrypto import jwk, jwt
from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakError

from sso import keycloak as kc
from sso.testing import realm_admin

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


def test_unknown_key_id_refetches_keys_once_then_refuses():
    real = password_grant("teacher1")["access_token"]
    forger = jwk.JWK.generate(kty="RSA", size=2048, kid="rotated-key")
    kc.jwks_cache.get()
    kc.jwks_cache._fetched_at -= kc.MIN_REFRESH_INTERVAL + 1  # cached long enough to allow a refresh
    before = kc.jwks_cache._fetched_at
    with pytest.raises(kc.TokenError):
        kc.validate_token(_signed(_claims(real), forger))
    assert kc.jwks_cache._fetched_at > before, "an unknown kid must trigger a JWKS refresh"


def test_alg_none_is_refused():
    real = password_grant("teacher1")["access_token"]
    header, payload, _ = real.split(".")
    unsigned = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}."
    with pytest.raises(kc.TokenError):
        kc.validate_token(unsigned)


def test_expired_token_is_refused():
    """Keycloak's own key is not ours to sign with, so the realm's key set is
    swapped for one we hold; the token is otherwise exactly like Keycloak's."""
    payload = _claims(password_grant("teacher1")["access_token"])
    key = jwk.JWK.generate(kty="RSA", size=2048, kid="test-key")
    keys = jwk.JWKSet()
    keys.add(key)
    kc.jwks_cache._keys, kc.jwks_cache._fetched_at = keys, time.monotonic()
    payload["exp"] = int(time.time()) - kc.LEEWAY_SECONDS - 60
    with pytest.raises(kc.TokenError, match="[Ee]xpired"):
        kc.validate_token(_signed(payload, key))
    payload["exp"] = int(time.time()) + 300
    assert kc.validate_token(_signed(payload, key))["preferred_username"] == "teacher1"


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
