"""Recommendation quotas: per-stage share, one per teacher, one per lesson node."""

import pytest

from resources.models import ReviewRules
from resources.quotas import recommendation_problems
from tests.resources.helpers import package

pytestmark = pytest.mark.django_db


def test_stage_share_is_enforced_with_a_clear_message(library):
    pages = [
        package(f"课{n}", teacher_name=f"教师{n}", lesson=("几分之一", "几分之几", "分数的简单计算")[n % 3])
        for n in range(7)
    ]
    # 30 % of 7 lessons is 2 lessons.
    first, second, third = pages[0], pages[1], pages[2]
    assert recommendation_problems(first, "city") == []
    first.recommended_to = "city"
    first.save()
    assert recommendation_problems(second, "city") == []
    second.recommended_to = "city"
    second.save()
    problems = recommendation_problems(third, "city")
    assert len(problems) == 1
    assert "小学已推荐市级优课 2 节" in problems[0] and "最多推荐 2 节" in problems[0]


def test_each_level_has_its_own_share(library):
    rules = ReviewRules.load()
    rules.max_city_percent, rules.max_province_percent = 50, 20
    rules.one_per_teacher = rules.one_per_node = False
    rules.save()
    pages = [package(f"课{n}", teacher_name=f"教师{n}") for n in range(5)]
    # 50 % of 5 is 2 for the city, 20 % is 1 for the province; one level does not use up another.
    pages[0].recommended_to = "province"
    pages[0].save()
    assert recommendation_problems(pages[1], "city") == []
    problems = recommendation_problems(pages[1], "province")
    assert len(problems) == 1 and "按 20% 的比例最多推荐 1 节" in problems[0]


def test_one_per_teacher_follows_the_account_not_the_spelling(library):
    from django.contrib.auth import get_user_model

    rules = ReviewRules.load()
    rules.max_city_percent = 100
    rules.save()
    teacher = get_user_model().objects.get(username="teacher1")
    first = package("第一课", teacher=teacher, teacher_name="王芳")
    first.recommended_to = "city"
    first.save()
    second = package("第二课", teacher=teacher, teacher_name="王 芳", lesson="几分之几")
    assert any("每位教师限推荐一节" in p for p in recommendation_problems(second, "city"))


def test_one_per_teacher_and_one_per_node(library):
    rules = ReviewRules.load()
    rules.max_city_percent = rules.max_province_percent = 100
    rules.save()
    first = package("王老师第一课", teacher_name="王芳")
    first.recommended_to = "province"
    first.save()
    same_teacher = package("王老师第二课", teacher_name="王芳", lesson="几分之几")
    assert any("每位教师限推荐一节" in p for p in recommendation_problems(same_teacher, "province"))
    same_node = package("同一课", teacher_name="李强")
    assert any("同一课（几分之一）限推荐一节" in p for p in recommendation_problems(same_node, "province"))

    rules.one_per_teacher = rules.one_per_node = False
    rules.save()
    assert recommendation_problems(same_teacher, "province") == []


def test_no_level_means_no_check(library):
    assert recommendation_problems(package("不推荐"), "") == []
