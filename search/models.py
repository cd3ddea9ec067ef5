"""What search keeps: an anonymised query log, failed index updates, extracted document text."""

from django.contrib.contenttypes.models import ContentType
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class QueryLog(models.Model):
    """One search, anonymised: no user, session or address, the time to the hour.

    Enough for the district to see what teachers look for and cannot find,
    not enough to tell who looked (see search.insights).
    """

    class Role(models.TextChoices):
        ANONYMOUS = "anonymous", _("未登录")
        TEACHER = "teacher", _("教师")
        REVIEWER = "reviewer", _("审核员")
        TRAINER = "trainer", _("培训管理员")
        ADMIN = "admin", _("管理员")
        OTHER = "other", _("其他")

    class Backend(models.TextChoices):
        ENGINE = "engine", _("搜索引擎")
        DATABASE = "database", _("数据库")
        FALLBACK = "fallback", _("数据库（引擎故障）")

    query = models.CharField(_("检索词"), max_length=100)
    role = models.CharField(_("角色"), max_length=12, choices=Role.choices)
    area = models.CharField(_("学校类别"), max_length=10, blank=True)
    results = models.PositiveIntegerField(_("结果数"))
    backend = models.CharField(_("检索方式"), max_length=10, choices=Backend.choices)
    hour = models.DateTimeField(_("时间（小时）"), db_index=True)

    class Meta:
        verbose_name = _("检索记录")
        verbose_name_plural = _("检索记录")
        indexes = [models.Index(fields=["hour", "query"], name="search_querylog_hour_query")]

    def __str__(self):
        return self.query


class IndexFailure(models.Model):
    """An object the search engine could not index or delete; search.retry catches up."""

    class Action(models.TextChoices):
        INDEX = "index", _("写入索引")
        DELETE = "delete", _("从索引删除")

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.CharField(max_length=64)
    action = models.CharField(_("操作"), max_length=10, choices=Action.choices)
    attempts = models.PositiveIntegerField(_("失败次数"), default=1)
    first_failed_at = models.DateTimeField(_("首次失败"), default=timezone.now)
    last_failed_at = models.DateTimeField(_("最近失败"), default=timezone.now)

    class Meta:
        verbose_name = _("待重试的索引更新")
        verbose_name_plural = _("待重试的索引更新")
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id"], name="search_indexfailure_once")]

    def __str__(self):
        return f"{self.content_type.model}#{self.object_id} ({self.action})"

    @classmethod
    def note(cls, content_type, object_id, action):
        """Record a failure; a second failure of the same object updates its row (race-safe)."""
        updated = cls.objects.filter(content_type=content_type, object_id=object_id).update(
            action=action, attempts=F("attempts") + 1, last_failed_at=timezone.now()
        )
        if updated:
            return
        try:
            with transaction.atomic():
                cls.objects.create(content_type=content_type, object_id=object_id, action=action)
        except IntegrityError:
            cls.objects.filter(content_type=content_type, object_id=object_id).update(
                action=action, attempts=F("attempts") + 1, last_failed_at=timezone.now()
            )


class DocumentText(models.Model):
    """Text extracted from a document's file, kept so indexing never reads the file twice.

    Keyed by the document and its file's hash: a replaced file is read again.
    """

    class Status(models.TextChoices):
        OK = "ok", _("已提取")
        EMPTY = "empty", _("无文字")
        UNSUPPORTED = "unsupported", _("不支持的格式")
        FAILED = "failed", _("提取失败")

    document = models.OneToOneField(
        "wagtaildocs.Document", on_delete=models.CASCADE, related_name="search_text", verbose_name=_("文档")
    )
    file_hash = models.CharField(_("文件哈希"), max_length=40, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices)
    text = models.TextField(_("文字"), blank=True)
    terms = models.TextField(_("检索词"), blank=True)
    extracted_at = models.DateTimeField(_("提取时间"), auto_now=True)

    class Meta:
        verbose_name = _("文档文字")
        verbose_name_plural = _("文档文字")

    def __str__(self):
        return f"{self.document_id}: {self.status}"
