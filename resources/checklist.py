"""The completeness checklist a teacher sees while editing a package.

Required parts, and - once a 课堂实录 is attached - what ffprobe says about
it against the national guidance (H.264 + AAC, at least 720×576, at least
512 kbit/s, a whole lesson of 30-45 minutes).
"""

from django.core.cache import cache
from django.utils.translation import gettext as _
from wagtail.admin.panels import Panel

from core.media.probe import ProbeError, probe
from media_pipeline.models import VideoStatus
from media_pipeline.store import probe_path

from .choices import REQUIRED_PARTS, PartKind

# National 晒课 guidance for the classroom recording.
MIN_WIDTH, MIN_HEIGHT = 720, 576
MIN_BITRATE = 512_000
LESSON_MINUTES = (30, 45)


def video_findings(document):
    """[(ok, message)] for a video document; probed once per file content (cached by hash)."""
    key = f"youke:probe:{document.get_file_hash()}"
    findings = cache.get(key)
    if findings is not None:
        return findings
    try:
        # Never a URL to ffprobe: on S3, a bounded local copy of the head and tail.
        with probe_path(document.file.name, document.file.storage) as source:
            result = probe(source)
    except (ProbeError, OSError) as exc:
        return [(False, str(exc))]
    width, height = result.display_size or (0, 0)
    codecs = (result.video_codec, result.audio_codec)
    findings = guidance_findings(width, height, *codecs, result.duration, document.file_size)
    cache.set(key, findings, 24 * 3600)
    return findings


def uploaded_video_findings(video):
    """The same findings for a video uploaded through the resumable uploader (probed when it arrived)."""

    if video.status == VideoStatus.FAILED:
        return [(False, _("视频处理失败：%(error)s") % {"error": video.error})]
    facts = video.probe or {}
    if not facts.get("duration"):
        return [(False, _("视频尚未上传完成或仍在检查，完成后显示时长与分辨率。"))]
    return guidance_findings(
        facts.get("width") or 0,
        facts.get("height") or 0,
        facts.get("video_codec"),
        facts.get("audio_codec"),
        facts["duration"],
        facts.get("size") or 0,
    )


def guidance_findings(width, height, video_codec, audio_codec, duration, size):
    bitrate = size * 8 / duration if duration else 0
    minutes = (duration or 0) / 60
    codecs = {"v": video_codec or "无", "a": audio_codec or "无"}
    return [
        (video_codec == "h264" and audio_codec == "aac",
         _("编码 %(v)s + %(a)s（要求 H.264 + AAC）") % codecs),
        (max(width, height) >= MIN_WIDTH and min(width, height) >= MIN_HEIGHT,
         _("分辨率 %(w)s×%(h)s（要求不低于 720×576）") % {"w": width, "h": height}),
        (bitrate >= MIN_BITRATE, _("码率约 %(k)s kbit/s（要求不低于 512 kbit/s）") % {"k": round(bitrate / 1000)}),
        (LESSON_MINUTES[0] <= minutes <= LESSON_MINUTES[1],
         _("时长 %(m)s 分钟（完整一节课，一般 30–45 分钟）") % {"m": round(minutes, 1)}),
    ]  # fmt: skip


def checklist(page):
    """Rows for the editor: (ok, label, details)."""
    parts = list(page.parts.select_related("document", "video")) if page.pk else []
    present = {part.kind for part in parts if part.document_id or part.video_id or part.link}
    rows = [(kind in present, str(kind.label), []) for kind in REQUIRED_PARTS]
    videos = [part for part in parts if part.kind == PartKind.VIDEO and (part.video_id or part.document_id)]
    if videos:
        part = videos[0]
        findings = uploaded_video_findings(part.video) if part.video_id else video_findings(part.document)
        rows[REQUIRED_PARTS.index(PartKind.VIDEO)] = (True, str(PartKind.VIDEO.label), findings)
    return rows


class ChecklistPanel(Panel):
    class BoundPanel(Panel.BoundPanel):
        template_name = "resources/panels/checklist.html"

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["rows"] = checklist(self.instance)
            return context
