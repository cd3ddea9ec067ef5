"""What each role sees of other teachers' unpublished work in the Wagtail admin.

Teachers hold "add" on the library so that they can create lessons, and
Wagtail then lets them explore (and search, and choose) every page under it,
drafts included. The public site already hides drafts (resources.api); these
filters give the admin the same rule: an unpublished lesson is seen by its
author, the reviewers of its school and the district, nobody else.
"""

from django.db.models import Q
from taggit.models import Tag, TaggedItem
from wagtail.models import Page, Revision
from wagtail.permission_policies.pages import PagePermissionPolicy

from sso.roles import has_role, is_district_staff

from .models import LessonPackagePage, PackagePart, ResourceFile, ResourcePage
from .models.lessons import LessonTag, ResourceTag
from .visibility import visibility_of


def scope_pages(pages, user):
    """`pages` without the library drafts `user` may not see.

    The ids are read into a list: the admin's page search hands this filter to
    the search engine backend, which answers wrongly for a nested subquery.
    """

    allowed = visibility_of(user).unpublished_filter()
    if allowed is None:
        return pages
    for model in (LessonPackagePage, ResourcePage):
        hidden = model.objects.filter(live=False).exclude(allowed).values_list("pk", flat=True)
        pages = pages.exclude(pk__in=list(hidden))
    return pages


def scope_documents(documents, user):
    """Documents a user may pick: the district picks any, a trainer also published library files, others their own."""
    if is_district_staff(user):
        return documents
    own = Q(uploaded_by_user=user)
    if has_role(user, "trainer"):
        from .models import PackagePart, ResourceFile

        # A training lesson may reuse the library's published files.
        published = Q(pk__in=PackagePart.objects.filter(package__live=True).values("document_id")) | Q(
            pk__in=ResourceFile.objects.filter(resource__live=True).values("document_id")
        )
        return documents.filter(own | published)
    return documents.filter(own)


class LibraryScopedPagePolicy(PagePermissionPolicy):
    """Wagtail's page policy, whose explorable pages leave out the drafts `scope_pages` hides.

    Registered for Page (resources.wagtail_hooks), so the explorer, the admin's
    page search, its pages API and the history report all follow one rule.
    """

    def explorable_instances(self, user):
        return scope_pages(super().explorable_instances(user), user)


def visible_documents(documents, user):
    """Documents whose names `user` may read: those `scope_documents` offers, the library's published files,
    and, for a school reviewer, the files of their school's teachers (resources.visibility)."""

    unpublished = visibility_of(user).unpublished_filter(
        owner="uploaded_by_user", school="uploaded_by_user__sso_profile__school"
    )
    if unpublished is None:
        return documents
    allowed = Q(pk__in=scope_documents(documents, user).values("pk")) | unpublished
    allowed |= Q(pk__in=PackagePart.objects.filter(package__live=True).values("document_id"))
    allowed |= Q(pk__in=ResourceFile.objects.filter(resource__live=True).values("document_id"))
    return documents.filter(allowed)


def hidden_draft_tag_names(user, names):
    """Of tag `names`, those that only library drafts `user` may not see use (on the page or in a revision)."""

    drafts = []
    for model in (LessonPackagePage, ResourcePage):
        drafts += list(model.objects.filter(live=False).values_list("pk", flat=True))
    if not drafts:
        return set()
    visible = set(scope_pages(Page.objects.filter(pk__in=drafts), user).values_list("pk", flat=True))
    tags = dict(Tag.objects.filter(name__in=names).values_list("pk", "name"))

    def revision_tags(page_ids):
        found = set()
        revisions = Revision.objects.filter(object_id__in=[str(pk) for pk in page_ids]).values_list(
            "content", flat=True
        )
        for content in revisions:
            found |= {item.get("tag") for item in (content or {}).get("tagged_items", ()) if item.get("tag") in tags}
        return found

    hidden_ids = set(drafts) - visible
    used_by_hidden = revision_tags(hidden_ids)
    used_elsewhere = revision_tags(visible)
    for through in (LessonTag, ResourceTag):
        rows = through.objects.filter(tag_id__in=tags)
        used_by_hidden |= set(rows.filter(content_object_id__in=hidden_ids).values_list("tag_id", flat=True))
        used_elsewhere |= set(rows.exclude(content_object_id__in=hidden_ids).values_list("tag_id", flat=True))
    used_elsewhere |= set(TaggedItem.objects.filter(tag_id__in=tags).values_list("tag_id", flat=True))
    return {tags[pk] for pk in used_by_hidden - used_elsewhere}
