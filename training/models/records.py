"""What teachers do in a course: enrolments, watched video, quiz attempts, assignments, hours, certificates."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Enrollment(models.Model):
    class Status(models.TextChoices):
        ENROLLED = "enrolled", _("学习中")
        WAITLISTED = "waitlisted", _("候补")
        WITHDRAWN = "withdrawn", _("已退出")
        COMPLETED = "completed", _("已完成")

    class Source(models.TextChoices):
        SELF = "self", _("自主报名")
        SCHOOL = "school", _("按学校分配")
        GROUP = "group", _("按用户组分配")

    # Those who hold a seat: completed teachers keep theirs, so capacity means participants.
    ACTIVE = (Status.ENROLLED, Status.COMPLETED)

    course = models.ForeignKey(
        "training.CoursePage", on_delete=models.CASCADE, related_name="enrollments", verbose_name=_("课程")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="training_enrollments", verbose_name=_("学员")
    )
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    source = models.CharField(_("报名方式"), max_length=10, choices=Source.choices, default=Source.SELF)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    enrolled_at = models.DateTimeField(_("入学时间"), null=True, blank=True)
    # FIFO order of the waiting list: the moment a teacher joined it.
    waitlisted_at = models.DateTimeField(_("候补时间"), null=True, blank=True)
    withdrawn_at = models.DateTimeField(_("退出时间"), null=True, blank=True)
    completed_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    progress = models.FloatField(_("进度"), default=0)  # 0..1, kept by training.progress.refresh
    # The credit clock of training.heartbeat: every credited second of video in this course lies
    # before this instant, and no two credits share a second, whatever the sessions, tabs or videos.
    credit_clock = models.DateTimeField(null=True, blank=True, editable=False)
    # {"<lesson id>:<player session>": ISO time of its last heartbeat}: the live player sessions.
    player_sessions = models.JSONField(default=dict, blank=True, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("报名")
        verbose_name_plural = _("报名")
        constraints = [models.UniqueConstraint(fields=["course", "user"], name="training_one_enrolment_per_course")]
        indexes = [models.Index(fields=["course", "status", "waitlisted_at"])]

    def __str__(self):
        return f"{self.user} · {self.course_id} · {self.status}"

    @property
    def is_active(self):
        return self.status in self.ACTIVE


class VideoProgress(models.Model):
    """Which parts of one video one teacher has watched, from the player's heartbeats (training.heartbeat)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    segments = models.JSONField(default=list)  # merged [[start, end], ...] in seconds
    watched_seconds = models.FloatField(default=0)
    duration = models.FloatField(default=0)
    last_position = models.FloatField(default=0)
    # {session id: {"seq": last accepted seq, "last": ISO time of it, "clock": ISO instant up to which
    # the session's chain has used real time}} for the most recent player sessions (training.heartbeat).
    sessions = models.JSONField(default=dict)
    last_credit_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="training_one_video_progress")]

    @property
    def percent(self):
        return min(100.0, 100.0 * self.watched_seconds / self.duration) if self.duration else 0.0


class LessonProgress(models.Model):
    """Each lesson's standing for one teacher, as the course's rules judge it: what dashboards read."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    progress = models.FloatField(default=0)  # 0..1 towards "met"
    met = models.BooleanField(default=False)
    opened_at = models.DateTimeField(null=True, blank=True)
    detail = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "lesson"], name="training_one_lesson_progress")]


class QuizAttempt(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    number = models.PositiveSmallIntegerField()
    answers = models.JSONField(default=dict)
    score = models.FloatField()  # percent
    passed = models.BooleanField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["number"]
        constraints = [models.UniqueConstraint(fields=["user", "lesson", "number"], name="training_attempt_number")]


class AssignmentSubmission(models.Model):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待批阅")
        APPROVED = "approved", _("已通过")
        RETURNED = "returned", _("已退回")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey("wagtailcore.Page", on_delete=models.CASCADE, related_name="+")
    file = models.FileField(_("文件"), upload_to="training/assignments/%Y/%m/", max_length=300)
    original_name = models.CharField(_("文件名"), max_length=255)
    size = models.BigIntegerField(default=0)
    note = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    comment = models.TextField(_("讲师评语"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("实践作业提交")
        verbose_name_plural = _("实践作业提交")


class AppendOnly(models.Model):
    """Rows that record what happened: written once, never changed or deleted through the ORM."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise ValueError(f"{type(self).__name__} rows are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError(f"{type(self).__name__} rows are append-only")


class StudyHoursEntry(AppendOnly):
    """One line of a teacher's study-hours ledger (学时登记)."""

    class Kind(models.TextChoices):
        COMPLETION = "completion", _("完成课程")
        ADJUSTMENT = "adjustment", _("调整")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="study_hours", verbose_name=_("教师")
    )
    course = models.ForeignKey(
        "training.CoursePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("课程"),
    )
    course_title = models.CharField(_("课程名称"), max_length=255)
    year = models.PositiveSmallIntegerField(_("年度"))
    hours = models.DecimalField(_("学时"), max_digits=6, decimal_places=1)
    kind = models.CharField(_("类型"), max_length=12, choices=Kind.choices, default=Kind.COMPLETION)
    note = models.CharField(_("备注"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("学时登记")
        verbose_name_plural = _("学时登记")
        constraints = [
            # A course's hours are credited once per teacher, whoever completes first.
            models.UniqueConstraint(
                fields=["user", "course"], condition=Q(kind="completion"), name="training_hours_once_per_course"
            )
        ]

    def __str__(self):
        return f"{self.user} {self.year} {self.course_title} {self.hours}"


class Certificate(AppendOnly):
    """A certificate's data frozen at issue: every download and the verification page show exactly this."""

    code = models.CharField(_("验证码"), max_length=24, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training_certificates", verbose_name=_("教师")
    )
    course = models.ForeignKey(
        "training.CoursePage",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("课程"),
    )
    data = models.JSONField(_("证书内容"))
    issued_at = models.DateTimeField(_("发证时间"), auto_now_add=True)

    class Meta:
        ordering = ["-issued_at"]
        verbose_name = _("培训证书")
        verbose_name_plural = _("培训证书")
        constraints = [models.UniqueConstraint(fields=["user", "course"], name="training_one_certificate")]

    def __str__(self):
        return self.code
