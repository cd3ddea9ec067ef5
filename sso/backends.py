"""Authentication backends: Keycloak logins, and local passwords only where allowed.

With Keycloak configured, a local password signs in nobody but the
break-glass superusers named in SSO_BREAK_GLASS_USERNAMES (for when
Keycloak itself is down). Without Keycloak, local passwords work as in
plain Django: the embedded default with its demo users.
"""

import logging

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import BaseBackend, ModelBackend

from .keycloak import TokenError
from .mapping import IdentityConflict, identity_from_claims, upsert_user
from .oidc import verified_claims

logger = logging.getLogger(__name__)


class LoginLockoutBackend(AxesStandaloneBackend):
    """django-axes' lockout check, for logins made by a request.

    axes raises for authenticate() without a request; such calls (the shell,
    management commands, tests) come from no client it could lock out, so
    they pass on to the other backends. Every login view passes its request.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


class KeycloakBackend(BaseBackend):
    """Signs in the user named by a Keycloak login's tokens, created or updated from their claims.

    It validates the tokens itself (signature, issuer, audience, expiry and
    the login request's nonce), so nothing reaches a session on unchecked
    claims. Permissions come from ModelBackend through the user's groups.
    """

    def authenticate(self, request, keycloak_tokens=None, nonce=None):
        if keycloak_tokens is None or not settings.KEYCLOAK:
            return None

        try:
            claims = verified_claims(keycloak_tokens, nonce)
            user = upsert_user(identity_from_claims(claims))
        except TokenError as exc:
            logger.warning("Keycloak login refused: %s", exc)
            return None
        except IdentityConflict as exc:
            logger.warning("Keycloak login refused, account conflict: %s", exc)
            if request is not None:
                # The callback tells the person to ask an administrator, not to try again.
                request.sso_account_conflict = True
            return None
        user.sso_claims = claims
        return user

    def get_user(self, user_id):
        user = get_user_model()._default_manager.filter(pk=user_id).first()
        return user if user is not None and user.is_active else None


class LocalPasswordBackend(ModelBackend):
    """Django's username and password, switched off by Keycloak except for break-glass superusers."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        if not settings.KEYCLOAK:
            return super().authenticate(request, username=username, password=password, **kwargs)
        if username not in settings.SSO_BREAK_GLASS_USERNAMES:
            # Hash anyway, as ModelBackend does for unknown users: the answer
            # must not come faster for names that are not break-glass ones.
            get_user_model()().set_password(password)
            return None
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if user is not None and not user.is_superuser:
            logger.warning("break-glass login refused for %s: not a superuser", username)
            return None
        if user is not None:
            logger.warning("break-glass local login of %s while Keycloak is configured", username)
        return user
