"""The lesson library's public surface for other apps (search, training, reports).

Visibility lives here and only here: a draft or a package in review is never
returned; a published one is returned to signed-in users, and to anonymous
visitors only when its licence is public.
"""

from .models import LessonPackagePage, Licence, PackagePart, ResourceFile, ResourcePage

# Roles that review or administer other teachers' work and so may open their files.
STAFF_GROUP_ROLES = ("school_reviewer", "district_reviewer", "district_admin")


def visible(model, user):
    """Live pages of `model` that `user` may open."""
    pages = model.objects.live()
    if not (user and user.is_authenticated):
        pages = pages.filter(licence=Licence.PUBLIC)
    return pages


def visible_packages(user):
    return visible(LessonPackagePage, user)


def visible_resources(user):
    return visible(ResourcePage, user)


def can_view(page, user):
    """Whether `user` may open this live page (serving checks the same rule)."""
    return page.live and (page.licence == Licence.PUBLIC or bool(user and user.is_authenticated))


def can_download(document, user):
    """Whether `user` may fetch a document: through a page they may open, or as its uploader or staff.

    Without this, a draft's files would be reachable by anyone who guessed a
    document id, even though the draft itself is not.
    """
    if user and user.is_authenticated:
        if user.is_superuser or document.uploaded_by_user_id == user.pk or _is_staff(user):
            return True
    package_ids = PackagePart.objects.filter(document=document).values("package_id")
    resource_ids = ResourceFile.objects.filter(document=document).values("resource_id")
    return (
        visible_packages(user).filter(pk__in=package_ids).exists()
        or visible_resources(user).filter(pk__in=resource_ids).exists()
    )


def _is_staff(user):
    from sso.roles import ROLE_GROUPS

    return user.groups.filter(name__in=[ROLE_GROUPS[role] for role in STAFF_GROUP_ROLES]).exists()


def can_watch_video(user, video):
    """media_pipeline's rule for the library: a video shown by a page or document `user` may open."""
    if user and user.is_authenticated and _is_staff(user):
        return True
    if video.source.startswith("document:"):
        from wagtail.documents import get_document_model

        document = get_document_model().objects.filter(pk=video.source.split(":", 1)[1]).first()
        if document is not None and can_download(document, user):
            return True
    package_ids = PackagePart.objects.filter(video=video).values("package_id")
    return visible_packages(user).filter(pk__in=package_ids).exists()
