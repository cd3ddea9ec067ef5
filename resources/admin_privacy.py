"""Ids do not reveal other teachers' drafts: one rule (resources.admin_scope) at every admin entry point.

Wagtail's admin looks pages and documents up by id in many views that do not
ask the permission policy's explorable set (the explorer of a given page, the
chooser, edit/history/revisions/usage, workflow previews and actions, bulk
action confirmations). Ids are sequential, so each of those would show a
draft's title to anyone who counts. `DraftPrivacyMiddleware` answers 404 for
such a lookup before the view runs; the admin API and the reports that list
titles are filtered by the hooks below.
"""

import json

from django.http import Http404
from wagtail import hooks
from wagtail.documents import get_document_model
from wagtail.documents.api.admin.views import DocumentsAdminAPIViewSet
from wagtail.models import Page

from . import admin_scope, api

PAGE_ID_KWARGS = ("page_id", "parent_page_id", "page_to_move_id", "destination_id")
PAGE_ID_LISTS = {"wagtailadmin_choose_page_chosen_multiple"}
TAG_AUTOCOMPLETE = {"wagtailadmin_tag_autocomplete", "wagtailadmin_tag_model_autocomplete"}
PAGE_TITLE_REPORTS = {"wagtailadmin_reports:page_types_usage", "wagtailadmin_reports:page_types_usage_results"}


def may_see(user, page):
    """Whether `user` may learn that `page` exists (its title, its files' names)."""
    return admin_scope.scope_pages(Page.objects.filter(pk=page.pk), user).exists()


def may_see_document(user, document):
    """Documents: what the chooser offers (admin_scope.scope_documents) or what the user may download."""
    documents = get_document_model().objects.filter(pk=document.pk)
    return admin_scope.scope_documents(documents, user).exists() or api.can_download(document, user)


def _ids(values):
    ids = []
    for value in values:
        for part in str(value).split(","):
            if part.strip().isdigit():
                ids.append(int(part))
    return ids


def _refuse_hidden_pages(user, ids):
    if not ids:
        return
    pages = Page.objects.filter(pk__in=ids)
    if admin_scope.scope_pages(pages, user).count() < pages.count():
        raise Http404


def _refuse_hidden_documents(user, ids):
    for document in get_document_model().objects.filter(pk__in=ids):
        if not may_see_document(user, document):
            raise Http404


class DraftPrivacyMiddleware:
    """404 for an admin URL that names a page or document its user may not see (see the module docstring)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return _filter_tag_names(request, self.get_response(request))

    def process_view(self, request, view_func, view_args, view_kwargs):
        match = request.resolver_match
        user = getattr(request, "user", None)
        if match is None or user is None or not user.is_authenticated:
            return None
        name = match.view_name
        if not (name.startswith("wagtailadmin") or name.startswith("wagtaildocs") or name == "wagtail_bulk_action"):
            return None
        page_ids = _ids(view_kwargs[key] for key in PAGE_ID_KWARGS if key in view_kwargs)
        if name in PAGE_ID_LISTS:
            page_ids += _ids(request.GET.getlist("id"))
        if name == "wagtail_bulk_action":
            ids = _ids(request.GET.getlist("id"))
            if view_kwargs.get("app_label") == "wagtailcore" and view_kwargs.get("model_name") == "page":
                page_ids += ids
            elif view_kwargs.get("app_label") == "wagtaildocs":
                _refuse_hidden_documents(user, ids)
        _refuse_hidden_pages(user, page_ids)
        if name.startswith("wagtaildocs") and "pk" in view_kwargs:
            _refuse_hidden_documents(user, _ids([view_kwargs["pk"]]))
        if name.startswith("wagtaildocs") and "document_id" in view_kwargs:
            _refuse_hidden_documents(user, _ids([view_kwargs["document_id"]]))
        return None

    def process_template_response(self, request, response):
        match = request.resolver_match
        if match is not None and match.view_name in PAGE_TITLE_REPORTS and response.context_data:
            for item in response.context_data.get("object_list") or ():
                page = getattr(item, "last_edited_page", None)
                if page is not None and not may_see(request.user, page):
                    item.last_edited_page = None
        return response


def _filter_tag_names(request, response):
    match = request.resolver_match
    if match is None or match.view_name not in TAG_AUTOCOMPLETE or response.status_code != 200:
        return response
    names = json.loads(response.content)
    hidden = admin_scope.hidden_draft_tag_names(request.user, names)
    if hidden:
        response.content = json.dumps([name for name in names if name not in hidden])
    return response


class ScopedDocumentsAdminAPIViewSet(DocumentsAdminAPIViewSet):
    """The admin's documents API lists (and finds by id) only what admin_scope.visible_documents lets through."""

    def get_queryset(self):
        return admin_scope.visible_documents(super().get_queryset(), self.request.user)


@hooks.register("construct_admin_api", order=100)
def scoped_documents_api(router):
    # After wagtail.documents' own hook, whose endpoint of the same name this replaces.
    router.register_endpoint("documents", ScopedDocumentsAdminAPIViewSet)
