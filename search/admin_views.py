"""检索分析: top and zero-result queries over a period, for district administrators only."""

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from sso.ratelimits import limit
from sso.roles import is_district_admin

from . import insights
from .models import QueryLog

DEFAULT_DAYS = "30"


def may_see_insights(user):
    """District administrators and superusers; nobody else, not even reviewers."""
    return bool(user and user.is_active) and is_district_admin(user)


def _days(request):
    value = request.GET.get("days", DEFAULT_DAYS)
    return value if value in insights.PERIODS else DEFAULT_DAYS


class InsightsAccessMixin:
    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not may_see_insights(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class InsightsView(InsightsAccessMixin, WagtailAdminTemplateMixin, TemplateView):
    page_title = _("检索分析")
    header_icon = "search"
    template_name = "search/insights.html"

    def get_breadcrumbs_items(self):
        return [*self.breadcrumbs_items, {"url": "", "label": self.page_title}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        days = _days(self.request)
        since = insights.period_start(insights.PERIODS[days])
        role = self.request.GET.get("role", "")
        role = role if role in QueryLog.Role.values else ""
        context.update(
            days=days,
            periods=insights.PERIODS,
            role=role,
            roles=QueryLog.Role.choices,
            summary=insights.summary(since),
            top=insights.top_queries(since, limit=50, role=role or None),
            zero=insights.top_queries(since, limit=50, zero_only=True, role=role or None),
        )
        return context


@method_decorator(limit("export", key="user"), name="get")
class InsightsExportView(InsightsAccessMixin, View):
    """The same report as CSV, streamed so a year of queries never sits in memory."""

    def get(self, request, *args, **kwargs):
        days = _days(request)
        zero_only = request.GET.get("zero") == "1"
        since = insights.period_start(insights.PERIODS[days])
        kind = "zero-result" if zero_only else "top"
        name = f"search-{kind}-{days}d-{timezone.localdate():%Y%m%d}.csv"
        response = StreamingHttpResponse(insights.csv_rows(since, zero_only=zero_only), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
