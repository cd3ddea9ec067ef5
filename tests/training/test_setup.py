"""setup_training, the 30 micro-competencies, trainers' admin permissions and the demo course."""

import pytest
from django.core.management import call_command
from django.test import Client
from wagtail.models import GroupPagePermission

from sso.roles import ROLE_GROUPS
from training import demo
from training.models import CoursePage, MicroCompetency, ModulePage, QuizLessonPage, TrainingIndexPage

from .helpers import user

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]


def test_the_thirty_micro_competencies_load_from_the_shipped_data(demo_site):
    # The migration loads them too; a transactional test elsewhere may have flushed them since.
    call_command("setup_training", verbosity=0)
    codes = list(MicroCompetency.objects.values_list("code", flat=True))
    expected = [f"A{i}" for i in range(1, 14)] + [f"B{i}" for i in range(1, 11)] + [f"C{i}" for i in range(1, 8)]
    assert codes == expected
    assert MicroCompetency.objects.get(code="A3").name == "演示文稿设计与制作"
    assert MicroCompetency.objects.get(code="B6").get_environment_display() == "混合学习环境"
    assert set(MicroCompetency.objects.values_list("dimension", flat=True)) == {
        "analysis", "design", "guidance", "assessment",
    }  # fmt: skip


def test_setup_is_idempotent_and_keeps_corrected_names(demo_site):
    call_command("setup_training", verbosity=0)
    MicroCompetency.objects.filter(code="A4").update(name="本省规范中的名称")
    call_command("setup_training", verbosity=0)
    call_command("setup_training", verbosity=0)
    assert TrainingIndexPage.objects.count() == 1
    assert MicroCompetency.objects.count() == 30
    assert MicroCompetency.objects.get(code="A4").name == "本省规范中的名称"
    index = TrainingIndexPage.objects.get()
    granted = set(
        GroupPagePermission.objects.filter(page=index, group__name=ROLE_GROUPS["trainer"]).values_list(
            "permission__codename", flat=True
        )
    )
    assert granted == {"add_page", "change_page", "publish_page"}


def test_trainers_build_courses_in_the_admin_and_teachers_cannot(demo_site):
    call_command("setup_training", verbosity=0)
    index = TrainingIndexPage.objects.get()
    add_course = f"/admin/pages/add/training/coursepage/{index.pk}/"
    trainer = Client()
    trainer.force_login(user("tr_admin", role="trainer"))
    page = trainer.get(add_course)
    assert page.status_code == 200
    body = page.content.decode()
    assert "对应微能力点" in body and "A3 演示文稿设计与制作" in body and "完成条件" in body
    teacher = Client()
    teacher.force_login(user("t_admin"))
    assert teacher.get(add_course).status_code in (302, 403)


def test_the_demo_course_loads_once(demo_site):
    first = demo.load(with_video=False)
    again = demo.load(with_video=False)
    assert first["created"] and not again["created"]
    course = CoursePage.objects.get(slug=demo.SLUG)
    assert course.live and list(course.trainers.values_list("username", flat=True)) == ["trainer1"]
    assert ModulePage.objects.child_of(course).count() == 2
    assert len(list(QuizLessonPage.objects.descendant_of(course).get().questions)) == 3
