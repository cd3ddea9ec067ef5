"""Admin: the 30 micro-competencies (district administrators correct names here) and a link to the dashboard."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import MicroCompetency
from .permissions import may_dashboard


class MicroCompetencyViewSet(SnippetViewSet):
    model = MicroCompetency
    icon = "tasks"
    menu_label = _("微能力点")
    list_display = ["code", "name", "environment", "dimension"]
    list_filter = ["environment", "dimension"]
    search_fields = ["code", "name"]
    list_per_page = 50


register_snippet(MicroCompetencyViewSet)


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return may_dashboard(request.user)


@hooks.register("register_admin_menu_item")
def dashboard_menu_item():
    return DashboardMenuItem(_("培训看板"), reverse("training:dashboard"), icon_name="list-ul", order=400)
