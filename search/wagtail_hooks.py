"""Admin: 检索分析 in the menu, for district administrators."""

from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from .admin_views import InsightsExportView, InsightsView, may_see_insights


class InsightsMenuItem(MenuItem):
    def is_shown(self, request):
        return may_see_insights(request.user)


@hooks.register("register_admin_urls")
def insights_urls():
    return [
        path("search-insights/", InsightsView.as_view(), name="search_insights"),
        path("search-insights/export.csv", InsightsExportView.as_view(), name="search_insights_export"),
    ]


@hooks.register("register_admin_menu_item")
def insights_menu_item():
    return InsightsMenuItem(_("检索分析"), reverse("search_insights"), icon_name="search", order=900)
