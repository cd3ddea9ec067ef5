"""Every way a bundle is made takes only published lessons its licence allows.

The entry points: `manage.py export_bundle` (and its --dry-run size), the admin
page's 估算大小 and 生成资源包, and the `bundles.build_bundle` task behind the
page. Each is given the same selection, in which beside the published lessons
sit a draft, a lesson taken down again, one in school review, and one shared
with signed-in users only; and a published lesson whose newer draft renamed it
(the bundle carries what is published, not the draft).
"""

import json

import pytest
from django.conf import settings
from django.core.management import call_command
from django.test import Client

from bundles.selection import Selection
from bundles.tasks import build_bundle

from .conftest import lesson, stored_outputs

pytestmark = pytest.mark.django_db

SELECTION = {"stage": "小学", "subject": "数学", "rendition": "360p"}
HIDDEN_STATES = ("draft", "taken_down", "in_review")


def video_bytes(name):
    return b"\x00\x00\x00\x18ftypmp42" + name.encode() * 2000


def outputs(name):
    """A ready video of its own (its download MP4 and poster) for one lesson."""
    return stored_outputs({"download.mp4": video_bytes(name), "poster.jpg": b"\xff\xd8" + name.encode()})


def unpublished_lessons():
    """In the selection 小学 · 数学, one lesson in each state a bundle must leave out: {state: page}."""
    return {state: lesson(f"几分之一（{state}）", outputs(state), state=state) for state in HIDDEN_STATES}


@pytest.fixture
def mixed_library(library, settings, tmp_path, signing_key):
    settings.BUNDLE_OUTPUT_DIR = tmp_path / "bundles"
    public = lesson("几分之一（公开）", outputs("public"))
    renamed = lesson("分一分（已发布的标题）", outputs("renamed"), node="分一分（一）")
    renamed.title = "分一分（草稿里改的标题）"
    renamed.save_revision()
    members = lesson("几分之一（仅限登录）", outputs("signed_in"), licence="signed_in")
    hidden = unpublished_lessons()
    return {"public": {public.pk, renamed.pk}, "signed_in": {public.pk, renamed.pk, members.pk}, "hidden": hidden}


def by_command(licence, tmp_path, admin):
    out = tmp_path / f"command-{licence}"
    call_command("export_bundle", str(out), licence=licence, **SELECTION)
    return json.loads((out / "manifest.json").read_text())


def by_task(licence, tmp_path, admin):
    result = build_bundle.apply(args=[Selection(licence=licence, **SELECTION).as_dict()]).get()
    return read_built(result["bundle_id"])


def by_admin_page(licence, tmp_path, admin):
    response = admin.post("/admin/offline-bundles/", {"licence": licence, **SELECTION})
    assert response.status_code == 302
    (folder,) = settings.BUNDLE_OUTPUT_DIR.iterdir()
    return read_built(folder.name)


def read_built(bundle_id):
    return json.loads((settings.BUNDLE_OUTPUT_DIR / bundle_id / "manifest.json").read_text())


ENTRY_POINTS = {"export_bundle": by_command, "build_bundle task": by_task, "admin page": by_admin_page}


@pytest.fixture
def district_admin(django_user_model, monkeypatch):
    from youke.celery import app

    # The page queues the build; here it runs in this process (the browser test uses a real worker).
    monkeypatch.setitem(app.conf, "task_always_eager", True)
    client = Client()
    client.force_login(django_user_model.objects.get(username="district_admin1"))
    return client


@pytest.mark.parametrize("licence", ["public", "signed_in"])
@pytest.mark.parametrize("entry", ENTRY_POINTS)
def test_only_published_lessons_the_licence_allows(entry, licence, mixed_library, district_admin, tmp_path):
    manifest = ENTRY_POINTS[entry](licence, tmp_path, district_admin)

    ids = {item["id"] for item in manifest["lessons"]}
    assert ids == mixed_library[licence], [item["title"] for item in manifest["lessons"]]
    assert "分一分（已发布的标题）" in [item["title"] for item in manifest["lessons"]], "the published title"
    assert not ids & {page.pk for page in mixed_library["hidden"].values()}
    assert {item["licence"]["code"] for item in manifest["lessons"]} <= {"public", licence}


@pytest.mark.parametrize("licence, count", [("public", 2), ("signed_in", 3)])
def test_the_size_shown_before_building_counts_the_same_lessons(licence, count, mixed_library, district_admin, capsys):
    call_command("export_bundle", "unused", licence=licence, dry_run=True, **SELECTION)
    assert f"预计 {count} 课" in capsys.readouterr().out
    page = district_admin.get("/admin/offline-bundles/", {"licence": licence, **SELECTION}).content.decode()
    assert f"预计 {count} 课" in page
