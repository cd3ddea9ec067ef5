"""Token rules that need no Keycloak: time claims, and when the JWKS cache fetches keys.

The key set comes from an injected fetch function and tokens are signed with
keys generated here; Keycloak itself is configured on a closed port, so a
request to it would fail the test instead of passing unnoticed. The same
behaviour against the real Keycloak is in tests/integration/test_keycloak.py.
"""

import json
import threading
import time

import pytest
from jwcrypto import jwk, jwt
from keycloak.exceptions import KeycloakConnectionError

from sso import keycloak as kc
from tests.unit.test_sso_local_login import DOWN

# Keycloak configured but unreachable (nothing listens on port 1); no client secret needed here.
CLOSED = {**DOWN, "CLIENT_SECRET": ""}
NOW = 1_700_000_000


@pytest.fixture(autouse=True)
def closed_keycloak(settings):
    settings.KEYCLOAK = CLOSED


# --- exp, iat, nbf


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": NOW + 60, "iat": NOW},
        {"exp": NOW - kc.LEEWAY_SECONDS + 1, "iat": NOW - 300},
        {"exp": NOW + 60, "iat": NOW + kc.LEEWAY_SECONDS - 1, "nbf": NOW + kc.LEEWAY_SECONDS - 1},
    ],
    ids=["fresh", "expired-within-leeway", "clock-skew-within-leeway"],
)
def test_times_within_the_leeway_pass(claims):
    kc.check_times(claims, NOW)


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"exp": NOW - kc.LEEWAY_SECONDS - 1, "iat": NOW - 300}, "expired"),
        ({"exp": NOW + 600, "iat": NOW + kc.LEEWAY_SECONDS + 1}, "future"),
        ({"exp": NOW + 600, "iat": NOW, "nbf": NOW + kc.LEEWAY_SECONDS + 1}, "nbf"),
        ({"iat": NOW}, "exp"),
        ({"exp": NOW + 60}, "iat"),
        ({"exp": str(NOW + 60), "iat": NOW}, "exp"),
        ({"exp": NOW + 60, "iat": True}, "iat"),
        ({"exp": NOW + 60, "iat": NOW, "nbf": "soon"}, "nbf"),
    ],
    ids=["expired", "iat-in-future", "not-yet-valid", "no-exp", "no-iat", "text-exp", "bool-iat", "text-nbf"],
)
def test_bad_times_are_refused(claims, reason):
    with pytest.raises(kc.TokenError, match=reason):
        kc.check_times(claims, NOW)


# --- Tokens signed here, checked by validate_token against a key set we control


def key(kid):
    return jwk.JWK.generate(kty="RSA", size=2048, kid=kid)


def key_set(*keys):
    keys_json = {"keys": [json.loads(k.export_public()) for k in keys]}
    return json.dumps(keys_json)


def signed(signing_key, **changes):
    now = int(time.time())
    claims = {"iss": kc.issuer(), "aud": "youke-web", "azp": "youke-web", "typ": "Bearer", "sub": "u1",
              "iat": now, "exp": now + 300, **changes}  # fmt: skip
    token = jwt.JWT(header={"alg": "RS256", "kid": signing_key.get("kid")}, claims=json.dumps(claims))
    token.make_signed_token(signing_key)
    return token.serialize()


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


class Fetches:
    """A fetch function serving a key set that the test changes, counting calls."""

    def __init__(self, *keys):
        self.keys, self.calls = keys, 0

    def __call__(self):
        self.calls += 1
        return key_set(*self.keys)


@pytest.fixture
def current():
    return key("current")


@pytest.fixture
def fetches(current):
    return Fetches(current)


@pytest.fixture
def clock():
    return Clock()


@pytest.fixture
def cache(monkeypatch, fetches, clock):
    cache = kc.JwksCache(fetches, ttl=3600, wait=5, clock=clock)
    monkeypatch.setattr(kc, "jwks_cache", cache)
    return cache


def test_token_not_yet_valid_is_refused_by_validate_token(cache, current):
    """jwcrypto skips nbf when given check_claims; validate_token does not."""
    assert kc.validate_token(signed(current))["sub"] == "u1"
    with pytest.raises(kc.TokenError, match="nbf"):
        kc.validate_token(signed(current, nbf=int(time.time()) + 600))
    with pytest.raises(kc.TokenError, match="future"):
        kc.validate_token(signed(current, iat=int(time.time()) + 600))


def test_non_numeric_expiry_is_a_token_error_not_a_crash(cache, current):
    with pytest.raises(kc.TokenError):
        kc.validate_token(signed(current, exp="tomorrow"))


def test_known_key_ids_never_refetch(cache, fetches, current, clock):
    for _ in range(3):
        kc.validate_token(signed(current))
        clock.now += kc.MIN_REFRESH_INTERVAL + 1
    assert fetches.calls == 1, "fetched once, for the first token"


def test_unknown_key_id_refetches_exactly_once_then_waits_for_the_floor(cache, fetches, current, clock):
    kc.validate_token(signed(current))
    clock.now += kc.MIN_REFRESH_INTERVAL + 1
    stranger = key("stranger")
    for _ in range(3):
        with pytest.raises(kc.TokenError):
            kc.validate_token(signed(stranger))
    assert fetches.calls == 2, "one refetch for the unknown kid, not one per token"
    clock.now += kc.MIN_REFRESH_INTERVAL + 1
    with pytest.raises(kc.TokenError):
        kc.validate_token(signed(stranger))
    assert fetches.calls == 3, "again once the floor has passed"


def test_rotated_key_is_found_with_one_refetch(cache, fetches, current, clock):
    kc.validate_token(signed(current))
    clock.now += kc.MIN_REFRESH_INTERVAL + 1
    rotated = key("rotated")
    fetches.keys = (current, rotated)  # Keycloak rotated its keys
    assert kc.validate_token(signed(rotated))["sub"] == "u1"
    assert kc.validate_token(signed(rotated))["sub"] == "u1"
    assert fetches.calls == 2


def test_keys_past_their_ttl_are_fetched_again(cache, fetches, current, clock):
    kc.validate_token(signed(current))
    clock.now += 3601
    kc.validate_token(signed(current))
    assert fetches.calls == 2


# --- A slow Keycloak must not stall callers that have keys


class SlowFetch:
    """A fetch that blocks until released, so a test can act while it is under way."""

    def __init__(self, keys):
        self.keys, self.started, self.release, self.calls = keys, threading.Event(), threading.Event(), 0

    def __call__(self):
        self.calls += 1
        self.started.set()
        assert self.release.wait(30), "the test never released the fetch"
        return key_set(*self.keys)


def in_thread(target):
    result = {}

    def run():
        try:
            result["value"] = target()
        except Exception as exc:  # noqa: BLE001 - handed to the test to assert on
            result["error"] = exc

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, result


def test_callers_with_keys_do_not_wait_for_a_slow_refresh(current, clock):
    slow = SlowFetch([current])
    cache = kc.JwksCache(slow, ttl=3600, wait=30, clock=clock)
    cache.prime(jwk.JWKSet.from_json(key_set(current)))
    clock.now += 3601  # past the TTL: the next caller refreshes
    refresher, _ = in_thread(cache.get)
    assert slow.started.wait(30)
    try:
        # The fetch is under way; another caller gets the keys it has, at once (a deadlock would hang here).
        other, result = in_thread(cache.get)
        other.join(30)
        assert not other.is_alive(), "a caller with keys waited for the slow fetch"
        assert result["value"].get_key("current") is not None
    finally:
        slow.release.set()
        refresher.join(30)
    assert slow.calls == 1


def test_caller_needing_new_keys_gives_up_after_the_wait(current, clock):
    """Nothing cached and a fetch stuck in another request: a bounded wait, then "Keycloak unreachable"."""
    slow = SlowFetch([current])
    cache = kc.JwksCache(slow, ttl=3600, wait=0.2, clock=clock)
    first, _ = in_thread(cache.get)
    assert slow.started.wait(30)
    try:
        with pytest.raises(KeycloakConnectionError):
            cache.get()
    finally:
        slow.release.set()
        first.join(30)
    assert slow.calls == 1, "the waiting caller did not fetch again"
    assert cache.get().get_key("current") is not None
    assert slow.calls == 1


def test_waiting_callers_share_the_fetch_under_way(current, clock):
    """Many requests with the same new key id: one fetch, all of them served by it."""
    slow = SlowFetch([current])
    cache = kc.JwksCache(slow, ttl=3600, wait=30, clock=clock)
    first, _ = in_thread(cache.get)
    assert slow.started.wait(30)
    others = [in_thread(cache.get) for _ in range(4)]
    slow.release.set()
    first.join(30)
    for thread, result in others:
        thread.join(30)
        assert result["value"].get_key("current") is not None
    assert slow.calls == 1


# --- The internal URL


def test_the_site_calls_keycloak_inside_the_network_but_sends_browsers_to_the_public_url(settings):
    settings.KEYCLOAK = {**CLOSED, "SERVER_URL": "https://sso.example.edu.cn/"}
    settings.KEYCLOAK_INTERNAL_URL = "http://keycloak:8080"
    assert kc.backend_url() == "http://keycloak:8080/"
    assert kc.openid_client().connection.base_url == "http://keycloak:8080/"
    assert kc.issuer() == "https://sso.example.edu.cn/realms/youke"
    logout = kc.end_session_url(id_token="t", post_logout_redirect_uri="https://youke.example.edu.cn/")
    assert logout.startswith("https://sso.example.edu.cn/realms/youke/protocol/openid-connect/logout?")
    settings.KEYCLOAK_INTERNAL_URL = ""
    assert kc.openid_client().connection.base_url == "https://sso.example.edu.cn/"
