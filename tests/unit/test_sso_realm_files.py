"""The production realm is the test realm without its test-only parts, and the two cannot drift apart.

scripts/keycloak/youke-realm.json is what the tests and developers import;
youke-realm.production.json is what docker compose imports. Everything the
site relies on (roles, school groups, user profile, token mappers, clients'
flows) must be the same in both; secrets and URLs come from the environment
through Keycloak's ${VAR} import placeholders. That the production file
works in a real Keycloak is checked in tests/integration/test_keycloak.py.
"""

import json
import re

import pytest

from sso.testing import REALM_DIR, realm_file

PRODUCTION = "youke-realm.production.json"
# Everything Keycloak resolves from the environment when it imports the production realm.
PLACEHOLDERS = {"YOUKE_SITE_URL", "YOUKE_WEB_CLIENT_SECRET", "YOUKE_SYNC_CLIENT_SECRET", "YOUKE_BACKCHANNEL_LOGOUT_URL"}
# Realm settings the test realm changes for tests, with their production values.
TEST_ONLY_SETTINGS = {
    "sslRequired": "external",  # tests call Keycloak over plain http from 127.0.0.1 anyway
    "quickLoginCheckMilliSeconds": 1000,  # Keycloak's default; tests lower it to 1 ms
}
# youke-web fields that differ: its secret, URLs and the password grant the tests sign in with.
WEB_CLIENT_DIFFERENCES = {"secret", "rootUrl", "redirectUris", "directAccessGrantsEnabled"}
WEB_URL_ATTRIBUTES = {"post.logout.redirect.uris", "backchannel.logout.url"}


@pytest.fixture(scope="module")
def test_realm():
    return realm_file()


@pytest.fixture(scope="module")
def production():
    return realm_file(PRODUCTION)


def clients(realm):
    return {client["clientId"]: client for client in realm["clients"]}


def test_realm_settings_are_the_same_but_for_the_test_only_ones(test_realm, production):
    ignored = {"users", "clients", *TEST_ONLY_SETTINGS}
    assert {k: v for k, v in production.items() if k not in ignored} == {
        k: v for k, v in test_realm.items() if k not in ignored
    }
    for name, value in TEST_ONLY_SETTINGS.items():
        assert production[name] == value, name


def test_same_roles_groups_user_profile_and_client_scopes(test_realm, production):
    for part in ("roles", "groups", "components", "clientScopes", "defaultDefaultClientScopes"):
        assert production.get(part) == test_realm.get(part), part
    assert {role["name"] for role in production["roles"]["realm"]} >= {
        "teacher", "school_reviewer", "district_reviewer", "trainer", "district_admin"
    }  # fmt: skip


def test_same_token_mappers_and_flows_for_the_site(test_realm, production):
    web, test_web = clients(production)["youke-web"], clients(test_realm)["youke-web"]
    assert web["protocolMappers"] == test_web["protocolMappers"]
    for field in test_web.keys() - WEB_CLIENT_DIFFERENCES - {"attributes"}:
        assert web.get(field) == test_web[field], field
    assert web.keys() == test_web.keys()
    for name in test_web["attributes"].keys() - WEB_URL_ATTRIBUTES:
        assert web["attributes"].get(name) == test_web["attributes"][name], name
    sync = clients(test_realm)["youke-sync"]
    assert clients(production)["youke-sync"] == {**sync, "secret": "${YOUKE_SYNC_CLIENT_SECRET}"}


def test_sync_service_account_has_the_same_rights(test_realm, production):
    def service_accounts(realm):
        return [user for user in realm["users"] if user.get("serviceAccountClientId")]

    assert service_accounts(production) == service_accounts(test_realm)


def test_no_people_no_foreign_client_no_password_grant(production):
    assert clients(production).keys() == {"youke-web", "youke-sync"}, "no other-app"
    assert all(user.get("serviceAccountClientId") for user in production["users"]), "no people, only the sync account"
    assert not any(client["directAccessGrantsEnabled"] for client in production["clients"])
    assert production["sslRequired"] in ("external", "all")


def test_secrets_and_site_urls_come_from_the_environment(production):
    web, sync = clients(production)["youke-web"], clients(production)["youke-sync"]
    assert web["secret"] == "${YOUKE_WEB_CLIENT_SECRET}"
    assert sync["secret"] == "${YOUKE_SYNC_CLIENT_SECRET}"
    assert web["rootUrl"] == "${YOUKE_SITE_URL}"
    # Exact URLs, no wildcards: a code can be sent back to the site's callback only.
    assert web["redirectUris"] == ["${YOUKE_SITE_URL}/sso/callback/"]
    assert web["attributes"]["post.logout.redirect.uris"] == "${YOUKE_SITE_URL}/sso/logged-out/"
    assert web["attributes"]["backchannel.logout.url"] == "${YOUKE_BACKCHANNEL_LOGOUT_URL}"


def test_nothing_of_the_test_realm_left_in_the_production_file(production):
    text = (REALM_DIR / PRODUCTION).read_text()
    for test_only in ("test-secret", "not-for-production", "youke-demo", "127.0.0.1", "localhost", "example.com"):
        assert test_only not in text, test_only
    assert '"credentials"' not in text
    # Placeholders are upper case; ${username} and the like are Keycloak's own message keys.
    assert set(re.findall(r"\$\{([A-Z][A-Z0-9_]*)\}", text)) == PLACEHOLDERS
    json.loads(text)
