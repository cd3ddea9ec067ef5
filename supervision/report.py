"""The supervision report: one service behind the pages and `manage.py supervision_report --json`.

`build(filters, scope)` returns the contract other tools read (keys and
shape are fixed; see docs/supervision.md):

    {"year", "balance": {"小学"|"初中": {"indicators": {key: {"standard", "cv", "cv_limit", "cv_pass"}},
                                       "schools": [{"school", "values": {key: number}, "met", "pass"}]}},
     "sharing": {"flows": {"urban_to_rural", "rural_to_urban", "urban_to_urban", "rural_to_rural"},
                 "rural_reach"},
     "showcase": {"submission_rate", "coverage"}, "training": {"rate_360h", "rate_50h"}}

A flow resting on fewer than 5 teachers is the string "<5" here too; a rate
without a denominator (no statistics imported for the year) is null.
"""

from . import balance, compliance, sharing, showcase
from .models import Section

DIGITS = 4


def _round(value):
    return None if value is None else round(value, DIGITS)


def balance_part(filters, scope):
    results = balance.year_results(filters.year)
    part = {}
    for section in Section:
        result = results[section]
        indicators = {
            indicator.key: {
                "standard": indicator.standard[section],
                "cv": _round(result.cvs[indicator.key]) if scope.everything else None,
                "cv_limit": balance.CV_LIMIT[section],
                "cv_pass": result.cv_pass(indicator.key) if scope.everything else None,
            }
            for indicator in balance.INDICATORS
        }
        schools = [
            {
                "school": school.stats.school.code,
                "values": {key: _round(value) for key, value in school.values.items()},
                "met": school.met,
                "pass": school.passed,
            }
            for school in result.schools
            if scope.everything or school.stats.school_id == scope.school_id
        ]
        part[str(section.label)] = {"indicators": indicators, "schools": schools}
    return part


def build(filters, scope):
    flows = sharing.flows(filters, scope)
    _, _, reach = sharing.rural_reach(filters, scope)
    submission = showcase.summary(filters, scope)["submission_rate"]
    _, _, coverage, _ = showcase.coverage(filters)
    rate_360, rate_50 = compliance.rates(filters, scope)
    return {
        "year": filters.year,
        "balance": balance_part(filters, scope),
        "sharing": {"flows": {key: cell.display for key, cell in flows.items()}, "rural_reach": _round(reach)},
        "showcase": {"submission_rate": _round(submission), "coverage": _round(coverage)},
        "training": {"rate_360h": _round(rate_360), "rate_50h": _round(rate_50)},
    }
