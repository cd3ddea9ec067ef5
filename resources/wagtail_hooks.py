from django.utils.translation import gettext_lazy as _
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import School


class SchoolViewSet(SnippetViewSet):
    model = School
    icon = "site"
    menu_label = _("学校")
    list_display = ["name", "code", "town", "area", "stage"]
    list_filter = ["area", "stage"]
    search_fields = ["name", "town", "code"]


register_snippet(SchoolViewSet)
