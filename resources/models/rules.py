from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="tasks")
class ReviewRules(BaseGenericSetting):
    """评优推荐规则: the district's quotas, editable each year."""

    # One share per level the district recommends to: notices set them separately.
    max_city_percent = models.PositiveSmallIntegerField(
        _("推荐市级优课：每学段最多比例（%）"), default=30, help_text=_("按学段已发布课例数计算")
    )
    max_province_percent = models.PositiveSmallIntegerField(
        _("推荐省级优课：每学段最多比例（%）"), default=30, help_text=_("按学段已发布课例数计算")
    )
    max_ministry_percent = models.PositiveSmallIntegerField(
        _("推荐部级优课：每学段最多比例（%）"), default=30, help_text=_("按学段已发布课例数计算")
    )
    one_per_teacher = models.BooleanField(_("每位教师限推荐一节"), default=True)
    one_per_node = models.BooleanField(_("同一课限推荐一节"), default=True)

    class Meta:
        verbose_name = _("评优推荐规则")

    def percent_for(self, level):
        return {
            "city": self.max_city_percent,
            "province": self.max_province_percent,
            "ministry": self.max_ministry_percent,
        }.get(level, self.max_city_percent)
