"""What each role sees of other teachers' unpublished work in the Wagtail admin.

Teachers hold "add" on the library so that they can create lessons, and
Wagtail then lets them explore (and search, and choose) every page under it,
drafts included. The public site already hides drafts (resources.api); these
filters give the admin the same rule: an unpublished lesson is seen by its
author, the reviewers of its school and the district, nobody else.
"""

from functools import cache

from django.db.models import Q
from django.utils.functional import cached_property
from wagtail.admin.views.pages.search import SearchView
from wagtail.models import Page
from wagtail.permissions import policy_registry

from .api import is_district_staff, role_names
from .models.review import user_school_id


def hidden_drafts(user):
    """Ids of library pages that are not live and that `user` may not see, or None when nothing is hidden."""
    from .models import LessonPackagePage, ResourcePage

    if is_district_staff(user):
        return None
    allowed = Q(owner_id=user.pk)
    school_id = user_school_id(user) if "school_reviewer" in role_names(user) else None
    if school_id is not None:
        allowed |= Q(school_id=school_id)
    ids = []
    for model in (LessonPackagePage, ResourcePage):
        ids += model.objects.filter(live=False).exclude(allowed).values_list("pk", flat=True)
    return ids


def scope_pages(pages, user):
    hidden = hidden_drafts(user)
    return pages if not hidden else pages.exclude(pk__in=hidden)


def scope_documents(documents, user):
    """Documents a user may pick: the district picks any, a trainer also published library files, others their own."""
    if is_district_staff(user):
        return documents
    own = Q(uploaded_by_user=user)
    if "trainer" in role_names(user):
        from .models import PackagePart, ResourceFile

        # A training lesson may reuse the library's published files.
        published = Q(pk__in=PackagePart.objects.filter(package__live=True).values("document_id")) | Q(
            pk__in=ResourceFile.objects.filter(resource__live=True).values("document_id")
        )
        return documents.filter(own | published)
    return documents.filter(own)


def is_library_page(page):
    from .models import LessonPackagePage, ResourcePage

    return isinstance(page.specific_deferred, (LessonPackagePage, ResourcePage))


def may_publish_around_review(user):
    """District administrators (and superusers) may publish a lesson without the review workflow."""
    return user.is_superuser or "district_admin" in role_names(user)


def may_delete(user, page):
    """Library pages are kept: only a superuser deletes, or the author a draft never sent on.

    A lesson that was not selected stays in the author's record; district
    staff take it off the site by unpublishing, which keeps every revision.
    """
    from .models import LessonPackagePage, ResourcePage

    if user.is_superuser:
        return True
    specific = page.specific_deferred
    if not isinstance(specific, (LessonPackagePage, ResourcePage)):
        # Deleting a parent would take every lesson below it along.
        library = Page.objects.descendant_of(page).type(LessonPackagePage, ResourcePage)
        return not library.exists()
    if specific.owner_id != user.pk or specific.first_published_at is not None:
        return False
    return not specific.workflow_in_progress


class _ScopedPolicy:
    """The page permission policy, with `explorable_instances` narrowed by `scope_pages`."""

    def __init__(self, policy):
        self._policy = policy

    def __getattr__(self, name):
        return getattr(self._policy, name)

    def explorable_instances(self, user):
        return scope_pages(self._policy.explorable_instances(user), user)


class ScopedPageSearchView(SearchView):
    """The admin's page search, without the drafts the user may not see."""

    @cached_property
    def permission_policy(self):
        return _ScopedPolicy(policy_registry.get_by_type(self.model))


@cache
def _search_views():
    from wagtail.admin.viewsets.pages import page_viewset_registry

    viewset = page_viewset_registry.get_by_type(Page)
    return viewset.construct_view(ScopedPageSearchView), viewset.construct_view(ScopedPageSearchView, results_only=True)


def page_search(request, *args, **kwargs):
    return _search_views()[0](request, *args, **kwargs)


def page_search_results(request, *args, **kwargs):
    return _search_views()[1](request, *args, **kwargs)
