"""整改台账: one item per problem found, its owner school, deadline, status and full history."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class RectificationStatus(models.TextChoices):
    PENDING = "pending", _("待整改")
    IN_PROGRESS = "in_progress", _("整改中")
    AWAITING_REVIEW = "awaiting_review", _("待复查")
    CLOSED = "closed", _("已销号")


class RectificationItem(models.Model):
    school = models.ForeignKey("resources.School", on_delete=models.PROTECT, related_name="+", verbose_name=_("学校"))
    year = models.PositiveSmallIntegerField(_("督导年度"))
    # A balance indicator key (supervision.balance.INDICATORS), or blank for another finding.
    indicator = models.CharField(_("指标"), max_length=40, blank=True)
    finding = models.TextField(_("问题"))
    responsible_person = models.CharField(_("责任人"), max_length=50, blank=True)
    measures = models.TextField(_("整改措施"), blank=True)
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=RectificationStatus.choices, default=RectificationStatus.PENDING
    )
    review_notes = models.TextField(_("复查意见"), blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("整改事项")
        verbose_name_plural = _("整改台账")
        ordering = ["deadline", "pk"]

    def __str__(self):
        return f"{self.school} · {self.finding[:30]}"

    def is_overdue(self, today=None):
        """Past its deadline and not yet closed: what the ledger highlights."""
        today = today or timezone.localdate()
        return self.status != RectificationStatus.CLOSED and self.deadline < today


class RectificationEvent(models.Model):
    """One change to an item: who, when, the status before and after, and what was said (append-only)."""

    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="events")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    at = models.DateTimeField(default=timezone.now)
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20)
    note = models.TextField(blank=True)
    changes = models.JSONField(default=dict)  # {field: [before, after]}

    class Meta:
        ordering = ["at", "pk"]

    @property
    def from_label(self):
        return RectificationStatus(self.from_status).label if self.from_status else ""

    @property
    def to_label(self):
        return RectificationStatus(self.to_status).label


class RectificationAttachment(models.Model):
    item = models.ForeignKey(RectificationItem, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("附件"), upload_to="supervision/rectification/%Y/%m/", max_length=300)
    original_name = models.CharField(max_length=255)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)
