"""The 课 chooser of the package editor: search by words or pinyin, and a cascade of selects.

A teacher placing a lesson types 「分数」, 「fenshu」 or 「fs」, or narrows
学段 → 年级 → 学科 → 版本 → 册 → 单元; choosing the 教材, 年级 or 学科 on the
page form first opens the chooser already narrowed to it (the widget's
`linked_fields` send their values under the same names as the selects).
"""

from django import forms
from django.db.models import Case, IntegerField, Q, Value, When
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.snippets.views.chooser import ChooseResultsView, ChooseView, SnippetChooserViewSet

from core.chinese import ASCII_WORD, CJK_RUN, query_groups

from .models import Edition, Grade, KnowledgeNode, Stage, Subject, Textbook, Unit

# The cascade, coarse to fine, and the lookup from a 课 to each level.
LEVELS = {
    "stage": "unit__textbook__grade__stage",
    "grade": "unit__textbook__grade",
    "subject": "unit__textbook__subject",
    "edition": "unit__textbook__edition",
    "textbook": "unit__textbook",
    "unit": "unit",
}
LABELS = {
    "stage": _("学段"),
    "grade": _("年级"),
    "subject": _("学科"),
    "edition": _("版本"),
    "textbook": _("册"),
    "unit": _("单元"),
}
# The first option of each select, naming its level (the labels are for screen readers only).
EVERY = {
    "stage": _("全部学段"),
    "grade": _("全部年级"),
    "subject": _("全部学科"),
    "edition": _("全部版本"),
    "textbook": _("全部册次"),
    "unit": _("全部单元"),
}
PATH = ("unit__textbook__edition", "unit__textbook__subject", "unit__textbook__grade")


def word_groups(query):
    """Each typed word with its synonyms: 「初二 fs」 → [["初二", "八年级"], ["fs"]].

    Chinese is split by core.chinese's words (「三年级分数」 → 三年级, 分数);
    a Latin word stays whole, matched as the start of a pinyin term.
    """
    groups = query_groups(" ".join(CJK_RUN.findall(query or "")))
    return groups + [[word.lower()] for word in ASCII_WORD.findall(query or "")]


def _term_q(field, term):
    if CJK_RUN.search(term):
        return Q(**{f"{field}__icontains": term})
    return Q(**{f"{field}__icontains": f" {term}"})  # the start of a term: fs → fs…, not …fs…


def search_lessons(nodes, query):
    """`nodes` matching every word of `query`, in the title or the unit/textbook.

    Those whose own title holds more of the words come first (「物理 yundong」:
    运动的快慢 before 长度和时间的测量, whose unit says 运动); a title typed
    exactly comes before all.
    """
    groups = word_groups(query)
    if not groups:
        return nodes
    in_title = []
    for group in groups:
        title = Q()
        anywhere = Q()
        for term in group:
            title |= _term_q("title_terms", term)
            anywhere |= _term_q("title_terms", term) | _term_q("path_terms", term)
        nodes = nodes.filter(anywhere)
        in_title.append(Case(When(title, then=Value(1)), default=Value(0), output_field=IntegerField()))
    exact = Case(When(title=query.strip(), then=Value(1)), default=Value(0), output_field=IntegerField())
    nodes = nodes.annotate(exact_title=exact, title_words=sum(in_title[1:], in_title[0]))
    return nodes.order_by("-exact_title", "-title_words", "unit", "sort_order", "id")


class Cascade:
    """Which values of each level go with which values of the coarser levels, read from the textbooks.

    Levels without a textbook (a subject nobody has loaded books for) are
    left out: they would lead to no 课.
    """

    def __init__(self):
        textbooks = Textbook.objects.select_related("edition", "subject", "grade__stage").order_by(
            "grade__stage__sort_order", *Textbook._meta.ordering
        )
        self.labels = {level: {} for level in LEVELS}
        self.parents = {level: {} for level in LEVELS}  # level → value → {coarser level: {values}}
        by_textbook = {}
        for book in textbooks:
            path = {
                "stage": (book.grade.stage_id, book.grade.stage.name),
                "grade": (book.grade_id, book.grade.name),
                "subject": (book.subject_id, book.subject.name),
                "edition": (book.edition_id, book.edition.name),
                "textbook": (book.pk, str(book)),
            }
            by_textbook[book.pk] = {level: value for level, (value, _label) in path.items()}
            self._add(path)
        for unit in Unit.objects.filter(textbook__in=by_textbook).order_by("textbook", "sort_order", "id"):
            values = by_textbook[unit.textbook_id]
            self._add({**{level: (value, "") for level, value in values.items()}, "unit": (unit.pk, unit.title)})
        for level in ("stage", "grade", "subject", "edition"):
            # Stages, grades, subjects and editions in their own order, not the textbooks'.
            self.labels[level] = dict(sorted(self.labels[level].items(), key=lambda item: self._order[level][item[0]]))

    @cached_property
    def _order(self):
        return {
            level: {pk: index for index, pk in enumerate(model.objects.values_list("pk", flat=True))}
            for level, model in (("stage", Stage), ("grade", Grade), ("subject", Subject), ("edition", Edition))
        }

    def _add(self, path):
        coarser = {}
        for level, (value, label) in path.items():
            if label:
                self.labels[level].setdefault(value, label)
            parents = self.parents[level].setdefault(value, {})
            for other, other_value in coarser.items():
                parents.setdefault(other, set()).add(other_value)
            coarser[level] = value

    def fits(self, level, value, chosen):
        """Whether `value` of `level` goes with the coarser values already `chosen`."""
        parents = self.parents[level].get(value)
        if parents is None:
            return False
        return all(value_ in parents.get(other, {value_}) for other, value_ in chosen.items())


class CascadeSelect(forms.Select):
    """A select whose options say which coarser values they go with (static/js/lesson-picker.js hides the rest)."""

    def __init__(self, level, parents, choices=()):
        self.level = level
        self.parents = parents
        super().__init__(attrs={"data-chooser-modal-search-filter": True, "data-cascade": level}, choices=choices)

    def create_option(self, name, value, label, selected, index, subindex=None, attrs=None):
        option = super().create_option(name, value, label, selected, index, subindex, attrs)
        for other, values in self.parents.get(value, {}).items():
            option["attrs"][f"data-{other}"] = " ".join(str(pk) for pk in sorted(values))
        return option


class LessonFilterForm(BaseFilterForm):
    q = forms.CharField(
        label=_("搜索"),
        required=False,
        widget=forms.TextInput(
            # Wagtail's chooser script searches as one types in #id_q.
            attrs={"id": "id_q", "placeholder": _("课题、拼音或首字母"), "autocomplete": "off"}
        ),
    )

    def __init__(self, *args, **kwargs):
        # The page form behind the modal has its own #id_textbook, #id_grade and #id_subject.
        kwargs.setdefault("auto_id", "id_lesson_%s")
        super().__init__(*args, **kwargs)
        self.cascade = Cascade()
        for level in LEVELS:
            choices = [("", EVERY[level])] + list(self.cascade.labels[level].items())
            # Not a ChoiceField: an unknown value (a 年级 without books, sent by the page form) must not
            # invalidate the form and so switch off the search with it; clean() drops it instead.
            self.fields[level] = forms.IntegerField(
                label=LABELS[level],
                required=False,
                widget=CascadeSelect(level, self.cascade.parents[level], choices=choices),
            )

    def clean(self):
        cleaned = super().clean()
        chosen = {}
        for level in LEVELS:
            value = cleaned.get(level)
            # A finer value left over from another 册 (or sent by the form's linked fields) is dropped, not obeyed.
            if value is not None and self.cascade.fits(level, value, chosen):
                chosen[level] = value
        self.chosen = chosen
        return cleaned

    def filter(self, objects):
        objects = objects.filter(**{LEVELS[level]: value for level, value in self.chosen.items()})
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            self.is_searching = True
            self.search_query = query
            objects = search_lessons(objects, query)
        return objects


class LessonChooseMixin:
    filter_form_class = LessonFilterForm

    def get_object_list(self):
        return KnowledgeNode.objects.select_related(*PATH)

    @property
    def columns(self):
        # The whole path (人教版 数学 三年级上册 · 8 分数的初步认识 · 分数的初步认识): many 课 share a title.
        column = super().title_column
        column.label = _("课（教材 · 单元 · 课题）")
        return [column]


class LessonChooseView(LessonChooseMixin, ChooseView):
    pass


class LessonChooseResultsView(LessonChooseMixin, ChooseResultsView):
    pass


class LessonChooserViewSet(SnippetChooserViewSet):
    choose_view_class = LessonChooseView
    choose_results_view_class = LessonChooseResultsView
    per_page = 10
