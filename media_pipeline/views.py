"""Playing a video: an authorising proxy for playlists, short-lived signed URLs for the rest.

Playlists are small and come through here, checked against who may watch;
the segments they list are rewritten to URLs that expire (presigned S3, or
our signed-file view on local storage), so the heavy bytes never pass
through a web worker on S3, and a copied playlist stops working.
"""

import mimetypes
import re

from django.core import signing
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from core.media.commands import DOWNLOAD, MASTER_PLAYLIST, POSTER, POSTER_WEBP

from . import access, urls_signing
from .models import Video

# Segment URLs must outlive the viewing: a VOD playlist is read once, then the
# player fetches segments for as long as the lesson plays (pauses included).
MIN_SEGMENT_URL_SECONDS = 2 * 3600
MAX_SEGMENT_URL_SECONDS = 12 * 3600
_URI_ATTRIBUTE = re.compile(r'URI="([^"]+)"')
PLAYLIST_TYPE = "application/vnd.apple.mpegurl"


def _watchable(request, video_id):
    video = get_object_or_404(Video, pk=video_id)
    if not access.can_watch(request.user, video):
        raise Http404  # not 403: whether a private video exists is not for strangers to learn
    return video


def _url_seconds(video):
    return int(min(MAX_SEGMENT_URL_SECONDS, max(MIN_SEGMENT_URL_SECONDS, 3 * (video.duration or 0))))


@require_GET
@never_cache
def status(request, video_id):
    video = get_object_or_404(Video, pk=video_id)
    manage = access.can_manage(request.user, video)
    if not (manage or access.can_watch(request.user, video)):
        raise Http404
    data = {
        "id": str(video.pk),
        "status": video.status,
        "status_label": video.get_status_display(),
        "progress": video.progress,
        "playable": bool(video.output_prefix),
        "duration": video.duration,
    }
    if manage:
        data["error"] = video.error
        data["attempts"] = video.attempts
    return JsonResponse(data)


@require_GET
def playlist(request, video_id, name):
    video = _watchable(request, video_id)
    files = set(video.outputs.get("files", ()))
    if not video.output_prefix or name not in files or not name.endswith(".m3u8"):
        raise Http404
    text = _stored_text(video, name)
    if name != MASTER_PLAYLIST:
        folder = name.rsplit("/", 1)[0] + "/" if "/" in name else ""
        text = _sign_uris(text, video, folder, files)
    response = HttpResponse(text, content_type=PLAYLIST_TYPE)
    response["Cache-Control"] = "private, no-store"  # holds signed URLs
    return response


def _stored_text(video, name):
    # Outputs under a prefix never change, so the text can be cached for good.
    key = f"media_pipeline:playlist:{video.output_prefix}/{name}"
    text = cache.get(key)
    if text is None:
        with default_storage.open(video.output_name(name), "rb") as handle:
            text = handle.read().decode("utf-8")
        cache.set(key, text, 24 * 3600)
    return text


def _sign_uris(text, video, folder, files):
    seconds = _url_seconds(video)

    def signed(uri):
        relative = folder + uri
        if relative not in files:
            raise Http404
        return urls_signing.file_url(video, video.output_name(relative), expires=seconds)

    lines = []
    for line in text.splitlines():
        if line.startswith("#EXT-X-MAP:"):
            line = _URI_ATTRIBUTE.sub(lambda match: f'URI="{signed(match.group(1))}"', line)
        elif line and not line.startswith("#"):
            line = signed(line)
        lines.append(line)
    return "\n".join(lines) + "\n"


@require_GET
def download(request, video_id):
    video = _watchable(request, video_id)
    if not video.output_prefix:
        raise Http404
    stem = (video.title or video.original_filename).rsplit(".", 1)[0] or "课堂实录"
    url = urls_signing.file_url(video, video.output_name(DOWNLOAD), expires=3600, download_as=f"{stem}.mp4")
    return HttpResponseRedirect(url)


@require_GET
def poster(request, video_id, small=False):
    """The poster, answered here rather than redirected: on an 80 ms line a redirect
    costs a round trip (two when the signed URL's host is another connection) for
    a few kB. The player asks for the small WebP; outputs made before it existed,
    and the JPEG name, get the JPEG."""
    video = _watchable(request, video_id)
    if not video.output_prefix:
        raise Http404
    files = set(video.outputs.get("files", ()))
    name = POSTER_WEBP if small and POSTER_WEBP in files else POSTER
    try:
        handle = default_storage.open(video.output_name(name), "rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = "image/webp" if name == POSTER_WEBP else "image/jpeg"
    response = FileResponse(handle, content_type=content_type)
    # The URL carries the output's version (?v=), so a new transcode is a new URL.
    response["Cache-Control"] = "private, max-age=86400"
    return response


@require_GET
def signed_file(request, token):
    """Local storage only: serve one output file named by a valid, unexpired token."""
    try:
        video_id, name, download_as = urls_signing.read_token(token)
    except signing.BadSignature:
        raise Http404 from None
    if not urls_signing.is_local() or not name.startswith(f"videos/{video_id}/"):
        raise Http404
    if not urls_signing.is_safe_name(video_id, name):
        raise Http404
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    content_type = mimetypes.guess_type(name)[0] or ("video/iso.segment" if name.endswith(".m4s") else None)
    response = FileResponse(
        handle, content_type=content_type, as_attachment=bool(download_as), filename=download_as or ""
    )
    response["Cache-Control"] = "private, max-age=3600"
    return response
