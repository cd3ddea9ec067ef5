from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.contrib.settings.models import BaseGenericSetting, register_setting


@register_setting(icon="tasks")
class ReviewRules(BaseGenericSetting):
    """评优推荐规则: the district's quotas, editable each year."""

    max_recommend_percent = models.PositiveSmallIntegerField(
        _("每学段最多推荐比例（%）"), default=30, help_text=_("按学段已发布课例数计算")
    )
    one_per_teacher = models.BooleanField(_("每位教师限推荐一节"), default=True)
    one_per_node = models.BooleanField(_("同一课限推荐一节"), default=True)

    class Meta:
        verbose_name = _("评优推荐规则")
