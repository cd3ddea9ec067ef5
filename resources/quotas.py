"""Quotas on recommending lessons upwards (city / province / ministry).

Real district notices: at most 30 % of a stage's lessons recommended (a share
for each level), one lesson per teacher, one per knowledge node. The numbers
live in the admin (设置 → 评优推荐规则) so a district can follow each year's notice.
"""

import math

from django.db.models import Q
from django.utils.translation import gettext as _

from .choices import AwardLevel
from .models import LessonPackagePage, ReviewRules


def recommendation_problems(page, level):
    """Chinese reasons why `page` may not be recommended to `level` (empty: it may)."""
    if not level:
        return []
    rules = ReviewRules.load()
    problems = []
    recommended = LessonPackagePage.objects.live().exclude(pk=page.pk).exclude(recommended_to="")
    if page.stage_id:
        in_stage = LessonPackagePage.objects.live().filter(stage_id=page.stage_id)
        total = in_stage.count() + (0 if page.live else 1)
        percent = rules.percent_for(level)
        allowed = math.floor(total * percent / 100)
        # The share is per level: a province quota is not used up by city recommendations.
        already = recommended.filter(stage_id=page.stage_id, recommended_to=level).count()
        if already + 1 > allowed:
            problems.append(
                _("%(stage)s已推荐%(level)s %(n)s 节，按 %(pct)s%% 的比例最多推荐 %(max)s 节（共 %(total)s 节）。")
                % {
                    "stage": page.stage,
                    "level": AwardLevel(level).label,
                    "n": already,
                    "pct": percent,
                    "max": allowed,
                    "total": total,
                }
            )
    if rules.one_per_teacher and (page.teacher_id or page.teacher_name):
        # The author's account when known: a name spelt differently is still the same teacher.
        same = Q(teacher_id=page.teacher_id) if page.teacher_id else Q()
        if page.teacher_name:
            same |= Q(teacher_name=page.teacher_name)
        if recommended.filter(same).exists():
            name = page.teacher_name or page.teacher.get_full_name() or page.teacher.username
            problems.append(_("每位教师限推荐一节课，%(teacher)s已有课例被推荐。") % {"teacher": name})
    if rules.one_per_node and page.knowledge_node_id:
        if recommended.filter(knowledge_node_id=page.knowledge_node_id).exists():
            problems.append(_("同一课（%(node)s）限推荐一节，已有课例被推荐。") % {"node": page.knowledge_node.title})
    return problems
