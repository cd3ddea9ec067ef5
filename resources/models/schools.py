"""Schools of the district."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.search import index


class School(index.Indexed, models.Model):
    """A school of the district. Urban or rural decides how sharing is reported."""

    class Area(models.TextChoices):
        URBAN = "urban", _("城区")
        RURAL = "rural", _("乡村")

    class Stage(models.TextChoices):
        PRIMARY = "primary", _("小学")
        JUNIOR = "junior", _("初中")
        NINE_YEAR = "nine_year", _("九年一贯制")

    code = models.SlugField(_("学校代码"), max_length=64, unique=True)
    name = models.CharField(_("学校名称"), max_length=100)
    town = models.CharField(_("所在乡镇"), max_length=50)
    area = models.CharField(_("城乡类别"), max_length=10, choices=Area.choices)
    stage = models.CharField(_("学段"), max_length=10, choices=Stage.choices)

    search_fields = [
        index.SearchField("name"),
        index.AutocompleteField("name"),
        index.SearchField("town"),
        index.FilterField("area"),
        index.FilterField("stage"),
    ]

    class Meta:
        ordering = ["code"]
        verbose_name = _("学校")
        verbose_name_plural = _("学校")

    def __str__(self):
        return self.name
