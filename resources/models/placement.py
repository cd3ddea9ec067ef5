"""Where a resource sits on the curriculum, kept consistent from its lesson node.

The stage/subject/edition/grade columns are copies of what the knowledge node
already implies. They exist because search facets and listing filters need
plain columns; `sync_placement()` keeps them true on every save.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CurriculumPlacement(models.Model):
    knowledge_node = models.ForeignKey(
        "resources.KnowledgeNode",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("课（知识节点）"),
    )
    textbook = models.ForeignKey(
        "resources.Textbook", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("教材")
    )
    stage = models.ForeignKey(
        "resources.Stage", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("学段")
    )
    grade = models.ForeignKey(
        "resources.Grade", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("年级")
    )
    subject = models.ForeignKey(
        "resources.Subject", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("学科")
    )
    edition = models.ForeignKey(
        "resources.Edition", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("版本")
    )

    class Meta:
        abstract = True

    def sync_placement(self):
        """Derive the coarser levels from the finest one that is set."""
        if self.knowledge_node_id:
            self.textbook = self.knowledge_node.unit.textbook
        if self.textbook_id:
            textbook = self.textbook
            self.subject_id, self.edition_id, self.grade_id = (
                textbook.subject_id,
                textbook.edition_id,
                textbook.grade_id,
            )
        if self.grade_id:
            self.stage_id = self.grade.stage_id

    @property
    def placement_label(self):
        """'小学 · 数学 · 人教版 · 三年级上册 · 分数的初步认识', as far as it is known."""
        parts = [str(level) for level in (self.stage, self.subject, self.edition) if level]
        if self.textbook_id:
            parts.append(f"{self.textbook.grade}{self.textbook.volume}")
        elif self.grade_id:
            parts.append(str(self.grade))
        if self.knowledge_node_id:
            parts.append(self.knowledge_node.title)
        return " · ".join(parts)
