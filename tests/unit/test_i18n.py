"""Chinese is the default interface language; English is a real second one.

The public pages render English from locale/en when a visitor asks for it (by
the switcher's cookie or the browser's Accept-Language) and Chinese otherwise,
and the compiled catalogue matches the .po file it was compiled from.
"""

import ast
import gettext
import re

import pytest
from django.conf import settings
from django.urls import reverse

pytestmark = pytest.mark.django_db

LOCALE_DIR = settings.BASE_DIR / "locale" / "en" / "LC_MESSAGES"


def _in_english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_home_page_is_chinese_by_default(demo_site, client):
    html = client.get("/").content.decode()
    assert '<html lang="zh-hans">' in html
    assert "参与学校" in html and "按教材浏览" in html and "区域教育资源公共服务平台" in html
    assert "Participating schools" not in html and "Browse by textbook" not in html


def test_home_page_in_english(demo_site, client):
    html = _in_english(client).get("/").content.decode()
    assert '<html lang="en">' in html
    assert "Participating schools" in html
    assert "Browse by textbook" in html
    assert "Regional public service platform for educational resources" in html
    assert "参与学校" not in html and "按教材浏览" not in html
    assert "Rural" in html  # a model choice (School.Area) from Python code, not the template


def test_browser_language_header_chooses_english(demo_site, client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9").content.decode()
    assert "Participating schools" in html


@pytest.mark.service("search")
def test_search_page_in_both_languages(demo_site, client):
    chinese = client.get("/search/", {"q": "没有这种课"}).content.decode()
    assert "共找到 0 条资源" in chinese and "没有找到相关资源，换个词试试。" in chinese and "相关度" in chinese
    english = _in_english(client).get("/search/", {"q": "没有这种课"}).content.decode()
    assert "0 resources found" in english
    assert "Nothing found; try other words." in english
    assert "Relevance" in english  # a sort label from search/views.py
    assert "共找到" not in english and "相关度" not in english


def test_switcher_posts_to_set_language(demo_site, client):
    html = client.get("/search/").content.decode()
    form = re.search(r'<form class="language-switch" action="([^"]+)" method="post">(.*?)</form>', html, re.S)
    assert form, "the footer has no language switcher"
    assert form.group(1) == reverse("set_language")
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert 'name="next" value="/search/"' in form.group(2)
    assert {"zh-hans", "en"} == set(re.findall(r'name="language" value="([^"]+)"', form.group(2)))

    response = client.post(form.group(1), {"language": "en", "next": "/search/"})
    assert response.status_code == 302 and response["Location"] == "/search/"
    assert client.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    assert "<h1>Search</h1>" in client.get("/search/").content.decode()

    client.post(form.group(1), {"language": "zh-hans", "next": "/"})
    assert "<h1>搜索</h1>" in client.get("/search/").content.decode()


def _po_catalogue(path):
    """msgid -> msgstr of a .po file without plurals or contexts (ours has none)."""
    catalogue = {}
    for entry in path.read_text(encoding="utf-8").split("\n\n"):
        fields = re.findall(r'^(msgid|msgstr) ((?:".*"\n?)+)', entry, re.M)
        values = {key: "".join(ast.literal_eval(part) for part in re.findall(r'".*"', text)) for key, text in fields}
        if values.get("msgid"):
            catalogue[values["msgid"]] = values["msgstr"]
    return catalogue


def test_every_message_is_translated_and_compiled():
    """A .po edited without `compilemessages` would leave the site showing the old English."""
    po = _po_catalogue(LOCALE_DIR / "django.po")
    assert len(po) > 100
    assert not [msgid for msgid, msgstr in po.items() if not msgstr], "untranslated messages in django.po"
    with open(LOCALE_DIR / "django.mo", "rb") as handle:
        mo = gettext.GNUTranslations(handle)
    stale = [msgid for msgid, msgstr in po.items() if mo.gettext(msgid) != msgstr]
    assert not stale, f"django.mo is out of date; run `manage.py compilemessages -l en` ({stale[:3]})"
