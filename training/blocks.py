"""Quiz questions as StreamField blocks: editable in the page editor, graded on the server only."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.struct_block import StructBlockValidationError

SINGLE = "single"
MULTIPLE = "multiple"


class ChoiceBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("选项"), max_length=200)
    correct = blocks.BooleanBlock(label=_("正确答案"), required=False)

    class Meta:
        label = _("选项")


class QuestionBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("题目"))
    kind = blocks.ChoiceBlock(label=_("题型"), choices=[(SINGLE, _("单选题")), (MULTIPLE, _("多选题"))], default=SINGLE)
    choices = blocks.ListBlock(ChoiceBlock(), label=_("选项"), min_num=2, max_num=8)
    points = blocks.IntegerBlock(label=_("分值"), default=1, min_value=1, max_value=100)

    class Meta:
        label = _("题目")
        icon = "help"

    def clean(self, value):
        value = super().clean(value)
        correct = sum(1 for choice in value["choices"] if choice["correct"])
        if value["kind"] == SINGLE and correct != 1:
            raise StructBlockValidationError(non_block_errors=[_("单选题必须恰好有一个正确答案。")])
        if value["kind"] == MULTIPLE and correct < 1:
            raise StructBlockValidationError(non_block_errors=[_("多选题至少要有一个正确答案。")])
        return value
