"""Test clients already signed in: one way for the local accounts, one through the real Keycloak."""

from django.test import Client


def signed_in(account, backend=None):
    """A client logged in as `account` without a password (Django's force_login)."""
    client = Client()
    client.force_login(account, backend=backend)
    return client


def signed_in_through_keycloak(username, browser=None):
    """A client that went through the whole code flow as `username`, calling the site as 127.0.0.1."""
    from sso import keycloak as kc
    from sso.testing import sign_in

    kc.jwks_cache.clear()
    client = Client(HTTP_HOST="127.0.0.1")
    assert sign_in(client, username, browser=browser).status_code == 302
    return client
