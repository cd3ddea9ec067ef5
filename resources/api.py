"""The lesson library's public surface for other apps (search, training, reports).

Querysets and checks by the one visibility policy (resources.visibility): a
draft or a package in review is never returned; a published one is returned
to signed-in users, and to anonymous visitors only when its licence is public.
"""

from collections import Counter

from django.db.models import Count

from .models import LessonPackagePage, PackagePart, ResourceFile, ResourcePage
from .visibility import visibility_of


def visible(model, user):
    """Live pages of `model` that `user` may open."""
    return visibility_of(user).live(model.objects.all())


def visible_packages(user):
    return visible(LessonPackagePage, user)


def visible_resources(user):
    return visible(ResourcePage, user)


def hidden_from(user):
    """Whether live packages or resources exist that `user` may not open (signing in would show them)."""
    return any(
        model.objects.live().exclude(pk__in=visible(model, user).values("pk")).exists()
        for model in (LessonPackagePage, ResourcePage)
    )


def placement_counts(user, *fields):
    """Counter of the packages and resources `user` may open, by placement fields: one GROUP BY per kind."""
    counts = Counter()
    for queryset in (visible_packages(user), visible_resources(user)):
        for row in queryset.values(*fields).annotate(n=Count("pk")).order_by():
            counts[tuple(row[f] for f in fields)] += row["n"]
    return counts


def can_view(page, user):
    """Whether `user` may open this live page (serving checks the same rule)."""
    return visibility_of(user).may_open(page)


def can_download(document, user):
    """Whether `user` may fetch a document: through a page they may open, or as one who reviews its uploader.

    Without this, a draft's files would be reachable by anyone who guessed a
    document id, even though the draft itself is not.
    """
    if reviews_work_of(user, document.uploaded_by_user):
        return True
    package_ids = PackagePart.objects.filter(document=document).values("package_id")
    resource_ids = ResourceFile.objects.filter(document=document).values("resource_id")
    return (
        visible_packages(user).filter(pk__in=package_ids).exists()
        or visible_resources(user).filter(pk__in=resource_ids).exists()
    )


def reviews_work_of(user, author):
    """Whether `user` may open unpublished files and videos by `author` (resources.visibility)."""
    return visibility_of(user).sees_work_of(author)


def can_watch_video(user, video):
    """media_pipeline's rule for the library: a video shown by a page or document `user` may open."""
    if reviews_work_of(user, video.owner):
        return True
    if video.source.startswith("document:"):
        from wagtail.documents import get_document_model

        document = get_document_model().objects.filter(pk=video.source.split(":", 1)[1]).first()
        if document is not None and can_download(document, user):
            return True
    package_ids = PackagePart.objects.filter(video=video).values("package_id")
    return visible_packages(user).filter(pk__in=package_ids).exists()
