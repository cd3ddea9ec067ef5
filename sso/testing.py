"""Helpers for tests against the real Keycloak: its login page without a browser, and its admin API.

Nothing here replaces Keycloak: the login form is Keycloak's own page,
fetched and submitted over HTTP like a browser would.
"""

import html
import json
import os
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import requests
from keycloak import KeycloakAdmin

DEMO_PASSWORD = "youke-demo"  # noqa: S105 - the realm's documented demo password
_FORM_ACTION = re.compile(r'<form[^>]*id="kc-form-login"[^>]*action="([^"]+)"', re.S)


class KeycloakBrowser(requests.Session):
    """A requests session that sends Keycloak's login cookies back, as a browser does.

    Keycloak marks them Secure even on plain-http loopback, where browsers
    send them anyway (127.0.0.1 counts as secure), and labels them
    `Version=1`; http.cookiejar would keep both kinds but never send them.
    requests builds a fresh cookie jar for every request, so the cookies
    themselves are relaxed rather than the jar's policy.
    """

    def prepare_request(self, request):
        for cookie in self.cookies:
            cookie.secure, cookie.version = False, 0
        return super().prepare_request(request)


def keycloak_browser():
    return KeycloakBrowser()


def login_form_action(page):
    match = _FORM_ACTION.search(page)
    return html.unescape(match.group(1)) if match else None


def authorize(browser, authorization_url, username, password=DEMO_PASSWORD):
    """Open Keycloak's authorization URL and sign in on its form; return Keycloak's last answer.

    A redirect (302) carries the code back to the site; a page (200) means
    Keycloak refused and shows why. With a Keycloak session already open,
    no form is shown and the redirect comes at once.
    """
    page = browser.get(authorization_url, allow_redirects=False, timeout=15)
    if page.status_code in (302, 303):
        return page
    page.raise_for_status()
    action = login_form_action(page.text)
    assert action, "no login form on Keycloak's page"
    return browser.post(action, data={"username": username, "password": password}, allow_redirects=False, timeout=15)


def callback_of(answer):
    """(path, query dict) of the site URL Keycloak redirects back to."""
    assert answer.status_code in (302, 303), f"Keycloak did not redirect back (HTTP {answer.status_code})"
    location = urlsplit(answer.headers["Location"])
    return location.path, dict(parse_qsl(location.query))


def sign_in(client, username, *, next_url="/admin/", browser=None, password=DEMO_PASSWORD):
    """Sign a Django test client in through Keycloak's real login page; return the callback's response.

    The client must call the site as 127.0.0.1 (Client(HTTP_HOST="127.0.0.1")):
    the realm accepts redirect URIs on the loopback address only.
    """
    start = client.get("/sso/login/", {"next": next_url})
    assert start.status_code == 302, start.content[:500]
    answer = authorize(browser or keycloak_browser(), start["Location"], username, password)
    path, params = callback_of(answer)
    return client.get(path, params)


def realm_admin(realm=None):
    """KeycloakAdmin on the youke realm (or `realm`), as the master realm's admin (tests change users with it)."""
    return KeycloakAdmin(
        server_url=os.environ["KEYCLOAK_SERVER_URL"],
        username=os.environ.get("KEYCLOAK_ADMIN_USER", "admin"),
        password=os.environ.get("KEYCLOAK_ADMIN_PASSWORD", "admin"),
        realm_name=realm or os.environ.get("KEYCLOAK_REALM", "youke"),
        user_realm_name="master",
        timeout=15,
    )


REALM_DIR = Path(__file__).resolve().parents[1] / "scripts/keycloak"


def realm_file(name="youke-realm.json"):
    """A realm export kept in the repository: the test realm, or youke-realm.production.json."""
    return json.loads((REALM_DIR / name).read_text())


def realm_file_client_secret(client_id):
    """A client's secret as the realm export in the repository sets it (test-only secrets)."""
    return next(client["secret"] for client in realm_file()["clients"] if client["clientId"] == client_id)


def give_demo_accounts_their_realm_emails():
    """Give the local demo accounts the e-mail addresses the test realm has verified for their namesakes.

    That is how a district's own accounts look when it switches to Keycloak,
    and what lets the first Keycloak login adopt an account that has a local
    password (sso.mapping.adoption_refusal); without it the demo accounts
    would be refused as conflicts.
    """
    from django.contrib.auth import get_user_model

    verified = {user["username"]: user["email"] for user in realm_file()["users"] if user.get("emailVerified")}
    for user in get_user_model().objects.filter(username__in=verified):
        user.email = verified[user.username]
        user.save(update_fields=["email"])


class RealmChanges:
    """Changes tests make to users in Keycloak, undone at teardown (others use the same Keycloak)."""

    def __init__(self):
        self.admin = realm_admin()
        self._undo = []

    def user_id(self, username):
        return self.admin.get_user_id(username)

    def remove_role(self, username, role):
        user_id, representation = self.user_id(username), self.admin.get_realm_role(role)
        self.admin.delete_realm_roles_of_user(user_id, [representation])
        self._undo.append(lambda: self.admin.assign_realm_roles(user_id, [representation]))

    def disable(self, username):
        user_id = self.user_id(username)
        self.admin.update_user(user_id, {"enabled": False})
        self._undo.append(lambda: self.admin.update_user(user_id, {"enabled": True}))

    def set_client_attribute(self, client_id, name, value):
        internal_id = self.admin.get_client_id(client_id)
        attributes = self.admin.get_client(internal_id)["attributes"]
        old = attributes.get(name)
        self.admin.update_client(internal_id, {"attributes": {**attributes, name: value}})
        self._undo.append(lambda: self.admin.update_client(internal_id, {"attributes": {**attributes, name: old}}))

    def undo(self):
        while self._undo:
            self._undo.pop()()
