"""The admin's Chinese: Wagtail's missing zh_Hans text, names family name first, Wagtail's English defaults renamed."""

import gettext

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import translation
from wagtail.models import Collection, Page, Task, Workflow

from resources.provision import ensure_library
from sso.names import full_name
from training.certificates import display_name

ZH_DIR = settings.BASE_DIR / "locale" / "zh_Hans" / "LC_MESSAGES"


def test_wagtail_text_missing_from_its_catalogue_is_chinese():
    with translation.override("zh-hans"):
        assert translation.gettext("Search all pages…") == "搜索全部页面…"
        assert translation.gettext("Your pages and snippets in a workflow") == "我提交审核中的内容"
        assert translation.gettext("The page could not be created due to validation errors.").startswith("页面未能创建")
        pages = translation.ngettext(
            '%(total)s Page <span class="w-sr-only">created in %(site_name)s</span>',
            '%(total)s Pages <span class="w-sr-only">created in %(site_name)s</span>',
            46,
        )
        assert pages % {"total": 46, "site_name": "优课"} == '46 个页面<span class="w-sr-only">（优课）</span>'
        # ...and what Wagtail did translate still comes from Wagtail.
        assert translation.gettext("Submit to %(workflow_name)s") == "提交给%(workflow_name)s"


def test_zh_hans_catalogue_is_compiled():
    """A .po edited without `compilemessages -l zh_Hans` would leave the admin in English."""
    with open(ZH_DIR / "django.mo", "rb") as handle:
        mo = gettext.GNUTranslations(handle)
    text = (ZH_DIR / "django.po").read_text(encoding="utf-8")
    for msgid in ["Search all pages…", "Go to the first error", "Date updated", "Sites menu"]:
        assert f'msgid "{msgid}"' in text
        assert mo.gettext(msgid) != msgid, f"django.mo is out of date for {msgid!r}"


def test_chinese_names_are_family_name_first():
    assert full_name("芳", "王") == "王芳"
    assert full_name("王芳", "") == "王芳"  # as sso.mapping stores a directory name
    assert full_name("Ada", "Lovelace") == "Ada Lovelace"
    assert full_name("", "") == ""


@pytest.mark.django_db
def test_every_caller_of_get_full_name_gets_wang_fang():
    user = get_user_model().objects.create_user("wangfang", first_name="芳", last_name="王")
    assert user.get_full_name() == "王芳"
    assert display_name(user) == "王芳"
    from wagtail.admin.utils import get_user_display_name

    assert get_user_display_name(user) == "王芳"


@pytest.mark.django_db
def test_wagtail_english_defaults_are_renamed_and_kept(demo_site, curriculum):
    """Renamed, not deleted: whoever is in Wagtail's Moderators stays in it, under its Chinese name."""
    moderators = Group.objects.get(name="Moderators")
    member = get_user_model().objects.create_user("someone")
    member.groups.add(moderators)
    ensure_library()
    ensure_library()  # idempotent, as setup_library runs on every deployment
    assert not Group.objects.filter(name__in=["Moderators", "Editors"]).exists()
    assert list(member.groups.values_list("name", flat=True)) == ["网站审核员（Wagtail 默认）"]
    assert not Workflow.objects.filter(name="Moderators approval").exists()
    assert not Task.objects.filter(name="Moderators approval").exists()
    assert Page.objects.get(depth=1).title == "全部站点"
    assert Collection.get_first_root_node().name == "全部文件"
    # The groups the code looks up are untouched.
    assert {"教师", "校级审核员", "区级审核员", "培训管理员", "区级管理员"} <= set(
        Group.objects.values_list("name", flat=True)
    )
