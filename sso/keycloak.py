"""The site's one connection to Keycloak, and full validation of its tokens.

python-keycloak fetches the realm's keys on every `decode_token` unless it is
handed a key, so the JWKS is cached here (process memory, TTL from settings)
and fetched again early only when a token names a key id we do not know -
which is what happens right after Keycloak rotates its keys.

Two URLs: KEYCLOAK["SERVER_URL"] is the public one, which browsers open and
which names the tokens' issuer; KEYCLOAK_INTERNAL_URL, when set, is where the
site itself calls Keycloak (inside docker compose: http://keycloak:8080/).
"""

import hashlib
import json
import threading
import time
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from jwcrypto import jwk, jwt
from jwcrypto.common import JWException
from keycloak import KeycloakOpenID
from keycloak.exceptions import KeycloakConnectionError, KeycloakError
from keycloak.urls_patterns import URL_LOGOUT

# Keycloak signs with RS256 unless the realm is changed; refusing every other
# algorithm closes the "alg: none" and HMAC-with-public-key tricks.
ALLOWED_ALGS = ["RS256", "RS384", "RS512", "PS256", "ES256"]
# Clocks of the site and Keycloak may differ a little.
LEEWAY_SECONDS = 30
# An attacker sending random key ids must not make us hammer Keycloak.
MIN_REFRESH_INTERVAL = 10
# Keycloak posts a logout token the moment a session ends; an older one is a
# replay, and refusing it bounds how long a used `jti` must be remembered.
LOGOUT_TOKEN_MAX_AGE = 10 * 60


class TokenError(Exception):
    """A token that must not be trusted; the message says why (for logs, not users)."""


class KeycloakNotConfigured(RuntimeError):
    pass


def config():
    if not settings.KEYCLOAK:
        raise KeycloakNotConfigured("KEYCLOAK_SERVER_URL is not set")
    return settings.KEYCLOAK


# python-keycloak sets and removes headers on the client's one HTTP session
# around each call (userinfo puts the user's bearer token there), so threads
# sharing a client could send each other's headers: one client per thread.
_clients = threading.local()


def backend_url():
    """Where the site itself calls Keycloak: KEYCLOAK_INTERNAL_URL, else the public SERVER_URL.

    Browsers still get public URLs: the authorization endpoint comes from the
    discovery document, which Keycloak writes with its configured hostname
    (KC_HOSTNAME) whichever address it was asked on.
    """
    internal = getattr(settings, "KEYCLOAK_INTERNAL_URL", "") or ""
    return internal.rstrip("/") + "/" if internal else config()["SERVER_URL"]


def openid_client():
    """The KeycloakOpenID client for the configured realm and site client (one per thread)."""
    c = config()
    server = backend_url()
    key = (server, c["REALM"], c["CLIENT_ID"], c["CLIENT_SECRET"], c["TIMEOUT"], c["VERIFY_TLS"])
    cached = getattr(_clients, "by_key", None)
    if cached is None:
        cached = _clients.by_key = {}
    if key not in cached:
        cached[key] = KeycloakOpenID(
            server_url=server,
            realm_name=c["REALM"],
            client_id=c["CLIENT_ID"],
            client_secret_key=c["CLIENT_SECRET"] or None,
            timeout=c["TIMEOUT"],
            verify=c["VERIFY_TLS"],
        )
    return cached[key]


def issuer():
    c = config()
    return f"{c['SERVER_URL']}realms/{c['REALM']}"


def end_session_url(*, id_token, post_logout_redirect_uri):
    """Keycloak's RP-initiated logout URL (OIDC RP-Initiated Logout 1.0).

    Built from the fixed Keycloak path rather than the discovery document, so
    that signing out needs no request to Keycloak from the server.
    """
    c = config()
    query = {"client_id": c["CLIENT_ID"], "post_logout_redirect_uri": post_logout_redirect_uri}
    if id_token:
        # With the hint Keycloak knows whose session to end and skips its confirmation page.
        query["id_token_hint"] = id_token
    return c["SERVER_URL"] + URL_LOGOUT.format(**{"realm-name": c["REALM"]}) + "?" + urlencode(query)


def is_unreachable(exc):
    """True when a python-keycloak error means "Keycloak did not answer", not "Keycloak said no"."""
    if isinstance(exc, KeycloakConnectionError):
        return True
    return isinstance(exc, KeycloakError) and (exc.response_code or 0) >= 500


class JwksCache:
    """The realm's signing keys, fetched by one caller at a time and never waited on without need.

    Callers holding usable keys do not queue behind a fetch: when the TTL runs
    out, one of them fetches and the others go on with the keys they have.
    Callers that need keys we lack (nothing cached yet, or a token naming an
    unknown key id) wait for the fetch already under way - up to the Keycloak
    timeout, after which they give up rather than stall the page. An unknown
    key id triggers a fetch at most every MIN_REFRESH_INTERVAL seconds.

    `fetch`, `ttl`, `wait` and `clock` are for tests; by default the keys come
    from Keycloak and the TTL and wait from settings.
    """

    def __init__(self, fetch=None, *, ttl=None, wait=None, clock=time.monotonic):
        self._fetch = fetch or _fetch_jwks
        self._ttl, self._wait, self._clock = ttl, wait, clock
        self._state = threading.Lock()  # guards the fields below, never held during a fetch
        self._in_flight = threading.Lock()  # held by the one caller fetching
        self._keys = self._fetched_at = self._attempted_at = None

    def clear(self):
        with self._state:
            self._keys = self._fetched_at = self._attempted_at = None

    def prime(self, keys):
        """Use these keys as if just fetched (tests that sign tokens with keys of their own)."""
        with self._state:
            self._keys, self._fetched_at = keys, self._clock()
            self._attempted_at = self._fetched_at

    def get(self, *, force=False):
        """The key set; `force` asks for a fresh one because a token names a key id it lacks.

        Raises KeycloakError when Keycloak cannot be read and no keys are cached.
        """
        keys, due = self._due(force)
        if not due:
            return keys
        needs_new = keys is None or force
        wait = self._wait if self._wait is not None else config()["TIMEOUT"]
        if not (self._in_flight.acquire(timeout=wait) if needs_new else self._in_flight.acquire(blocking=False)):
            if keys is not None:
                return keys
            raise KeycloakConnectionError("timed out waiting for another request to fetch Keycloak's keys")
        try:
            # The fetch we waited for may have brought what we need.
            keys, due = self._due(force)
            if not due:
                return keys
            with self._state:
                self._attempted_at = self._clock()
            fetched = jwk.JWKSet.from_json(self._fetch())
            with self._state:
                self._keys, self._fetched_at = fetched, self._clock()
            return fetched
        finally:
            self._in_flight.release()

    def _due(self, force):
        """(cached keys, whether to fetch now)."""
        ttl = self._ttl if self._ttl is not None else config()["JWKS_TTL"]
        with self._state:
            now = self._clock()
            if self._keys is None or now - self._fetched_at > ttl:
                return self._keys, True
            if force:
                return self._keys, self._attempted_at is None or now - self._attempted_at > MIN_REFRESH_INTERVAL
            return self._keys, False


def _fetch_jwks():
    return json.dumps(openid_client().certs())


jwks_cache = JwksCache()


def _is_time(value):
    return isinstance(value, int | float) and not isinstance(value, bool)


def check_times(claims, now, leeway=LEEWAY_SECONDS):
    """Refuse a token that has expired, is not valid yet, or says it was issued in the future.

    jwcrypto checks only the claims it is told to (here `exp`); `nbf` and
    `iat` (RFC 7519 4.1.5, 4.1.6) are checked here, with the same leeway.
    Raises TokenError.
    """
    for name in ("exp", "iat"):
        if not _is_time(claims.get(name)):
            raise TokenError(f"token has no valid {name}")
    if "nbf" in claims and not _is_time(claims["nbf"]):
        raise TokenError("token has an invalid nbf")
    if claims["exp"] < now - leeway:
        raise TokenError("token expired")
    if claims["iat"] > now + leeway:
        raise TokenError("token issued in the future")
    if claims.get("nbf", now) > now + leeway:
        raise TokenError("token not valid yet (nbf)")


def _verify(token, keys):
    checked = jwt.JWT(
        algs=ALLOWED_ALGS,
        check_claims={"iss": issuer(), "exp": None},
        expected_type="JWS",
        # Tokens travel in the compact form only; refuse the JSON serialization.
        strict_serialization=True,
    )
    # Set before deserializing: passing the token to the constructor would
    # validate it at once, with jwcrypto's default leeway of 60 s.
    checked.leeway = LEEWAY_SECONDS
    checked.deserialize(token, keys)
    claims = json.loads(checked.claims)
    if not isinstance(claims, dict):
        raise TokenError("token claims are not an object")
    check_times(claims, time.time())
    return claims


def validate_token(token, *, token_type="Bearer", nonce=None):  # noqa: S107 - "Bearer" is a JWT typ
    """Validate a Keycloak access or ID token for this site and return its claims.

    Checks the signature against the realm's JWKS, the algorithm, issuer,
    expiry, not-before and issue time, the audience/authorised party (the
    token must be issued to this site's client, not another one), the token
    type and, for ID tokens, the nonce sent with the login request.

    Raises TokenError when any check fails.
    """
    if not token or not isinstance(token, str):
        raise TokenError("no token")
    try:
        try:
            claims = _verify(token, jwks_cache.get())
        except jwt.JWTMissingKey:
            # Unknown key id: Keycloak may have rotated its keys since we cached them.
            claims = _verify(token, jwks_cache.get(force=True))
    except (JWException, ValueError, TypeError) as exc:
        # TypeError: jwcrypto compares a non-numeric `exp` with a number.
        raise TokenError(f"invalid token: {exc}") from exc

    client_id = config()["CLIENT_ID"]
    audience = claims.get("aud")
    audience = [audience] if isinstance(audience, str) else list(audience or [])
    authorised_party = claims.get("azp")
    if authorised_party is not None and authorised_party != client_id:
        raise TokenError(f"token was issued to another client ({authorised_party})")
    if client_id not in audience and authorised_party != client_id:
        raise TokenError("token audience does not include this site")
    if token_type and claims.get("typ") != token_type:
        raise TokenError(f"expected a {token_type} token, got {claims.get('typ')}")
    if token_type == "ID" and client_id not in audience:  # noqa: S105 - a JWT typ, not a secret
        raise TokenError("ID token audience must be this site")
    if nonce is not None and claims.get("nonce") != nonce:
        raise TokenError("nonce does not match the login request")
    return claims


BACKCHANNEL_LOGOUT_EVENT = "http://schemas.openid.net/event/backchannel-logout"


def validate_logout_token(token):
    """Validate a back-channel logout token (OIDC Back-Channel Logout 1.0, sections 2.4 and 2.6).

    Signature, issuer, audience, expiry and issue time as for any token,
    then: the back-channel logout event, a `sid` or a `sub`, no `nonce` (a
    logout token with one could be an ID token passed off as a logout token),
    a `jti` and an `iat` no older than LOGOUT_TOKEN_MAX_AGE, and a `jti` not
    seen before (a captured token posted again must not end later sessions).

    Raises TokenError when any check fails.
    """
    claims = validate_token(token, token_type="Logout")  # noqa: S106 - a JWT typ, not a secret
    events = claims.get("events")
    if not isinstance(events, dict) or BACKCHANNEL_LOGOUT_EVENT not in events:
        raise TokenError("not a back-channel logout token (no logout event)")
    if "nonce" in claims:
        raise TokenError("a logout token must not carry a nonce")
    if not claims.get("sid") and not claims.get("sub"):
        raise TokenError("a logout token must name a session (sid) or a user (sub)")
    jti = claims.get("jti")
    if not isinstance(jti, str) or not jti:
        raise TokenError("a logout token must carry a jti")
    now = time.time()
    if claims["iat"] < now - LOGOUT_TOKEN_MAX_AGE - LEEWAY_SECONDS:
        raise TokenError("logout token is too old")
    if not _first_use(jti, claims, now):
        raise TokenError(f"logout token {jti} was already used")
    return claims


def _first_use(jti, claims, now):
    """Record `jti` as used; False if it already was.

    Kept until the token could no longer pass the checks above anyway (its
    expiry or its maximum age, plus leeway). cache.add is atomic on Redis, so
    two workers receiving the same token cannot both accept it.
    """
    last_valid = min(claims["exp"], claims["iat"] + LOGOUT_TOKEN_MAX_AGE) + LEEWAY_SECONDS
    key = "sso:logout-jti:" + hashlib.sha256(jti.encode()).hexdigest()
    return cache.add(key, True, timeout=max(int(last_valid - now) + 1, 1))
