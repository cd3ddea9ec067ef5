"""Login lockout (django-axes) on the embedded default's password login."""

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery"


@pytest.fixture
def embedded(settings):
    settings.KEYCLOAK = None


@pytest.fixture
def users():
    User = get_user_model()
    return [User.objects.create_user(name, password=PASSWORD) for name in ("teacher_a", "teacher_b")]


def _login(client, username, password):
    return client.post("/admin/login/", {"username": username, "password": password, "next": "/admin/"})


def _signed_in(response):
    return "_auth_user_id" in response.wsgi_request.session


def test_ten_wrong_passwords_lock_the_account_until_the_cool_off_ends(embedded, users):
    client = Client()
    for _ in range(10):
        assert not _signed_in(_login(client, "teacher_a", "wrong"))
    refused = _login(client, "teacher_a", PASSWORD)
    assert refused.status_code == 429
    assert "登录已暂时锁定" in refused.content.decode()
    assert not _signed_in(refused)

    # The cool-off over (here: the records cleared as it would clear them), the right password works.
    call_command("axes_reset", verbosity=0)
    response = _login(client, "teacher_a", PASSWORD)
    assert response.status_code == 302 and _signed_in(response)


def test_the_lock_is_per_username_and_address(embedded, users):
    """One person guessing behind a school's NAT does not lock out the others there."""
    client = Client()
    for _ in range(10):
        _login(client, "teacher_a", "wrong")
    assert _login(client, "teacher_a", PASSWORD).status_code == 429
    other = _login(Client(), "teacher_b", PASSWORD)
    assert other.status_code == 302 and _signed_in(other)
    elsewhere = _login(Client(REMOTE_ADDR="10.9.8.7"), "teacher_a", PASSWORD)
    assert elsewhere.status_code == 302 and _signed_in(elsewhere)


def test_force_login_and_requestless_authenticate_still_work(embedded, users):
    from django.contrib.auth import authenticate

    assert authenticate(None, username="teacher_a", password=PASSWORD) == users[0]
    client = Client()
    client.force_login(users[0])
    assert client.get("/search/").wsgi_request.user == users[0]
