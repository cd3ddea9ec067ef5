"""The supervision pages: sharing, 一师一优课, training, balance. Each page's tables are its exports."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from resources.models import School

from . import cache, panels, pdf, templates_download
from .access import is_supervisor, require_scope
from .exports import XLSX, respond
from .filters import Filters, choices

PAGES = [
    ("supervision:sharing", "城乡共享"),
    ("supervision:showcase", "一师一优课"),
    ("supervision:training", "培训达标"),
    ("supervision:balance", "均衡指标"),
    ("supervision:ledger", "整改台账"),
]


def _context(request, scope, filters, current, tables, **extra):
    school = None if scope.everything else School.objects.filter(pk=scope.school_id).first()
    return {
        "pages": PAGES, "current": current, "filters": filters, "query": filters.query(), "tables": tables,
        "school": school, "scope": scope, **choices(), **extra,
    }  # fmt: skip


def _page(request, current, build, template="supervision/panel.html", **extra):
    scope = require_scope(request.user)
    filters = Filters.from_params(request.GET)
    built = cache.tables(current, filters, scope, build)
    tables, more = (built, {}) if isinstance(built, list) else built
    export = respond(tables, request, f"督导-{filters.year}")
    if export is not None:
        return export
    return render(request, template, _context(request, scope, filters, current, tables, **more, **extra))


def _sharing(filters, scope):
    tables, flows = panels.sharing_tables(filters, scope)
    largest = max([cell.uses for cell in flows.values() if not cell.hidden] or [0]) or 1
    chart = [(tables[0].rows[i][0], cell, largest) for i, cell in enumerate(flows.values())]
    return tables, {"chart": chart}


# The pages the roll-up warms in the cache (supervision.tasks), by their URL names.
BUILDS = {
    "supervision:sharing": _sharing,
    "supervision:showcase": panels.showcase_tables,
    "supervision:training": panels.training_tables,
    "supervision:balance": panels.balance_tables,
}


@require_GET
@login_required
def sharing_view(request):
    return _page(request, "supervision:sharing", _sharing, template="supervision/sharing.html")


@require_GET
@login_required
def showcase_view(request):
    return _page(request, "supervision:showcase", BUILDS["supervision:showcase"])


@require_GET
@login_required
def training_view(request):
    return _page(request, "supervision:training", panels.training_tables)


@require_GET
@login_required
def balance_view(request):
    return _page(request, "supervision:balance", panels.balance_tables, template="supervision/balance.html")


@require_GET
@login_required
def template_view(request, kind, fmt):
    require_scope(request.user)
    if kind not in templates_download.TEMPLATES or fmt not in ("csv", "xlsx"):
        raise Http404
    names = {"school_stats": "学校年度统计导入模板", "training_hours": "外部学时导入模板"}
    if fmt == "csv":
        response = HttpResponse(templates_download.template_csv(kind), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(templates_download.template_xlsx(kind), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{names[kind]}.{fmt}")
    return response


@require_GET
@login_required
def announcement_view(request):
    """The period's results as a PDF for publication: the district's, so supervisors only."""
    if not is_supervisor(request.user):
        raise PermissionDenied("只有督导和区级管理员可以生成督导结果公告。")
    filters = Filters.from_params(request.GET)
    response = HttpResponse(pdf.render(filters), content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"督导结果公告-{filters.year}.pdf")
    return response
