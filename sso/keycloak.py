"""The site's one connection to Keycloak, and full validation of its tokens.

python-keycloak fetches the realm's keys on every `decode_token` unless it is
handed a key, so the JWKS is cached here (process memory, TTL from settings)
and fetched again early only when a token names a key id we do not know -
which is what happens right after Keycloak rotates its keys.
"""

import json
import threading
import time
from urllib.parse import urlencode

from django.conf import settings
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


def openid_client():
    """The KeycloakOpenID client for the configured realm and site client (one per thread)."""
    c = config()
    key = (c["SERVER_URL"], c["REALM"], c["CLIENT_ID"], c["CLIENT_SECRET"], c["TIMEOUT"], c["VERIFY_TLS"])
    cached = getattr(_clients, "by_key", None)
    if cached is None:
        cached = _clients.by_key = {}
    if key not in cached:
        cached[key] = KeycloakOpenID(
            server_url=c["SERVER_URL"],
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


class _JwksCache:
    def __init__(self):
        self._lock = threading.Lock()
        self._keys = None
        self._fetched_at = 0.0

    def clear(self):
        with self._lock:
            self._keys, self._fetched_at = None, 0.0

    def get(self, *, force=False):
        with self._lock:
            age = time.monotonic() - self._fetched_at
            stale = self._keys is None or age > config()["JWKS_TTL"]
            if stale or (force and age > MIN_REFRESH_INTERVAL):
                self._keys = jwk.JWKSet.from_json(_fetch_jwks())
                self._fetched_at = time.monotonic()
            return self._keys


def _fetch_jwks():
    return json.dumps(openid_client().certs())


jwks_cache = _JwksCache()


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
    return json.loads(checked.claims)


def validate_token(token, *, token_type="Bearer", nonce=None):  # noqa: S107 - "Bearer" is a JWT typ
    """Validate a Keycloak access or ID token for this site and return its claims.

    Checks the signature against the realm's JWKS, the algorithm, issuer,
    expiry, the audience/authorised party (the token must be issued to this
    site's client, not another one), the token type and, for ID tokens, the
    nonce sent with the login request.

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
    except (JWException, ValueError) as exc:
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
    """Validate a back-channel logout token (OIDC Back-Channel Logout 1.0, section 2.6).

    Signature, issuer, audience and expiry as for any token, then: the
    back-channel logout event, a `sid` or a `sub`, and no `nonce` (a logout
    token with one could be an ID token passed off as a logout token).

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
    return claims
