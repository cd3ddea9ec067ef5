"""Bundles from lessons with stored video outputs, a signing key, and the sync tool run as schools run it."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

ROOT = Path(__file__).resolve().parents[2]
SYNC_TOOL = ROOT / "tools" / "youke_sync"
sys.path.insert(0, str(SYNC_TOOL))  # the tool is a separate package; the tests import its pieces too


@pytest.fixture
def signing_key(tmp_path, settings):
    """A fresh district key for this test; its public half where youke-sync is told to look."""
    from bundles import signing

    settings.BUNDLE_SIGNING_KEY = tmp_path / "keys" / "signing.pem"
    key = signing.generate(settings.BUNDLE_SIGNING_KEY)
    public = tmp_path / "keys" / "district.pem"
    public.write_bytes(signing.public_pem(key))
    return public


def stored_outputs(files, duration=600.0):
    """A ready Video whose outputs are `files` ({relative name: bytes}) in storage, as a transcode leaves them."""
    from media_pipeline.models import Video, VideoStatus

    video = Video.objects.create(original_filename="lesson.mp4", original="", size=1)
    video.output_prefix = f"videos/{video.pk}/r1-{uuid.uuid4().hex[:6]}"
    for name, body in files.items():
        default_storage.save(video.output_name(name), ContentFile(body))
    video.outputs = {"files": list(files), "download": "download.mp4", "poster": "poster.jpg", "rungs": []}
    video.status, video.duration = VideoStatus.READY, duration
    video.save()
    return video


def lesson(title, video, *, node="几分之一", school="CGYX", licence="public", award="district", documents=(),
           state="published"):  # fmt: skip
    """A 晒课 package on `node` with `video` and `documents` ((name, bytes), …), by teacher1.

    `state`: "published", or one a bundle must leave out: "draft" (never published),
    "taken_down" (published, then unpublished), "in_review" (submitted to school review).
    """
    from django.contrib.auth import get_user_model

    from resources.models import KnowledgeNode, LessonIndexPage, LessonPackagePage, PackagePart, School
    from tests.resources.helpers import document

    teacher = get_user_model().objects.get(username="teacher1")
    page = LessonPackagePage(
        title=title,
        owner=teacher,
        school=School.objects.get(code=school),
        knowledge_node=KnowledgeNode.objects.get(title=node),
        teacher_name="王芳",
        licence=licence,
        award_level=award,
    )
    page.parts.add(PackagePart(kind="video", video=video))
    for name, body in documents:
        page.parts.add(PackagePart(kind="teaching_design", document=document(name, body)))
    page.live = False
    LessonIndexPage.objects.get().add_child(instance=page)
    revision = page.save_revision(user=teacher)
    if state in ("published", "taken_down"):
        revision.publish()
    if state == "taken_down":
        LessonPackagePage.objects.get(pk=page.pk).unpublish()
    if state == "in_review":
        page.get_workflow().start(page, teacher)
    return LessonPackagePage.objects.get(pk=page.pk)


def sync(src, dest, public_key, *extra, check=True):
    """Run youke-sync the way a school box does: its own process, only the standard library and cryptography."""
    env = {**os.environ, "PYTHONPATH": str(SYNC_TOOL)}
    command = [sys.executable, "-m", "youke_sync", str(src), str(dest), "--public-key", str(public_key), *extra]
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    if check:
        assert result.returncode == 0, result.stderr
    return result
