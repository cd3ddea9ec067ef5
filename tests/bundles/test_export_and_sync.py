"""Export a bundle and sync it to a school box: hashes, signature, corruption, deltas, a bad source disk.

Fast tier: the video outputs are stored bytes (360p is the transcoder's download.mp4
copied as it is, so no ffmpeg is needed); tests/bundles/test_offline_player.py plays real video.
"""

import hashlib
import json
import os

import pytest
from django.core.management import call_command

from bundles import builder
from bundles.selection import Selection

from .conftest import lesson, stored_outputs, sync

pytestmark = pytest.mark.django_db

MP4 = b"\x00\x00\x00\x18ftypmp42" + bytes(range(256)) * 400  # ~100 kB stands in for a lesson video
PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def two_lessons(library):
    first = lesson("几分之一（王芳）", stored_outputs({"download.mp4": MP4, "poster.jpg": b"\xff\xd8poster"}),
                   documents=[("design.pdf", PDF)])  # fmt: skip
    second = lesson("分一分", stored_outputs({"download.mp4": MP4[::-1], "poster.jpg": b"\xff\xd8p2"}),
                    node="分一分（一）", award="school")  # fmt: skip
    lesson("仅限登录", stored_outputs({"download.mp4": b"private" * 10, "poster.jpg": b"p"}), licence="signed_in")
    return first, second


def export(out, **options):
    call_command("export_bundle", str(out), **options)
    return json.loads((out / "manifest.json").read_text())


def test_export_writes_content_addressed_files_and_a_signed_manifest(two_lessons, signing_key, tmp_path):
    manifest = export(tmp_path / "bundle", subject="数学", include_documents=True)

    assert manifest["schema_version"] == 1 and manifest["selection"]["subject"] == "数学"
    titles = [item["title"] for item in manifest["lessons"]]
    assert titles == ["几分之一（王芳）", "分一分"], "only public, published lessons, in curriculum order"
    first = manifest["lessons"][0]
    assert (
        first["placement"]["textbook"] == "人教版 数学 三年级上册" and first["placement"]["unit"] == "8 分数的初步认识"
    )
    assert first["school"]["name"] == "城关第一小学" and first["award"]["label"] == "区级优课"
    assert first["licence"]["code"] == "public" and first["teacher"] == "王芳"
    roles = {item["role"]: item for item in first["files"]}
    assert set(roles) == {"video", "poster", "document"}
    for item in first["files"]:
        body = (tmp_path / "bundle" / item["path"]).read_bytes()
        assert item["path"] == f"files/{item['sha256'][:2]}/{item['sha256']}.{item['path'].rsplit('.', 1)[1]}"
        assert len(body) == item["size"] and hashlib.sha256(body).hexdigest() == item["sha256"]
    assert (tmp_path / "bundle" / roles["video"]["path"]).read_bytes() == MP4
    assert {entry["path"] for entry in manifest["app"]} == {"index.html", "player.js", "player.css"}

    from youke_sync import manifest as manifests

    public = manifests.load_public_key(signing_key)
    body, signature = (tmp_path / "bundle" / "manifest.json").read_bytes(), (tmp_path / "bundle" / "manifest.json.sig")
    assert manifests.verify(body, signature.read_bytes(), public)["bundle_id"] == manifest["bundle_id"]


def test_award_minimum_and_licence_narrow_or_widen_the_selection(two_lessons, signing_key, tmp_path):
    assert [item["title"] for item in export(tmp_path / "a", award_min="区级优课")["lessons"]] == ["几分之一（王芳）"]
    wide = export(tmp_path / "b", licence="signed_in")
    assert "仅限登录" in [item["title"] for item in wide["lessons"]]


def test_sync_copies_verifies_and_skips_what_is_already_good(two_lessons, signing_key, tmp_path):
    export(tmp_path / "bundle", include_documents=True)
    box = tmp_path / "box"

    first = sync(tmp_path / "bundle", box, signing_key)
    assert "新增 2 课" in first.stdout and "2 added" in first.stdout
    served = box / "current"
    assert (served / "index.html").is_file() and json.loads((served / "manifest.json").read_text())["lessons"]
    video = json.loads((served / "manifest.json").read_text())["lessons"][0]["files"][0]
    assert (served / video["path"]).read_bytes() == MP4

    again = sync(tmp_path / "bundle", box, signing_key)
    assert "Fetched 0 files (0 bytes)" in again.stdout


def test_a_corrupted_file_on_the_box_is_deleted_and_fetched_again(two_lessons, signing_key, tmp_path):
    manifest = export(tmp_path / "bundle")
    box = tmp_path / "box"
    sync(tmp_path / "bundle", box, signing_key)
    video = manifest["lessons"][0]["files"][0]["path"]
    broken = bytearray((box / video).read_bytes())
    broken[5000] ^= 0xFF
    (box / video).write_bytes(bytes(broken))

    result = sync(tmp_path / "bundle", box, signing_key)

    assert f"bad copy, fetching again: {video}" in result.stdout
    assert (box / video).read_bytes() == MP4


def test_a_tampered_manifest_is_refused_and_the_box_keeps_its_version(two_lessons, signing_key, tmp_path):
    export(tmp_path / "bundle")
    box = tmp_path / "box"
    sync(tmp_path / "bundle", box, signing_key)
    before = (box / "current" / "manifest.json").read_bytes()
    path = tmp_path / "bundle" / "manifest.json"
    path.write_bytes(path.read_bytes().replace("王芳".encode(), "李强".encode()))

    result = sync(tmp_path / "bundle", box, signing_key, check=False)

    assert result.returncode == 1
    assert "签名无效" in result.stderr and "Invalid bundle signature" in result.stderr
    assert (box / "current" / "manifest.json").read_bytes() == before


def test_a_changed_lesson_arrives_as_a_delta_that_names_it(two_lessons, signing_key, tmp_path, library):
    first, second = two_lessons
    export(tmp_path / "bundle")
    box = tmp_path / "box"
    sync(tmp_path / "bundle", box, signing_key)
    old_video = json.loads((box / "current" / "manifest.json").read_text())["lessons"][1]["files"][0]["path"]
    # The teacher re-recorded 分一分; a third lesson is published; nothing else changed.
    part = second.parts.get(kind="video")
    part.video = stored_outputs({"download.mp4": MP4 + b"new take", "poster.jpg": b"\xff\xd8p2"})
    part.save()
    lesson(
        "分一分（二）新课", stored_outputs({"download.mp4": b"third" * 100, "poster.jpg": b"p3"}), node="分一分（二）"
    )
    export(tmp_path / "bundle")

    result = sync(tmp_path / "bundle", box, signing_key)

    assert "新增 1 课，删除 0 课，更新 1 课" in result.stdout
    assert "~ 分一分（王芳，城关第一小学）" in result.stdout and "+ 分一分（二）新课" in result.stdout
    assert "Fetched 3 files" in result.stdout, "the new lesson's video and poster, the changed video; not the rest"
    assert not (box / old_video).exists(), "a file no lesson uses any more is removed after the swap"


def test_a_zero_byte_file_on_the_source_disk_leaves_the_old_version_served(two_lessons, signing_key, tmp_path):
    export(tmp_path / "bundle")
    box = tmp_path / "box"
    sync(tmp_path / "bundle", box, signing_key)
    old = os.readlink(box / "current")
    # The USB disk was pulled out mid-copy: the new video arrived as 0 bytes.
    export(tmp_path / "usb")
    manifest = json.loads((tmp_path / "usb" / "manifest.json").read_text())
    new_file = next(f for item in manifest["lessons"] for f in item["files"] if f["role"] == "poster")
    (tmp_path / "usb" / new_file["path"]).write_bytes(b"")
    (box / new_file["path"]).unlink(missing_ok=True)

    result = sync(tmp_path / "usb", box, signing_key, check=False)

    assert result.returncode == 1
    assert "文件校验失败" in result.stderr and "0 字节" in result.stderr and "still served" in result.stderr
    assert os.readlink(box / "current") == old


def test_resuming_a_partial_file_fetches_only_the_rest(two_lessons, signing_key, tmp_path):
    manifest = export(tmp_path / "bundle")
    box = tmp_path / "box"
    video = manifest["lessons"][0]["files"][0]
    partial = box / "partial" / (video["path"].rsplit("/", 1)[1] + ".part")
    partial.parent.mkdir(parents=True)
    partial.write_bytes(MP4[:40_000])  # what a killed copy had written

    result = sync(tmp_path / "bundle", box, signing_key)

    assert f"resuming {video['path']} from byte 40000" in result.stdout
    assert (box / video["path"]).read_bytes() == MP4


def test_the_bundle_builder_replaces_an_older_export_whole(two_lessons, signing_key, tmp_path):
    first = builder.build(Selection(), tmp_path / "bundle", warn=lambda text: None)
    second = builder.build(Selection(), tmp_path / "bundle", warn=lambda text: None)
    assert first["bundle_id"] == second["bundle_id"] and second["version"] > first["version"]
    assert not [path for path in tmp_path.iterdir() if path.name.startswith(".bundle")]


def test_the_size_is_known_before_the_bundle_is_built(two_lessons, signing_key, tmp_path, capsys):
    call_command("export_bundle", str(tmp_path / "never"), include_documents=True, dry_run=True)
    said = capsys.readouterr().out
    assert not (tmp_path / "never").exists()
    manifest = export(tmp_path / "bundle", include_documents=True)
    built = sum({f["path"]: f["size"] for item in manifest["lessons"] for f in item["files"]}.values())
    assert "预计 2 课（0 课无视频）" in said and f"（{built} 字节）" in said
