"""What supervision records: uses of lessons by schools, and the roll-up they end in.

A use is credited to two schools: the consuming one (from the user's SSO
profile, never an IP address) and the producing one (the lesson's school),
each with its urban/rural class as it was on the day (SchoolAreaChange).
Raw events carry a user id only while de-duplication needs it
(SUPERVISION_USER_RETENTION_DAYS); the daily roll-up carries none.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

AREA_CHOICES = [("urban", _("城区")), ("rural", _("乡村"))]


class UsageKind(models.TextChoices):
    PLAY = "play", _("播放")
    VIDEO_DOWNLOAD = "video_download", _("小视频下载")
    DOCUMENT = "document", _("文档打开或下载")
    OFFLINE_PLAY = "offline_play", _("离线播放")


class SchoolAreaChange(models.Model):
    """From `since` on, `school` counts as `area`: the class a use is reported under on its day."""

    school = models.ForeignKey("resources.School", on_delete=models.CASCADE, related_name="+")
    area = models.CharField(_("城乡类别"), max_length=10, choices=AREA_CHOICES)
    since = models.DateField(_("起始日期"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["school", "since"], name="supervision_area_once_per_day")]
        ordering = ["school", "since"]


class UsageEvent(models.Model):
    """One qualifying online use. `hour` is the de-duplication window: one per user, lesson, kind and hour."""

    kind = models.CharField(max_length=20, choices=UsageKind.choices)
    # Dropped (set to NULL) after the retention window; nothing else identifies the person.
    user = models.ForeignKey("auth.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    lesson = models.ForeignKey("resources.LessonPackagePage", on_delete=models.CASCADE, related_name="+")
    consumer_school = models.ForeignKey(
        "resources.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    consumer_area = models.CharField(max_length=10, blank=True)
    producer_school = models.ForeignKey(
        "resources.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    producer_area = models.CharField(max_length=10, blank=True)
    day = models.DateField(db_index=True)
    hour = models.DateTimeField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "lesson", "kind", "hour"],
                condition=models.Q(user__isnull=False),
                name="supervision_use_once_per_hour",
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="supervision_event_created")]


class OfflinePlayCount(models.Model):
    """Plays a school's offline bundle reported for one lesson and day; a re-import replaces the count."""

    school = models.ForeignKey("resources.School", on_delete=models.CASCADE, related_name="+")
    lesson = models.ForeignKey("resources.LessonPackagePage", on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    source = models.CharField(max_length=20, default="bundle")
    plays = models.PositiveIntegerField(default=0)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["school", "lesson", "day", "source"], name="supervision_offline_once")
        ]


class DailyUsage(models.Model):
    """The roll-up: uses of one lesson by one school on one day, and how many distinct teachers made them.

    Rebuilt per day from UsageEvent and OfflinePlayCount (supervision.rollup);
    `teachers` counts online users only (an offline bundle names nobody).
    """

    day = models.DateField()
    lesson = models.ForeignKey("resources.LessonPackagePage", on_delete=models.CASCADE, related_name="+")
    consumer_school = models.ForeignKey("resources.School", on_delete=models.CASCADE, related_name="+")
    consumer_area = models.CharField(max_length=10)
    producer_school = models.ForeignKey(
        "resources.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    producer_area = models.CharField(max_length=10, blank=True)
    plays = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)
    documents = models.PositiveIntegerField(default=0)
    offline_plays = models.PositiveIntegerField(default=0)
    teachers = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["day", "lesson", "consumer_school"], name="supervision_daily_once")
        ]
        indexes = [models.Index(fields=["day", "consumer_area", "producer_area"], name="supervision_daily_flow")]

    @property
    def uses(self):
        return self.plays + self.downloads + self.documents + self.offline_plays


class MonthlyUsage(models.Model):
    """The coarser roll-up the sharing panel reads for whole months: DailyUsage summed per month.

    One row per month, consuming and producing school with their classes, and the
    lesson's section (stage code) and subject (and its parent), the panel's filters,
    so a month is a few thousand rows where DailyUsage has one per lesson, school and day.
    `teachers` is the largest daily count among the summed rows, as the panel takes of daily rows.
    Rebuilt per month from DailyUsage (supervision.monthly) whenever a day of it is.
    """

    month = models.DateField()  # the first of the month
    consumer_school = models.ForeignKey("resources.School", on_delete=models.CASCADE, related_name="+")
    consumer_area = models.CharField(max_length=10)
    producer_school = models.ForeignKey(
        "resources.School", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    producer_area = models.CharField(max_length=10, blank=True)
    section = models.CharField(max_length=20, blank=True)
    subject = models.ForeignKey("resources.Subject", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    subject_parent = models.ForeignKey(
        "resources.Subject", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    plays = models.PositiveIntegerField(default=0)
    downloads = models.PositiveIntegerField(default=0)
    documents = models.PositiveIntegerField(default=0)
    offline_plays = models.PositiveIntegerField(default=0)
    teachers = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["month", "consumer_area", "producer_area"], name="supervision_monthly_flow")]


class RollupState(models.Model):
    """The incremental roll-up's watermark: events created up to `events_until` are rolled up."""

    key = models.CharField(max_length=40, unique=True)
    events_until = models.DateTimeField(null=True, blank=True)
    offline_until = models.DateTimeField(null=True, blank=True)
