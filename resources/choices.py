"""The lesson library's fixed vocabularies (no model imports, so anything may use them)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PartKind(models.TextChoices):
    TEACHING_DESIGN = "teaching_design", _("教学设计")
    COURSEWARE = "courseware", _("课件及资源")
    VIDEO = "video", _("课堂实录")
    EXERCISE = "exercise", _("评测练习")
    MICRO_LESSON = "micro_lesson", _("微课")
    MATERIAL = "material", _("素材")
    LEARNER_ANALYSIS = "learner_analysis", _("学情分析")
    TEXTBOOK_ANALYSIS = "textbook_analysis", _("教材分析")
    REFLECTION = "reflection", _("课后反思")
    OBSERVATION = "observation", _("观评记录")


# The national 晒课 activity requires these four parts of every package.
REQUIRED_PARTS = (PartKind.TEACHING_DESIGN, PartKind.COURSEWARE, PartKind.VIDEO, PartKind.EXERCISE)


class AwardLevel(models.TextChoices):
    SCHOOL = "school", _("校级优课")
    DISTRICT = "district", _("区级优课")
    CITY = "city", _("市级优课")
    PROVINCE = "province", _("省级优课")
    MINISTRY = "ministry", _("部级优课")


class Licence(models.TextChoices):
    PUBLIC = "public", _("公开（任何人可看）")
    SIGNED_IN = "signed_in", _("仅限本平台登录用户")


class ResourceType(models.TextChoices):
    LESSON_PACKAGE = "lesson_package", _("一师一优课课例")
    MICRO_LESSON = "micro_lesson", _("微课")
    COURSEWARE = "courseware", _("课件")
    TEACHING_DESIGN = "teaching_design", _("教学设计")
    EXERCISE = "exercise", _("评测练习")
    MATERIAL = "material", _("素材")
