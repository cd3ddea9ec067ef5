"""Quotas on recommending lessons upwards (city / province / ministry).

Real district notices: at most 30 % of a stage's lessons recommended (a share
for each level), one lesson per teacher, one per knowledge node. The numbers
live in the admin (设置 → 评优推荐规则) so a district can follow each year's notice.
"""

import math

from django.db.models import Q
from django.utils.translation import gettext as _

from .choices import AwardLevel
from .models.rules import ReviewRules

RECOMMEND_LEVELS = (AwardLevel.CITY, AwardLevel.PROVINCE, AwardLevel.MINISTRY)


# The page's own class (LessonPackagePage): this module is read while the models load (the editor's panel).
def _lessons(page):
    return type(page).objects.live()


def _recommended_elsewhere(page):
    return _lessons(page).exclude(pk=page.pk).exclude(recommended_to="")


def _stage_share(page, level, rules):
    """(already recommended to `level` in the page's stage, allowed, lessons counted)."""
    total = _lessons(page).filter(stage_id=page.stage_id).count() + (0 if page.live else 1)
    allowed = math.floor(total * rules.percent_for(level) / 100)
    already = _recommended_elsewhere(page).filter(stage_id=page.stage_id, recommended_to=level).count()
    return already, allowed, total


def _same_teacher(page):
    # The author's account when known: a name spelt differently is still the same teacher.
    same = Q(teacher_id=page.teacher_id) if page.teacher_id else Q()
    if page.teacher_name:
        same |= Q(teacher_name=page.teacher_name)
    return same


def quota_summary(page):
    """What a reviewer decides within, as Chinese lines: the share left at each level, and the
    one-per-teacher / one-per-lesson rules as they stand for this lesson."""
    rules = ReviewRules.load()
    lines = []
    if page.stage_id:
        for level in RECOMMEND_LEVELS:
            already, allowed, total = _stage_share(page, level, rules)
            lines.append(
                _(
                    "推荐%(level)s：剩余 %(left)s 节"
                    "（%(stage)s共 %(total)s 节，按 %(pct)s%% 最多 %(max)s 节，已推荐 %(n)s 节）"
                )
                % {
                    "level": level.label,
                    "stage": page.stage,
                    "pct": rules.percent_for(level),
                    "max": allowed,
                    "total": total,
                    "n": already,
                    "left": max(allowed - already, 0),
                }
            )
    recommended = _recommended_elsewhere(page)
    if rules.one_per_teacher and (page.teacher_id or page.teacher_name):
        taken = recommended.filter(_same_teacher(page)).exists()
        lines.append(
            _("每位教师限推荐一节：该教师已有课例被推荐，本课不能再推荐")
            if taken
            else _("每位教师限推荐一节：该教师尚无课例被推荐")
        )
    if rules.one_per_node and page.knowledge_node_id:
        taken = recommended.filter(knowledge_node_id=page.knowledge_node_id).exists()
        lines.append(
            _("同一课限推荐一节：本课（%(node)s）已有课例被推荐") % {"node": page.knowledge_node.title}
            if taken
            else _("同一课限推荐一节：本课（%(node)s）尚无课例被推荐") % {"node": page.knowledge_node.title}
        )
    return lines


def recommendation_problems(page, level):
    """Chinese reasons why `page` may not be recommended to `level` (empty: it may)."""
    if not level:
        return []
    rules = ReviewRules.load()
    problems = []
    recommended = _recommended_elsewhere(page)
    if page.stage_id:
        # The share is per level: a province quota is not used up by city recommendations.
        already, allowed, total = _stage_share(page, level, rules)
        percent = rules.percent_for(level)
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
        if recommended.filter(_same_teacher(page)).exists():
            name = page.teacher_name or page.teacher.get_full_name() or page.teacher.username
            problems.append(_("每位教师限推荐一节课，%(teacher)s已有课例被推荐。") % {"teacher": name})
    if rules.one_per_node and page.knowledge_node_id:
        if recommended.filter(knowledge_node_id=page.knowledge_node_id).exists():
            problems.append(_("同一课（%(node)s）限推荐一节，已有课例被推荐。") % {"node": page.knowledge_node.title})
    return problems
