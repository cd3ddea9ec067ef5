"""Demo figures for supervision (`manage.py load_supervision_demo`): yearly statistics and a month of uses.

The demo district has no real plays, so the roll-up's rows are written as
they would have been: uses of the demo lessons by the other schools on the
last 28 days. Idempotent: a second run rewrites the same rows.
"""

import datetime
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from resources.models import LessonPackagePage, School

from . import monthly
from .models import DailyUsage, SchoolPair, SchoolYearStats, Section

# code: (section, students, teachers, qualified, backbone, pe_art, floor m², sports m², equipment 元, rooms)
STATS = {
    "CGYX": (Section.PRIMARY, 1800, 110, 90, 24, 20, 9000, 15000, 4_000_000, 46),
    "QSZX": (Section.PRIMARY, 420, 30, 19, 5, 4, 2000, 2650, 880_000, 10),  # sports 6.31 m²: 84 %, 未达标
    "HXZX": (Section.PRIMARY, 380, 28, 17, 4, 4, 1800, 3000, 800_000, 9),
    "CGEZ": (Section.JUNIOR, 1500, 120, 85, 18, 15, 9000, 16000, 4_000_000, 38),
    "QSCZ": (Section.JUNIOR, 600, 48, 33, 6, 6, 3600, 6200, 1_500_000, 15),
}
# (consumer, every how many days, teachers that day): the rural schools use the urban lessons most.
USE = {"QSZX": (1, 6), "HXZX": (2, 5), "QSCZ": (3, 5), "CGEZ": (4, 2)}


@transaction.atomic
def load(today=None):
    today = today or timezone.localdate()
    schools = {school.code: school for school in School.objects.filter(code__in=STATS)}
    for code, (section, students, *values) in STATS.items():
        if code not in schools:
            continue
        names = ["teachers", "qualified_teachers", "backbone_teachers", "pe_art_teachers", "floor_area_m2",
                 "sports_area_m2", "equipment_value_yuan", "multimedia_rooms"]  # fmt: skip
        counts = {name: Decimal(value) for name, value in zip(names, values, strict=True)}
        SchoolYearStats.objects.update_or_create(
            year=today.year, school=schools[code], section=section, defaults={"students": students, **counts}
        )
    for urban, rural in (("CGYX", "QSZX"), ("CGEZ", "QSCZ")):
        if urban in schools and rural in schools:
            SchoolPair.objects.get_or_create(urban=schools[urban], rural=schools[rural])
    lessons = list(LessonPackagePage.objects.live().filter(school__code="CGYX").order_by("pk")[:3])
    uses = 0
    for code, (every, teachers) in USE.items():
        consumer = schools.get(code)
        if consumer is None:
            continue
        for back in range(0, 28, every):
            day = today - datetime.timedelta(days=back)
            for lesson in lessons:
                DailyUsage.objects.update_or_create(
                    day=day, lesson=lesson, consumer_school=consumer,
                    defaults={"consumer_area": consumer.area, "producer_school_id": lesson.school_id,
                              "producer_area": "urban", "plays": teachers + 1, "teachers": teachers,
                              "downloads": 1, "offline_plays": 2 if consumer.area == "rural" else 0},
                )  # fmt: skip
                uses += 1
    # The panels read whole months from the month roll-up, as the beat job leaves it.
    monthly.rebuild_months_of([today - datetime.timedelta(days=back) for back in range(28)])
    return {"school_stats": len(schools), "daily_usage": uses}
