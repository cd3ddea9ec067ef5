"""How big a bundle will be, before it is built: what a district admin needs to pick a disk or a night.

From what is stored (the outputs' sizes) without making anything; the 144p
file, which only an export makes, from its bitrate cap times the duration.
"""

from django.core.files.storage import default_storage

from core.media import offline
from core.media.ladder import AudioRung

from .builder import _video
from .renditions import _rung_for, has_rung
from .selection import lessons


def _stored(video, prefixes):
    names = [name for name in video.outputs.get("files", []) if name.split("/", 1)[0] in prefixes]
    return sum(default_storage.size(video.output_name(name)) for name in names)


def video_bytes(video, rendition):
    outputs = video.outputs or {}
    if rendition == "360p" and outputs.get("download"):
        return outputs.get("download_bytes") or default_storage.size(video.output_name(outputs["download"]))
    if rendition == "144p" and not has_rung(outputs.get("rungs", []), "144p"):
        return int((video.duration or 0) * (offline.LOW_BITRATE + AudioRung().bitrate) / 8)
    if rendition == "audio":
        return _stored(video, {"audio"})
    return _stored(video, {_rung_for(outputs.get("rungs", []), rendition), "audio"})


def estimate(selection):
    """{"lessons", "without_video", "bytes", "hours"} for `selection`, nothing built."""
    total, hours, without, seen = 0, 0.0, 0, set()  # a file several lessons use is stored once
    pages = list(lessons(selection))
    for page in pages:
        video = _video(page)
        if video is None:
            without += 1
        elif ("video", video.pk) not in seen:
            seen.add(("video", video.pk))
            total += video_bytes(video, selection.rendition)
            hours += (video.duration or 0) / 3600
            poster = (video.outputs or {}).get("poster")
            if poster and selection.rendition != "audio":
                total += default_storage.size(video.output_name(poster))
        if selection.include_documents:
            for part in page.parts.select_related("document").exclude(document=None):
                if part.kind not in ("video", "micro_lesson") and ("doc", part.document_id) not in seen:
                    seen.add(("doc", part.document_id))
                    total += part.document.file_size or 0
    return {"lessons": len(pages), "without_video": without, "bytes": total, "hours": hours}
