"""The seven resource indicators of 《县域义务教育优质均衡发展督导评估办法》(教督〔2017〕6号).

Per school and section: four per 100 students, three per student. A school
passes when it meets at least 6 of the 7 standards and reaches at least 85 %
of the standard on the rest. For each indicator and section on its own, the
校际差异系数 is CV = √(Σᵢ (Pᵢ/P)(xᵢ − X̄)²) / X̄, with Pᵢ school i's students,
P the section's total, xᵢ the school's value and X̄ the enrolment-weighted
mean (the county's total ÷ the county's students); it passes at ≤ 0.50 for
小学 and ≤ 0.45 for 初中. No composite is averaged over the indicators.
"""

import math
from dataclasses import dataclass
from decimal import Decimal

from .models import SchoolYearStats, Section


@dataclass(frozen=True)
class Indicator:
    key: str
    label: str
    field: str  # the SchoolYearStats column counted
    per: int  # 100 for "per 100 students", 1 for "per student"
    standard: dict  # {Section: standard}


INDICATORS = [
    Indicator("qualified_teachers_per_100", "每百名学生拥有高于规定学历教师数", "qualified_teachers", 100,
              {Section.PRIMARY: 4.2, Section.JUNIOR: 5.3}),
    Indicator("backbone_teachers_per_100", "每百名学生拥有县级及以上骨干教师数", "backbone_teachers", 100,
              {Section.PRIMARY: 1.0, Section.JUNIOR: 1.0}),
    Indicator("pe_art_teachers_per_100", "每百名学生拥有体育、艺术（美术、音乐）专任教师数", "pe_art_teachers", 100,
              {Section.PRIMARY: 0.9, Section.JUNIOR: 0.9}),
    Indicator("multimedia_rooms_per_100", "每百名学生拥有网络多媒体教室数", "multimedia_rooms", 100,
              {Section.PRIMARY: 2.3, Section.JUNIOR: 2.4}),
    Indicator("floor_area_per_student", "生均教学及辅助用房面积（㎡）", "floor_area_m2", 1,
              {Section.PRIMARY: 4.5, Section.JUNIOR: 5.8}),
    Indicator("sports_area_per_student", "生均体育运动场馆面积（㎡）", "sports_area_m2", 1,
              {Section.PRIMARY: 7.5, Section.JUNIOR: 10.2}),
    Indicator("equipment_value_per_student", "生均教学仪器设备值（元）", "equipment_value_yuan", 1,
              {Section.PRIMARY: 2000, Section.JUNIOR: 2500}),
]  # fmt: skip
BY_KEY = {indicator.key: indicator for indicator in INDICATORS}
CV_LIMIT = {Section.PRIMARY: 0.50, Section.JUNIOR: 0.45}
MET_NEEDED = 6
REST_AT_LEAST = 0.85
# Values are ratios of decimals; this keeps 85 % of 4.2 = 3.57 from failing on float noise.
EPSILON = 1e-9


def value(stats, indicator):
    """The school's value of `indicator` (None without students)."""
    if not stats.students:
        return None
    return float(Decimal(getattr(stats, indicator.field)) * indicator.per / stats.students)


@dataclass
class SchoolResult:
    stats: SchoolYearStats
    values: dict  # {key: value}
    met: int
    passed: bool
    short: list  # keys below the standard


def judge(values, section):
    """(met count, pass, keys below the standard) for one school's {key: value}."""
    met, short, rest_ok = 0, [], True
    for indicator in INDICATORS:
        standard = indicator.standard[section]
        x = values[indicator.key]
        if x + EPSILON >= standard:
            met += 1
        else:
            short.append(indicator.key)
            rest_ok = rest_ok and x + EPSILON >= REST_AT_LEAST * standard
    return met, met >= MET_NEEDED and rest_ok, short


def school_results(rows, section):
    results = []
    for stats in rows:
        if not stats.students:
            continue
        values = {indicator.key: value(stats, indicator) for indicator in INDICATORS}
        met, passed, short = judge(values, section)
        results.append(SchoolResult(stats, values, met, passed, short))
    return results


def cv(pairs):
    """校际差异系数 of [(students Pᵢ, value xᵢ)]: None when there are no students or the mean is 0."""
    total = sum(p for p, _ in pairs)
    if not total:
        return None
    mean = sum(p * x for p, x in pairs) / total
    if not mean:
        return None
    return math.sqrt(sum((p / total) * (x - mean) ** 2 for p, x in pairs)) / mean


@dataclass
class SectionResult:
    section: str
    schools: list  # [SchoolResult]
    cvs: dict  # {key: cv or None}

    def cv_pass(self, key):
        value = self.cvs[key]
        return None if value is None else value <= CV_LIMIT[self.section] + EPSILON


def section_result(rows, section):
    schools = school_results(rows, section)
    cvs = {
        indicator.key: cv([(result.stats.students, result.values[indicator.key]) for result in schools])
        for indicator in INDICATORS
    }
    return SectionResult(section, schools, cvs)


def year_results(year):
    """{Section: SectionResult} of `year`'s imported statistics (one query).

    The CV is always the county's: a school leader's page shows its own
    school's values but the county figures rest on every school.
    """
    rows = list(SchoolYearStats.objects.filter(year=year).select_related("school").order_by("school__code"))
    results = {}
    for section in Section:
        results[section] = section_result([row for row in rows if row.section == section], section)
    return results
