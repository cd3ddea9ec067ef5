"""The OIDC authorization-code flow with PKCE, state and nonce, through python-keycloak.

One login request = one entry in the session, keyed by its `state` and
holding the nonce, the PKCE verifier and where to go afterwards. The
callback takes the entry out before anything else, so a state (and the
nonce with it) works exactly once, whatever happens next.
"""

import secrets
import time
from urllib.parse import quote

from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from keycloak.pkce_utils import generate_code_challenge, generate_code_verifier

from .keycloak import TokenError, openid_client, validate_token

PENDING_KEY = "sso_pending"
# Logins started in other tabs stay valid, up to a few.
MAX_PENDING = 5
# Keycloak's accessCodeLifespanLogin (youke-realm.json): a login page left
# open longer cannot complete anyway.
PENDING_MAX_AGE = 30 * 60


class LoginError(Exception):
    """The callback cannot complete a login; the message is for logs, not users."""


def safe_next(request, url):
    """`url` if it stays on this site, else the default page after login."""
    allowed = url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    if url and allowed:
        return url
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def begin_login(request, next_url):
    """Remember a new login request in the session and return Keycloak's authorization URL.

    Raises KeycloakError when Keycloak cannot be reached (its discovery
    document gives the authorization endpoint).
    """
    state, nonce = secrets.token_urlsafe(32), secrets.token_urlsafe(32)
    verifier = generate_code_verifier()
    challenge, method = generate_code_challenge(verifier, "S256")
    redirect_uri = request.build_absolute_uri(reverse("sso_callback"))
    url = openid_client().auth_url(
        # python-keycloak pastes the parameters into the URL as they are.
        redirect_uri=quote(redirect_uri, safe=""),
        scope="openid",
        state=state,
        nonce=nonce,
        code_challenge=challenge,
        code_challenge_method=method,
    )
    pending = _live_pending(request.session)
    pending[state] = {
        "nonce": nonce,
        "verifier": verifier,
        "redirect_uri": redirect_uri,
        "next": safe_next(request, next_url),
        "at": time.time(),
    }
    newest = sorted(pending.items(), key=lambda item: item[1]["at"])[-MAX_PENDING:]
    request.session[PENDING_KEY] = dict(newest)
    return url


def take_pending(request, state):
    """Remove and return the login request named by `state`; a state is good for one callback.

    Raises LoginError when there is no such request (forged, replayed, or
    from another browser) or it is too old.
    """
    pending = request.session.get(PENDING_KEY) or {}
    entry = pending.pop(state, None) if state else None
    request.session[PENDING_KEY] = pending
    if entry is None:
        raise LoginError("unknown or already used state")
    if time.time() - entry["at"] > PENDING_MAX_AGE:
        raise LoginError("login request expired")
    return entry


def exchange_code(entry, code):
    """Trade the authorization code for tokens, proving with the PKCE verifier that we asked for it.

    Raises KeycloakError when Keycloak refuses (invalid_grant) or is unreachable.
    """
    return openid_client().token(
        grant_type="authorization_code",
        code=code,
        redirect_uri=entry["redirect_uri"],
        code_verifier=entry["verifier"],
    )


def verified_claims(tokens, nonce):
    """Validate the ID and access tokens of a login and return the user's claims with userinfo.

    The ID token must carry the nonce of this login request; both tokens
    must be about the same user and session; userinfo must be too.

    Raises TokenError when a check fails, KeycloakError when userinfo cannot be read.
    """
    if not nonce:
        raise TokenError("no nonce for this login request")
    id_claims = validate_token(tokens.get("id_token"), token_type="ID", nonce=nonce)  # noqa: S106 - a JWT typ
    access_claims = validate_token(tokens.get("access_token"))
    if access_claims.get("sub") != id_claims.get("sub"):
        raise TokenError("ID and access tokens are about different users")
    if access_claims.get("sid") != id_claims.get("sid"):
        raise TokenError("ID and access tokens belong to different sessions")
    userinfo = openid_client().userinfo(tokens["access_token"])
    if not isinstance(userinfo, dict) or userinfo.get("sub") != id_claims["sub"]:
        raise TokenError("userinfo is about another user")
    return {**access_claims, **id_claims, **userinfo}


def _live_pending(session):
    now = time.time()
    return {
        state: entry
        for state, entry in (session.get(PENDING_KEY) or {}).items()
        if now - entry.get("at", 0) <= PENDING_MAX_AGE
    }
