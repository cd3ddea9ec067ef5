"""The national programme's 30 micro-competencies (能力点), shipped as data (data/competencies.json)."""

import json
from pathlib import Path

from django.db import models
from django.utils.translation import gettext_lazy as _

DATA_FILE = Path(__file__).resolve().parent.parent / "data" / "competencies.json"


class MicroCompetency(models.Model):
    class Environment(models.TextChoices):
        MULTIMEDIA = "multimedia", _("多媒体教学环境")
        HYBRID = "hybrid", _("混合学习环境")
        SMART = "smart", _("智慧学习环境")

    class Dimension(models.TextChoices):
        ANALYSIS = "analysis", _("学情分析")
        DESIGN = "design", _("教学设计")
        GUIDANCE = "guidance", _("学法指导")
        ASSESSMENT = "assessment", _("学业评价")

    code = models.CharField(_("编号"), max_length=4, unique=True)
    name = models.CharField(_("名称"), max_length=60)
    environment = models.CharField(_("教学环境"), max_length=20, choices=Environment.choices)
    dimension = models.CharField(_("维度"), max_length=20, choices=Dimension.choices)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order"]
        verbose_name = _("微能力点")
        verbose_name_plural = _("微能力点")

    def __str__(self):
        return f"{self.code} {self.name}"


def competency_rows():
    """(code, name, environment, dimension, sort_order) for each of the 30, in the programme's order."""
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return [
        (code, name, data["environments"][code[0]], dimension, order)
        for order, (code, name, dimension) in enumerate(data["items"], start=1)
    ]


def load_competencies(model=MicroCompetency):
    """Create the 30 that are missing; names an administrator corrected are left as they are."""
    created = 0
    for code, name, environment, dimension, order in competency_rows():
        _row, made = model.objects.get_or_create(
            code=code, defaults={"name": name, "environment": environment, "dimension": dimension, "sort_order": order}
        )
        created += made
    return created
