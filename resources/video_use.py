"""Which lesson packages use an uploaded video: one upload belongs to one lesson.

A Video's audience, its removal and the district's transcoding list all
follow the lesson that shows it, so a teacher may not put the same upload
into two packages. A package holds the video in its saved parts and, while
it has unpublished changes, in its latest revision only (a draft edited after
its first save), so both are read.
"""

from django.urls import reverse

from .models import LessonPackagePage, PackagePart


def packages_using(video_id, exclude_page_id=None):
    """The packages (specific pages, by id) whose saved parts or latest draft hold `video_id`."""
    ids = set(PackagePart.objects.filter(video_id=video_id).values_list("package_id", flat=True))
    drafts = LessonPackagePage.objects.filter(has_unpublished_changes=True, latest_revision__isnull=False)
    wanted = str(video_id)  # a UUID, stored in the revision's JSON as text
    for page_id, content in drafts.values_list("pk", "latest_revision__content"):
        if any(str(part.get("video")) == wanted for part in (content or {}).get("parts", [])):
            ids.add(page_id)
    ids.discard(exclude_page_id)
    return list(LessonPackagePage.objects.filter(pk__in=ids).order_by("pk"))


def lesson_links(video):
    """(title, edit URL) of the lessons that use `video`: media_pipeline's usage registry asks this.

    A video made from a video document (source "document:12") is used where that document is.
    """
    pages = packages_using(video.pk)
    kind, _, document_id = (video.source or "").partition(":")
    if kind == "document" and document_id.isdigit():
        ids = PackagePart.objects.filter(document_id=int(document_id)).values_list("package_id", flat=True)
        pages += [page for page in LessonPackagePage.objects.filter(pk__in=ids).order_by("pk") if page not in pages]
    return [(page.title, reverse("wagtailadmin_pages:edit", args=[page.pk])) for page in pages]
