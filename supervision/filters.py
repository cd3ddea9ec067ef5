"""The filters every supervision page and export share: period, town, urban/rural, section, subject."""

import datetime
from dataclasses import dataclass, replace

from django.utils import timezone

from resources.models import School, Subject

from .models import Section


def _date(text):
    try:
        return datetime.date.fromisoformat(text)
    except (TypeError, ValueError):
        return None


@dataclass(frozen=True)
class Filters:
    year: int
    start: datetime.date
    end: datetime.date
    town: str = ""
    area: str = ""  # School.Area value
    section: str = ""  # Section value
    subject: int | None = None

    @classmethod
    def for_year(cls, year, start=None, end=None, **others):
        return cls(year, start or datetime.date(year, 1, 1), end or datetime.date(year, 12, 31), **others)

    @classmethod
    def from_params(cls, params):
        today = timezone.localdate()
        try:
            year = int(params.get("year") or today.year)
        except ValueError:
            year = today.year
        year = min(max(year, 2000), 2100)
        filters = cls.for_year(year, _date(params.get("from")), _date(params.get("to")))
        area = params.get("area", "")
        section = params.get("section", "")
        try:
            subject = int(params.get("subject") or 0) or None
        except ValueError:
            subject = None
        return replace(
            filters,
            town=params.get("town", "")[:50],
            area=area if area in School.Area.values else "",
            section=section if section in Section.values else "",
            subject=subject,
        )

    def query(self):
        """The filters as a query string (for export links)."""
        from urllib.parse import urlencode

        params = {"year": self.year, "from": self.start.isoformat(), "to": self.end.isoformat()}
        params.update({k: v for k, v in (("town", self.town), ("area", self.area), ("section", self.section)) if v})
        if self.subject:
            params["subject"] = self.subject
        return urlencode(params)


def choices():
    """What the filter form offers: towns, areas, sections and subjects."""
    return {
        "towns": list(School.objects.order_by("town").values_list("town", flat=True).distinct()),
        "areas": School.Area.choices,
        "sections": Section.choices,
        "subjects": list(Subject.objects.filter(parent__isnull=True).order_by("pk").values_list("pk", "name")),
    }
