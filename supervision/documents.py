"""A lesson package's file served to a signed-in teacher: a document use, or a small-video download."""

from resources.api import can_download
from resources.choices import PartKind
from resources.models import PackagePart

from .models import UsageKind
from .usage import record_online_use

VIDEO_KINDS = {PartKind.VIDEO, PartKind.MICRO_LESSON}


def record_download(document, user):
    """Record the use for each live package holding `document`; nothing for a file `user` may not fetch."""
    if not (user and user.is_authenticated):
        return
    parts = list(PackagePart.objects.filter(document=document, package__live=True).select_related("package"))
    # The hooks run in app order; resources' guard (which refuses) may come after this one.
    if not parts or not can_download(document, user):
        return
    for part in parts:
        kind = UsageKind.VIDEO_DOWNLOAD if part.kind in VIDEO_KINDS else UsageKind.DOCUMENT
        record_online_use(user=user, lesson=part.package, kind=kind)
