"""The curriculum as data: 学段 → 学科 → 版本 → 年级/册 → 单元 → 课.

Each level is its own table (not one generic tree) because search facets,
quotas and reports ask for exactly these levels by name. District
administrators edit all of it in the Wagtail admin (snippets).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.chinese import index_terms


def split_aliases(text):
    """'部编版, 人教统编版' → ['部编版', '人教统编版'] (comma, 、 or ， separated)."""
    for separator in ("、", "，"):
        text = text.replace(separator, ",")
    return [alias.strip() for alias in text.split(",") if alias.strip()]


class Stage(models.Model):
    """学段: 小学 or 初中."""

    code = models.SlugField(_("代码"), max_length=20, unique=True)
    name = models.CharField(_("名称"), max_length=20, unique=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("学段")
        verbose_name_plural = _("学段")

    def __str__(self):
        return self.name


class Grade(models.Model):
    """年级: 一年级 … 九年级, each in one stage."""

    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="grades", verbose_name=_("学段"))
    name = models.CharField(_("名称"), max_length=20, unique=True)
    aliases = models.CharField(_("别称"), max_length=100, blank=True, help_text=_("用逗号分隔，如：初二"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("年级")
        verbose_name_plural = _("年级")

    def __str__(self):
        return self.name


class Subject(models.Model):
    """学科, with the 2022 curriculum's names; 音乐 and 美术 sit under 艺术."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("上级学科")
    )
    stages = models.ManyToManyField(Stage, related_name="subjects", verbose_name=_("开设学段"))
    aliases = models.CharField(_("别称"), max_length=200, blank=True, help_text=_("用逗号分隔，如：道法, 思品"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("学科")
        verbose_name_plural = _("学科")

    def __str__(self):
        return self.name


class Edition(models.Model):
    """教材版本, e.g. 统编版 (also called 部编版), 人教版, 北师大版."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=30, unique=True)
    aliases = models.CharField(_("别称"), max_length=200, blank=True, help_text=_("用逗号分隔，如：部编版"))
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["sort_order", "id"]
        verbose_name = _("教材版本")
        verbose_name_plural = _("教材版本")

    def __str__(self):
        return self.name


class Textbook(models.Model):
    """One volume of one edition's textbook: 人教版 数学 三年级上册."""

    class Volume(models.TextChoices):
        FIRST = "上册", _("上册")
        SECOND = "下册", _("下册")
        WHOLE = "全一册", _("全一册")

    edition = models.ForeignKey(Edition, on_delete=models.PROTECT, related_name="textbooks", verbose_name=_("版本"))
    subject = models.ForeignKey(Subject, on_delete=models.PROTECT, related_name="textbooks", verbose_name=_("学科"))
    grade = models.ForeignKey(Grade, on_delete=models.PROTECT, related_name="textbooks", verbose_name=_("年级"))
    volume = models.CharField(_("册次"), max_length=10, choices=Volume.choices)
    source_note = models.CharField(_("目录来源"), max_length=300, blank=True)

    class Meta:
        ordering = ["subject__sort_order", "edition__sort_order", "grade__sort_order", "volume"]
        verbose_name = _("教材（册）")
        verbose_name_plural = _("教材（册）")
        constraints = [
            models.UniqueConstraint(fields=["edition", "subject", "grade", "volume"], name="unique_textbook_volume")
        ]

    def __str__(self):
        return f"{self.edition.name} {self.subject.name} {self.grade.name}{self.volume}"


class Unit(models.Model):
    """单元 of a textbook volume."""

    textbook = models.ForeignKey(Textbook, on_delete=models.CASCADE, related_name="units", verbose_name=_("教材"))
    title = models.CharField(_("单元"), max_length=120)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        ordering = ["textbook", "sort_order", "id"]
        verbose_name = _("单元")
        verbose_name_plural = _("单元")
        constraints = [models.UniqueConstraint(fields=["textbook", "title"], name="unique_unit_title")]

    def __str__(self):
        return f"{self.textbook} · {self.title}"


class CrossEditionGroup(models.Model):
    """Lessons that teach the same thing in different editions ("同课异构" across books)."""

    name = models.CharField(_("知识点"), max_length=120)

    class Meta:
        verbose_name = _("跨版本同课")
        verbose_name_plural = _("跨版本同课")

    def __str__(self):
        return self.name


class KnowledgeNode(models.Model):
    """课 (the knowledge node a lesson package is placed on)."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="lessons", verbose_name=_("单元"))
    title = models.CharField(_("课题"), max_length=160)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)
    same_as = models.ForeignKey(
        CrossEditionGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="lessons",
        verbose_name=_("跨版本同课"),
    )
    # What the 课 chooser matches typed words against (resources.lesson_picker):
    # the title and its pinyin, then the unit and textbook it sits in. Stored,
    # because computing jieba words and pinyin for 677 lessons on every
    # keystroke would be slow.
    title_terms = models.TextField(_("课题检索词"), blank=True, editable=False)
    path_terms = models.TextField(_("位置检索词"), blank=True, editable=False)

    class Meta:
        ordering = ["unit", "sort_order", "id"]
        verbose_name = _("课（知识节点）")
        verbose_name_plural = _("课（知识节点）")
        constraints = [models.UniqueConstraint(fields=["unit", "title"], name="unique_lesson_title")]

    def __str__(self):
        return f"{self.unit} · {self.title}"

    def save(self, *args, **kwargs):
        self.title_terms, self.path_terms = lesson_terms(self)
        if kwargs.get("update_fields") is not None:
            kwargs["update_fields"] = {*kwargs["update_fields"], "title_terms", "path_terms"}
        super().save(*args, **kwargs)

    def other_editions(self):
        """The same lesson in other editions' textbooks."""
        if self.same_as_id is None:
            return KnowledgeNode.objects.none()
        return (
            KnowledgeNode.objects.filter(same_as_id=self.same_as_id)
            .exclude(unit__textbook__edition_id=self.unit.textbook.edition_id)
            .select_related("unit__textbook__edition", "unit__textbook__grade", "unit__textbook__subject")
        )


def lesson_terms(node):
    """(title terms, path terms) of a 课: words, pinyin and initials, space separated and space led.

    The leading space lets a typed Latin word match the start of a term
    (「fs」 finds 分数's initials, not the middle of another syllable).
    """
    textbook = node.unit.textbook
    title = f" {node.title} {index_terms(node.title)} "
    names = [
        node.unit.title,
        textbook.edition.name,
        *split_aliases(textbook.edition.aliases),
        textbook.subject.name,
        *split_aliases(textbook.subject.aliases),
        f"{textbook.grade.name}{textbook.volume}",
        *split_aliases(textbook.grade.aliases),
        textbook.grade.stage.name,
    ]
    path = " ".join(names)
    return title, f" {path} {index_terms(path)} "


def refresh_lesson_terms(nodes):
    """Recompute the stored terms of `nodes` (a queryset) after a unit or textbook is renamed."""
    nodes = list(
        nodes.select_related("unit__textbook__edition", "unit__textbook__subject", "unit__textbook__grade__stage")
    )
    for node in nodes:
        node.title_terms, node.path_terms = lesson_terms(node)
    KnowledgeNode.objects.bulk_update(nodes, ["title_terms", "path_terms"], batch_size=500)
