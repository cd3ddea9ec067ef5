from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from . import documents
from .access import scope_of
from .models import SchoolPair


@hooks.register("before_serve_document")
def count_document_use(document, request):
    """A lesson's file opened or downloaded is a use of the lesson (only when the file is served at all)."""
    documents.record_download(document, request.user)


class SupervisionMenuItem(MenuItem):
    def is_shown(self, request):
        return scope_of(request.user) is not None


@hooks.register("register_admin_menu_item")
def supervision_menu_item():
    return SupervisionMenuItem(_("教育督导"), reverse("supervision:sharing"), icon_name="view", order=450)


class SchoolPairViewSet(SnippetViewSet):
    """城乡结对 are kept by district administrators (snippet permissions), read by the sharing panel."""

    model = SchoolPair
    icon = "link"
    menu_label = _("城乡结对")
    list_display = ["urban", "rural", "since"]


register_snippet(SchoolPairViewSet)
