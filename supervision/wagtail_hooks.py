from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from . import documents
from .access import scope_of


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
