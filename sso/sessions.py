"""Site sessions opened by a Keycloak login: their tokens, refresh and single logout.

The session keeps the ID token (the hint for RP-initiated logout), the
refresh token and when the access token expires; never the access token
itself, which the site does not use after login.
"""

import logging
import time
from datetime import timedelta
from importlib import import_module

from django.conf import settings
from django.contrib.auth import logout
from django.utils import timezone
from keycloak.exceptions import KeycloakError

from .keycloak import TokenError, config, is_unreachable, openid_client, validate_token
from .mapping import IdentityConflict, identity_from_claims, upsert_user
from .models import SsoSession

logger = logging.getLogger(__name__)

SESSION_KEY = "sso"
# Refresh a little before the access token expires, not after.
REFRESH_MARGIN_SECONDS = 30
# While Keycloak is unreachable, try again at most this often, so that each
# page does not wait for a timeout.
RETRY_SECONDS = 60


def remember(request, tokens, claims):
    """Keep a fresh login's tokens in the session and note which Keycloak session it belongs to."""
    request.session[SESSION_KEY] = {
        "id_token": tokens["id_token"],
        "refresh_token": tokens.get("refresh_token", ""),
        "access_expires_at": _expires_at(tokens),
        "retry_at": 0,
        "sub": claims["sub"],
        "sid": claims.get("sid") or "",
    }
    # An absolute end: a session cannot outlive Keycloak's, even when refreshes fail.
    request.session.set_expiry(timezone.now() + timedelta(seconds=config()["SESSION_MAX_AGE"]))
    if not request.session.session_key:
        request.session.save()
    SsoSession.objects.update_or_create(
        session_key=request.session.session_key,
        defaults={"sid": claims.get("sid") or "", "sub": claims["sub"], "user": request.user},
    )


def id_token(request):
    return (request.session.get(SESSION_KEY) or {}).get("id_token", "")


def forget(request):
    """Drop the sid mapping of a session that is logging out (the session itself is flushed by Django)."""
    key = getattr(request, "session", None) and request.session.session_key
    if key:
        SsoSession.objects.filter(session_key=key).delete()


def end_sessions(*, sid="", sub="", user_ids=()):
    """Delete the site sessions of a Keycloak session (sid), user (sub) or site users; return how many."""
    rows = SsoSession.objects.all()
    if sid:
        rows = rows.filter(sid=sid)
        if sub:
            rows = rows.filter(sub=sub)
    elif sub:
        rows = rows.filter(sub=sub)
    elif user_ids:
        rows = rows.filter(user_id__in=list(user_ids))
    else:
        return 0
    store = import_module(settings.SESSION_ENGINE).SessionStore()
    keys = list(rows.values_list("session_key", flat=True))
    for key in keys:
        store.delete(key)
    SsoSession.objects.filter(session_key__in=keys).delete()
    return len(keys)


def refresh_if_needed(request):
    """Refresh the access token of a Keycloak session that needs it; end the session if Keycloak says so.

    Keycloak refusing the refresh token (session ended, user disabled,
    refresh token expired) ends the site session. Keycloak not answering
    keeps it: people go on working until their session's own end.
    """
    data = request.session.get(SESSION_KEY)
    now = time.time()
    if not data or now < data["access_expires_at"] or now < data.get("retry_at", 0):
        return
    try:
        tokens = openid_client().refresh_token(data["refresh_token"])
        claims = validate_token(tokens.get("access_token"))
    except KeycloakError as exc:
        if is_unreachable(exc):
            logger.warning("Keycloak unreachable while refreshing a token; keeping the session: %s", exc)
            request.session[SESSION_KEY] = {**data, "retry_at": now + RETRY_SECONDS}
            return
        logger.info("Keycloak refused the refresh token (%s); ending the site session", exc.response_code)
        logout(request)
        return
    except TokenError as exc:
        logger.warning("refreshed access token refused (%s); ending the site session", exc)
        logout(request)
        return
    if claims["sub"] != data["sub"]:
        logger.warning("refreshed token is about another user; ending the site session")
        logout(request)
        return
    try:
        # Roles, school and subjects follow Keycloak at each refresh, not only at login.
        upsert_user(identity_from_claims(claims))
    except IdentityConflict as exc:
        logger.warning("cannot map refreshed identity (%s); ending the site session", exc)
        logout(request)
        return
    request.session[SESSION_KEY] = {
        **data,
        "refresh_token": tokens.get("refresh_token") or data["refresh_token"],
        "id_token": logout_hint(tokens, data),
        "access_expires_at": _expires_at(tokens),
        "retry_at": 0,
    }


def logout_hint(tokens, data):
    """The refreshed ID token if it checks out as this session's, else the one the session has.

    It becomes the id_token_hint of the next sign-out, which tells Keycloak
    whose session to end without asking; so it is validated like the
    login's (signature, issuer, audience, expiry - a refresh carries no
    nonce) and must name the same user and Keycloak session.
    """
    new = tokens.get("id_token")
    if not new:
        return data["id_token"]
    try:
        claims = validate_token(new, token_type="ID")  # noqa: S106 - a JWT typ, not a secret
    except (TokenError, KeycloakError) as exc:
        logger.warning("refreshed ID token refused (%s); keeping the login's as the logout hint", exc)
        return data["id_token"]
    if claims.get("sub") != data["sub"] or (data.get("sid") and claims.get("sid") != data["sid"]):
        logger.warning("refreshed ID token is about another user or session; keeping the login's")
        return data["id_token"]
    return new


def _expires_at(tokens):
    return time.time() + max(int(tokens.get("expires_in") or 0) - REFRESH_MARGIN_SECONDS, 0)
