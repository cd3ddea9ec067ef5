"""Courses in the CMS: 培训课程 → 模块 → 学习活动, as Wagtail pages.

Pages give drafts, revisions, scheduled publishing and the page tree for
free: teachers only ever see what is live, and a trainer edits a course,
its modules and lessons in one familiar place. Each lesson kind is its own
page type so its editor shows only its own fields.
"""

from django import forms
from django.conf import settings
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalManyToManyField
from wagtail.admin.forms import WagtailAdminPageForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, MultiFieldPanel, PageChooserPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.models import Page

from media_pipeline.widgets import VideoUploadInput
from sso.roles import ROLE_GROUPS, has_role

from ..blocks import QuestionBlock
from ..forms import LessonMediaForm
from .competencies import MicroCompetency

TRAINER_GROUP = ROLE_GROUPS["trainer"]  # the same text the migration froze
# Paths under /training/ that belong to the app's own views, so no course may take them as its slug.
RESERVED_SLUGS = {"api", "my", "dashboard", "certificates", "courses", "lessons", "submissions"}


class TrainingIndexPage(Page):
    """教师培训: the one parent of every course; trainers get their page permissions here."""

    intro = models.CharField(_("导语"), max_length=200, blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    subpage_types = ["training.CoursePage"]
    max_count = 1

    class Meta:
        verbose_name = _("教师培训")

    def serve(self, request, *args, **kwargs):
        return redirect("training:catalogue")


class CourseForm(WagtailAdminPageForm):
    """A trainer who leaves 培训讲师 empty becomes the course's trainer, so it appears on their dashboard."""

    def clean(self):
        cleaned = super().clean()
        user = getattr(self, "for_user", None)
        trainers = cleaned.get("trainers")
        if user is not None and not trainers and has_role(user, "trainer"):
            from django.contrib.auth import get_user_model

            cleaned["trainers"] = get_user_model().objects.filter(pk=user.pk)
        return cleaned


class CoursePage(Page):
    description = RichTextField(_("课程简介"), blank=True)
    study_hours = models.DecimalField(
        _("学时"), max_digits=5, decimal_places=1, validators=[MinValueValidator(0)], help_text=_("完成后计入的学时")
    )
    competencies = ParentalManyToManyField(MicroCompetency, blank=True, verbose_name=_("对应微能力点"))
    trainers = ParentalManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="trained_courses",
        limit_choices_to={"groups__name": TRAINER_GROUP},
        verbose_name=_("培训讲师"),
        help_text=_("只有这些讲师能在培训看板中看到本课程的学员"),
    )
    capacity = models.PositiveIntegerField(
        _("名额"), null=True, blank=True, help_text=_("留空表示不限；满额后报名进入候补名单")
    )
    enrol_opens = models.DateTimeField(_("报名开始"), null=True, blank=True)
    enrol_closes = models.DateTimeField(_("报名截止"), null=True, blank=True)
    starts_on = models.DateField(_("学习开始日期"), null=True, blank=True)
    ends_on = models.DateField(_("学习结束日期"), null=True, blank=True, help_text=_("用于判断进度落后的学员"))
    min_video_percent = models.PositiveSmallIntegerField(
        _("视频观看比例要求（%）"), default=90, validators=[MinValueValidator(1), MaxValueValidator(100)]
    )
    quiz_pass_percent = models.PositiveSmallIntegerField(
        _("测验及格分（%）"), default=60, validators=[MaxValueValidator(100)]
    )
    require_assignments_approved = models.BooleanField(
        _("实践作业须经讲师通过"), default=True, help_text=_("不勾选时，提交作业即视为完成")
    )

    content_panels = Page.content_panels + [
        FieldPanel("description"),
        FieldRowPanel([FieldPanel("study_hours"), FieldPanel("capacity")]),
        FieldPanel("competencies", widget=forms.CheckboxSelectMultiple),
        FieldPanel("trainers", widget=forms.CheckboxSelectMultiple),
        MultiFieldPanel(
            [
                FieldRowPanel([FieldPanel("enrol_opens"), FieldPanel("enrol_closes")]),
                FieldRowPanel([FieldPanel("starts_on"), FieldPanel("ends_on")]),
            ],
            heading=_("时间安排"),
        ),
        MultiFieldPanel(
            [
                FieldPanel("min_video_percent"),
                FieldPanel("quiz_pass_percent"),
                FieldPanel("require_assignments_approved"),
            ],
            heading=_("完成条件"),
        ),
    ]
    parent_page_types = ["training.TrainingIndexPage"]
    subpage_types = ["training.ModulePage"]
    base_form_class = CourseForm
    template = "training/course_page.html"

    class Meta:
        verbose_name = _("培训课程")
        verbose_name_plural = _("培训课程")

    def clean(self):
        super().clean()
        errors = {}
        if self.slug in RESERVED_SLUGS:
            errors["slug"] = _("该地址已被系统占用，请换一个。")
        if self.enrol_opens and self.enrol_closes and self.enrol_closes <= self.enrol_opens:
            errors["enrol_closes"] = _("报名截止时间必须晚于报名开始时间。")
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = _("学习结束日期不能早于开始日期。")
        if errors:
            raise ValidationError(errors)

    def rules(self):
        from ..rules import Rules

        return Rules(self.min_video_percent, self.quiz_pass_percent, self.require_assignments_approved)

    def serve(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        return super().serve(request, *args, **kwargs)

    def get_context(self, request, *args, **kwargs):
        from ..views.teacher import course_context

        context = super().get_context(request, *args, **kwargs)
        context.update(course_context(self, request.user))
        return context


class ModulePage(Page):
    intro = models.TextField(_("模块说明"), blank=True)

    content_panels = Page.content_panels + [FieldPanel("intro")]
    parent_page_types = ["training.CoursePage"]
    subpage_types = [
        "training.VideoLessonPage",
        "training.DocumentLessonPage",
        "training.ResourceLessonPage",
        "training.QuizLessonPage",
        "training.AssignmentLessonPage",
    ]

    class Meta:
        verbose_name = _("课程模块")
        verbose_name_plural = _("课程模块")

    def serve(self, request, *args, **kwargs):
        return redirect(self.get_parent().url + f"#module-{self.pk}")


class LessonPage(Page):
    """What every lesson kind shares: a note for the teacher, and who may open it (views.teacher)."""

    kind = ""
    intro = RichTextField(_("学习说明"), blank=True)

    parent_page_types = ["training.ModulePage"]
    subpage_types = []

    class Meta:
        abstract = True

    def serve(self, request, *args, **kwargs):
        from ..views.teacher import serve_lesson

        return serve_lesson(self, request)

    def serve_preview(self, request, mode_name):
        # The admin's preview already checked that the editor may edit this page.
        from ..views.teacher import serve_lesson

        return serve_lesson(self, request, preview=True)


class VideoLessonPage(LessonPage):
    kind = "video"
    video = models.ForeignKey(
        "media_pipeline.Video", on_delete=models.PROTECT, related_name="+", verbose_name=_("视频")
    )

    content_panels = Page.content_panels + [
        FieldPanel("video", widget=VideoUploadInput, heading=_("上传视频（支持断点续传）")),
        FieldPanel("intro"),
    ]
    base_form_class = LessonMediaForm

    class Meta:
        verbose_name = _("视频学习")


class DocumentLessonPage(LessonPage):
    kind = "document"
    document = models.ForeignKey(
        "wagtaildocs.Document", on_delete=models.PROTECT, related_name="+", verbose_name=_("文档")
    )

    content_panels = Page.content_panels + [FieldPanel("document"), FieldPanel("intro")]
    base_form_class = LessonMediaForm

    class Meta:
        verbose_name = _("文档阅读")


class ResourceLessonPage(LessonPage):
    """A lesson or resource from the library, shown only to those resources.api lets see it."""

    kind = "resource"
    resource = models.ForeignKey(
        "wagtailcore.Page", on_delete=models.SET_NULL, null=True, related_name="+", verbose_name=_("资源库内容")
    )

    content_panels = Page.content_panels + [
        PageChooserPanel("resource", ["resources.LessonPackagePage", "resources.ResourcePage"]),
        FieldPanel("intro"),
    ]

    class Meta:
        verbose_name = _("资源库学习")


class QuizLessonPage(LessonPage):
    kind = "quiz"
    questions = StreamField([("question", QuestionBlock())], verbose_name=_("题目"))
    pass_percent = models.PositiveSmallIntegerField(
        _("及格分（%）"),
        null=True,
        blank=True,
        validators=[MaxValueValidator(100)],
        help_text=_("留空则用课程的测验及格分"),
    )

    class Answers(models.TextChoices):
        # Only the score of each attempt is ever shown while attempts remain: no question-by-question
        # feedback to try answers against. The right answers may be shown once the quiz is over.
        WHEN_FINISHED = "finished", _("通过或作答次数用完后公布正确答案")
        NEVER = "never", _("只显示得分，不公布正确答案")

    max_attempts = models.PositiveSmallIntegerField(
        _("最多作答次数"), default=3, help_text=_("0 表示不限；不限次数时只凭得分也可逐题试出答案，请慎用")
    )
    show_answers = models.CharField(
        _("公布正确答案"), max_length=10, choices=Answers.choices, default=Answers.WHEN_FINISHED
    )

    content_panels = Page.content_panels + [
        FieldPanel("intro"),
        FieldRowPanel([FieldPanel("pass_percent"), FieldPanel("max_attempts"), FieldPanel("show_answers")]),
        FieldPanel("questions"),
    ]

    class Meta:
        verbose_name = _("测验")


class AssignmentLessonPage(LessonPage):
    kind = "assignment"
    instructions = RichTextField(_("作业要求"))

    content_panels = Page.content_panels + [FieldPanel("instructions"), FieldPanel("intro")]

    class Meta:
        verbose_name = _("实践作业")


LESSON_MODELS = [VideoLessonPage, DocumentLessonPage, ResourceLessonPage, QuizLessonPage, AssignmentLessonPage]
