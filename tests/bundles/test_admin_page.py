"""离线资源包 in the admin: district admins see the size before building, and the built bundle listed."""

import io
import zipfile

import pytest
from django.test import Client

from bundles import builder
from bundles.selection import Selection

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

    bundle_id = bundle_dirs[0].name
    download = admin.get(f"/admin/offline-bundles/{bundle_id}.zip")
    assert download["Content-Type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content))) as archive:
        on_disk = sorted(
            p.relative_to(tmp_path / "bundles").as_posix() for p in bundle_dirs[0].rglob("*") if p.is_file()
        )
        assert sorted(archive.namelist()) == on_disk, "the whole folder, under the bundle's id"
        assert archive.read(f"{bundle_id}/manifest.json") == (bundle_dirs[0] / "manifest.json").read_bytes()
    manifest = admin.get(f"/admin/offline-bundles/{bundle_id}/manifest.json")
    assert b"".join(manifest.streaming_content) == (bundle_dirs[0] / "manifest.json").read_bytes()
    assert admin.get("/admin/offline-bundles/youke-000000000000.zip").status_code == 404
    assert admin.get("/admin/offline-bundles/...zip").status_code == 404, "an id that is no bundle id"


def test_teachers_cannot_open_it(library, django_user_model, signing_key, settings, tmp_path):
    settings.BUNDLE_OUTPUT_DIR = tmp_path / "bundles"
    chosen = Selection()
    builder.build(chosen, settings.BUNDLE_OUTPUT_DIR / chosen.bundle_id(), warn=lambda text: None)
    teacher = client_for(django_user_model, "teacher1")
    for path in ("/admin/offline-bundles/", f"/admin/offline-bundles/{chosen.bundle_id()}/manifest.json",
                 f"/admin/offline-bundles/{chosen.bundle_id()}.zip"):  # fmt: skip
        refused = teacher.get(path)
        assert refused.status_code == 302 and refused.url == "/admin/", "Wagtail turns the refusal into a redirect"
    assert "offline-bundles" not in teacher.get("/admin/").content.decode(), "nor is it in the menu"
