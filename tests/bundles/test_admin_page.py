"""离线资源包 in the admin: district admins see the size before building, and the built bundle listed."""

import pytest
from django.test import Client

from .conftest import lesson, stored_outputs

pytestmark = pytest.mark.django_db

MP4 = b"\x00\x00\x00\x18ftypmp42" + b"v" * 50_000


def client_for(django_user_model, username):
    client = Client()
    client.force_login(django_user_model.objects.get(username=username))
    return client


def test_a_district_admin_sees_the_size_then_builds_the_bundle(
    library, signing_key, settings, tmp_path, django_user_model, monkeypatch
):
    from youke.celery import app

    monkeypatch.setitem(app.conf, "task_always_eager", True)
    settings.BUNDLE_OUTPUT_DIR = tmp_path / "bundles"
    lesson("几分之一", stored_outputs({"download.mp4": MP4, "poster.jpg": b"\xff\xd8p"}))
    admin = client_for(django_user_model, "district_admin1")
    query = {"subject": "数学", "rendition": "360p", "licence": "public"}

    assert "offline-bundles" in admin.get("/admin/").content.decode(), "in the district admin's menu"
    page = admin.get("/admin/offline-bundles/", query).content.decode()
    assert "预计 1 课（其中 0 课没有视频），约" in page and "还没有生成过资源包" in page

    built = admin.post("/admin/offline-bundles/", query, follow=True).content.decode()
    assert "已开始生成资源包" in built
    bundle_dirs = list((tmp_path / "bundles").iterdir())
    assert len(bundle_dirs) == 1 and (bundle_dirs[0] / "manifest.json.sig").is_file()
    assert bundle_dirs[0].name in built and "数学" in built


def test_teachers_cannot_open_it(library, django_user_model):
    teacher = client_for(django_user_model, "teacher1")
    refused = teacher.get("/admin/offline-bundles/")
    assert refused.status_code == 302 and refused.url == "/admin/", "Wagtail turns the refusal into a redirect"
    assert "offline-bundles" not in teacher.get("/admin/").content.decode(), "nor is it in the menu"
