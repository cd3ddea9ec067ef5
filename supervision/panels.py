"""Each supervision page's tables, built from the report's services: what the page shows and what it exports."""

from django.db.models import Count

from search.models import QueryLog

from . import balance, compliance, sharing, showcase
from .exports import Table
from .models import Section

AREA_LABELS = {"urban": "城区", "rural": "乡村"}
UNCOVERED_SHOWN = 500


def percent(value):
    return "—" if value is None else f"{value * 100:.1f}%"


def sharing_tables(filters, scope):
    flows = sharing.flows(filters, scope)
    reached, rural_total, reach = sharing.rural_reach(filters, scope)
    schools = sharing.per_school(filters, scope)
    tables = [
        Table("flows", "城乡流向", ["流向（资源学校 → 使用学校）", "使用次数"],
              [[sharing.FLOW_LABELS[key], cell] for key, cell in flows.items()],
              "不含本校教师使用本校资源；少于 5 名教师的格子显示「<5」。"),
        Table("reach", "乡村覆盖", ["乡村学校数", "使用过外校资源的乡村学校数", "乡村覆盖率"],
              [[rural_total, reached, percent(reach)]]),
        Table("schools", "学校", ["学校代码", "学校", "乡镇", "城乡", "使用外校资源", "本校资源被外校使用"],
              [[row.school.code, row.school.name, row.school.town, AREA_LABELS.get(row.school.area, ""),
                row.from_others, row.by_others] for row in schools]),
    ]  # fmt: skip
    if scope.everything:
        tables.append(
            Table("towns", "乡镇", ["乡镇", "使用外校资源", "本镇资源被外校使用"],
                  [[town, mine, theirs] for town, (mine, theirs) in sharing.per_town(schools).items()])
        )  # fmt: skip
    tables.append(
        Table("pairs", "城乡结对", ["城区学校", "乡村学校", "乡村学校使用城区学校资源", "城区学校使用乡村学校资源"],
              [[pair.urban.name, pair.rural.name, to_rural, to_urban]
               for pair, to_rural, to_urban in sharing.pairs(filters, scope)])
    )  # fmt: skip
    tables.append(
        Table("monthly", "月度趋势", ["月份", *sharing.FLOW_LABELS.values()],
              [[month.strftime("%Y-%m"), *cells.values()] for month, cells in sharing.monthly(filters, scope)])
    )  # fmt: skip
    tables.append(
        Table("weekly", "周趋势", ["周（起始日）", *sharing.FLOW_LABELS.values()],
              [[week.isoformat(), *cells.values()] for week, cells in sharing.weekly(filters, scope)],
              f"最近 {sharing.WEEKS} 周，按周一起算。")
    )  # fmt: skip
    return tables, flows


def showcase_tables(filters, scope):
    summary = showcase.summary(filters, scope)
    covered, total, ratio, by_subject = showcase.coverage(filters)
    rows = [
        ["专任教师（统计）", summary["full_time_teachers"] if summary["full_time_teachers"] is not None else "未导入"],
        ["晒课教师", summary["submitting_teachers"]],
        ["晒课率", percent(summary["submission_rate"])],
        ["晒课数", summary["packages"]],
        ["含课堂实录的课例", summary["with_recording"]],
        *[[label, count] for label, count in summary["awards"]],
        ["有优课的课 / 全部课", f"{covered} / {total}"],
        ["课程覆盖率", percent(ratio)],
    ]
    tables = [
        Table("summary", "一师一优课", ["指标", "数值"], rows),
        Table("coverage", "课程覆盖", ["学科", "年级", "有优课的课", "课数", "覆盖率"],
              [[s, g, c, t, percent(c / t if t else None)] for s, g, c, t in by_subject]),
        Table("uncovered", "未覆盖的课", ["学科", "版本", "教材", "单元", "课"], showcase.uncovered(filters)),
    ]  # fmt: skip
    if scope.everything:
        tables.append(Table("gaps", "无结果检索", ["检索词", "城乡", "次数"], zero_result_searches(filters)))
    return tables


def zero_result_searches(filters, limit=200):
    """Searches that found nothing in the period, split by the searcher's school class: the content gaps."""
    rows = (
        QueryLog.objects.filter(results=0, hour__date__gte=filters.start, hour__date__lte=filters.end)
        .values("query", "area")
        .annotate(n=Count("pk"))
        .order_by("-n", "query")[:limit]
    )
    return [[row["query"], AREA_LABELS.get(row["area"], "其他"), row["n"]] for row in rows]


def training_tables(filters, scope):
    rows, (teachers, met_360, met_50) = compliance.per_school(filters, scope)
    header = ["学校代码", "学校", "专任教师", "360学时达标", "360学时达标率", "2.0（50学时）达标", "2.0达标率",
              "2.0线上学时", "2.0实践学时"]  # fmt: skip
    table = Table("schools", "培训达标", header, [
        [row.school.code, row.school.name, row.full_time_teachers, row.met_360, percent(row.rate_360), row.met_50,
         percent(row.rate_50), float(row.online_hours), float(row.practice_hours)] for row in rows
    ])  # fmt: skip
    if scope.everything:
        table.rows.append(["合计", "", teachers, met_360, percent(met_360 / teachers if teachers else None), met_50,
                           percent(met_50 / teachers if teachers else None), "", ""])  # fmt: skip
    return [table]


def _number(value):
    return "—" if value is None else round(value, 2)


def balance_tables(filters, scope):
    results = balance.year_results(filters.year)
    tables = []
    for section in Section:
        if filters.section and filters.section != section:
            continue
        result = results[section]
        labels = [indicator.label for indicator in balance.INDICATORS]
        schools = [school for school in result.schools if scope.everything or school.stats.school_id == scope.school_id]
        header = ["学校代码", "学校", *labels, "达标项数", "是否达标"]
        tables.append(Table(f"schools_{section}", f"{section.label}学校指标", header, [
            [school.stats.school.code, school.stats.school.name,
             *[_number(school.values[i.key]) for i in balance.INDICATORS], school.met,
             "达标" if school.passed else "未达标"] for school in schools
        ]))  # fmt: skip
        if scope.everything:
            header = ["指标", "标准", "校际差异系数", "限值", "是否达标"]
            tables.append(Table(f"cv_{section}", f"{section.label}差异系数", header, [
                [i.label, i.standard[section], _number(result.cvs[i.key]), balance.CV_LIMIT[section],
                 {True: "达标", False: "未达标", None: "—"}[result.cv_pass(i.key)]] for i in balance.INDICATORS
            ]))  # fmt: skip
    return tables
