"""A public page stays light for signed-in people too: no admin assets, compressed HTML, one edit link."""

import gzip

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from resources.models import Licence
from tests.resources.helpers import package

pytestmark = pytest.mark.django_db


def signed_in(username):
    client = Client()
    client.force_login(get_user_model().objects.get(username=username))
    return client


def test_a_lesson_page_carries_no_admin_assets_and_an_edit_link_only_for_those_who_may_edit(library):
    owner = get_user_model().objects.get(username="teacher1")
    page = package("认识钟表", owner=owner, teacher=owner, licence=Licence.PUBLIC, parts=False)
    mine = signed_in("teacher1").get(page.url).content.decode()
    # The Wagtail userbar put ~1.2 MB of parser-blocking admin CSS/JS above every public page.
    assert "wagtailadmin" not in mine and "userbar" not in mine
    assert f'href="/admin/pages/{page.pk}/edit/"' in mine and "编辑此页" in mine
    other = signed_in("teacher2").get(page.url).content.decode()
    assert "编辑此页" not in other and "wagtailadmin" not in other
    assert "编辑此页" not in Client().get(page.url).content.decode()


def test_pages_are_compressed_for_browsers_that_ask(library):
    answer = Client().get("/", HTTP_ACCEPT_ENCODING="gzip, deflate, br")
    assert answer.status_code == 200 and answer["Content-Encoding"] == "gzip"
    html = gzip.decompress(answer.content).decode()
    assert "优课" in html and len(answer.content) < len(html.encode()) / 2
