"""Builders for training tests: teachers with schools, ready videos, courses with modules and lessons."""

import datetime
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from media_pipeline.models import Video, VideoStatus
from resources.models import School
from sso.models import SsoProfile
from sso.roles import ensure_role_groups
from training.demo import quiz_stream
from training.models import (
    AssignmentLessonPage,
    CoursePage,
    ModulePage,
    QuizLessonPage,
    TrainingIndexPage,
    VideoLessonPage,
)
from training.provision import ensure_training


def school(code="CGYX", name="城关第一小学", area=School.Area.URBAN):
    return School.objects.get_or_create(
        code=code, defaults={"name": name, "town": "城关镇", "area": area, "stage": School.Stage.PRIMARY}
    )[0]


def user(username, *, role="teacher", school_code=None, name=("王", "芳")):
    """An account in a role group, with a single sign-on profile naming its school when given."""
    account = get_user_model().objects.create_user(
        username=username, password="x", first_name=name[1], last_name=name[0]
    )
    account.groups.add(ensure_role_groups()[role])
    if school_code:
        SsoProfile.objects.create(user=account, sub=f"test-{username}", school=School.objects.get(code=school_code))
    return account


def ready_video(duration=4.0, title="测试视频"):
    """A video row in the ready state; heartbeats need only its duration, not its files."""
    return Video.objects.create(
        title=title,
        original_filename="clip.mp4",
        original="videos/x/original",
        status=VideoStatus.READY,
        output_prefix="videos/x/r1-test",
        outputs={"files": []},
        duration=duration,
    )


def publish(parent, page):
    parent.add_child(instance=page)
    page.save_revision().publish()
    return page.__class__.objects.get(pk=page.pk)


def course(title="信息技术应用能力提升测试课", *, trainers=(), kinds=("video", "quiz"), live=True, **fields):
    """A course with one module holding one lesson of each of `kinds`; published unless live=False."""
    ensure_training()
    now = timezone.now()
    values = {
        "study_hours": Decimal("12.5"),
        "enrol_opens": now - datetime.timedelta(days=1),
        "enrol_closes": now + datetime.timedelta(days=30),
        **fields,
    }
    page = CoursePage(title=title, **values)
    TrainingIndexPage.objects.get().add_child(instance=page)
    page.trainers.set(list(trainers))
    revision = page.save_revision()
    if live:
        revision.publish()
    else:
        CoursePage.objects.filter(pk=page.pk).update(live=False)
    page = CoursePage.objects.get(pk=page.pk)
    module = publish(page, ModulePage(title="模块一"))
    for kind in kinds:
        if kind == "video":
            publish(module, VideoLessonPage(title="视频一", video=ready_video()))
        elif kind == "quiz":
            publish(module, QuizLessonPage(title="测验一", questions=quiz_stream()))
        elif kind == "assignment":
            publish(module, AssignmentLessonPage(title="作业一", instructions="<p>提交一份课件</p>"))
    return page


def lesson(course_page, model):
    return model.objects.descendant_of(course_page).get()


# Answers to training.demo.QUESTIONS: indexes of the right choices per question.
RIGHT = [[1], [0, 1], [0]]


def answer_sheet(quiz_page, picks=RIGHT):
    from training.quiz import questions

    return {
        f"q-{qid}": [str(i) for i in pick] for (qid, _question), pick in zip(questions(quiz_page), picks, strict=False)
    }
