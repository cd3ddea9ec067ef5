"""What the yearly 教育事业统计 says of each school, and study hours earned outside the platform.

Both are imported (supervision.imports), never derived from logs: a re-import
of a year replaces that year's rows.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Section(models.TextChoices):
    """A 九年一贯制 school reports each section on its own row."""

    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")


class SchoolYearStats(models.Model):
    """One school's one section in one year: the inputs of the seven balance indicators."""

    year = models.PositiveSmallIntegerField(_("年度"))
    school = models.ForeignKey("resources.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("学校"))
    section = models.CharField(_("学段"), max_length=10, choices=Section.choices)
    students = models.PositiveIntegerField(_("在校学生数"))
    teachers = models.PositiveIntegerField(_("专任教师数"))
    qualified_teachers = models.PositiveIntegerField(_("高于规定学历教师数"))
    backbone_teachers = models.PositiveIntegerField(_("县级及以上骨干教师数"))
    pe_art_teachers = models.PositiveIntegerField(_("体育、艺术专任教师数"))
    floor_area_m2 = models.DecimalField(_("教学及辅助用房面积（㎡）"), max_digits=12, decimal_places=2)
    sports_area_m2 = models.DecimalField(_("体育运动场馆面积（㎡）"), max_digits=12, decimal_places=2)
    equipment_value_yuan = models.DecimalField(_("教学仪器设备值（元）"), max_digits=14, decimal_places=2)
    multimedia_rooms = models.PositiveIntegerField(_("网络多媒体教室数"))
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("学校年度统计")
        verbose_name_plural = _("学校年度统计")
        constraints = [
            models.UniqueConstraint(fields=["year", "school", "section"], name="supervision_stats_once_per_section")
        ]


class ImportedTrainingHours(models.Model):
    """Study hours a teacher earned elsewhere (the county's or province's platform), for 360 h and 2.0's 50 h."""

    class Kind(models.TextChoices):
        ONLINE = "online", _("线上学习")
        PRACTICE = "practice", _("实践应用")

    year = models.PositiveSmallIntegerField(_("年度"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.ONLINE)
    # Counts towards 能力提升工程2.0's 50 h as well as towards 360 h.
    ability_program = models.BooleanField(_("计入能力提升工程2.0"), default=False)
    source = models.CharField(_("来源"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("外部学时")
        verbose_name_plural = _("外部学时")
        indexes = [models.Index(fields=["year", "user"], name="supervision_hours_year_user")]


class SchoolPair(models.Model):
    """城乡结对: an urban school the district paired with a rural one (以城带乡), whose flows are shown apart."""

    urban = models.ForeignKey(
        "resources.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("城区学校"),
        limit_choices_to={"area": "urban"},
    )  # fmt: skip
    rural = models.ForeignKey(
        "resources.School", on_delete=models.CASCADE, related_name="+", verbose_name=_("乡村学校"),
        limit_choices_to={"area": "rural"},
    )  # fmt: skip
    since = models.DateField(_("结对日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("城乡结对")
        verbose_name_plural = _("城乡结对")
        constraints = [models.UniqueConstraint(fields=["urban", "rural"], name="supervision_pair_once")]

    def __str__(self):
        return f"{self.urban} — {self.rural}"
