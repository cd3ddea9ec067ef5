"""What a query means: its terms (core.chinese), the resource type it asks for, cached vocabulary.

The taxonomy's aliases (部编版, 初二, 道法…) and the names behind facet ids
change rarely but are needed on every search; they are built once per
vocabulary version (search.cache).
"""

import re

from core.chinese import without_fillers
from resources.choices import ResourceType
from resources.models import Edition, Grade, Stage, Subject
from resources.models.taxonomy import split_aliases

from .cache import cached

# Words that ask for a kind of resource rather than a topic ("分数 课件").
TYPE_WORDS = {
    "课件": ResourceType.COURSEWARE,
    "ppt": ResourceType.COURSEWARE,
    "教学设计": ResourceType.TEACHING_DESIGN,
    "教案": ResourceType.TEACHING_DESIGN,
    "习题": ResourceType.EXERCISE,
    "练习": ResourceType.EXERCISE,
    "练习题": ResourceType.EXERCISE,
    "评测练习": ResourceType.EXERCISE,
    "试题": ResourceType.EXERCISE,
    "微课": ResourceType.MICRO_LESSON,
    "素材": ResourceType.MATERIAL,
    "课例": ResourceType.LESSON_PACKAGE,
    "课堂实录": ResourceType.LESSON_PACKAGE,
    "实录": ResourceType.LESSON_PACKAGE,
    "优课": ResourceType.LESSON_PACKAGE,
    "优质课": ResourceType.LESSON_PACKAGE,
    "公开课": ResourceType.LESSON_PACKAGE,
}
_TYPE_PATTERN = re.compile("|".join(sorted(map(re.escape, TYPE_WORDS), key=len, reverse=True)), re.IGNORECASE)


def _build_aliases():

    table = {}
    for model in (Edition, Subject, Grade):
        for name, aliases in model.objects.exclude(aliases="").values_list("name", "aliases"):
            for alias in split_aliases(aliases):
                table[alias] = name
    return table


PLACEMENT_FACETS = ("stage", "grade", "subject", "edition")


def _build_placement():
    """{word: (facet, pk)} for every name and alias of a stage, grade, subject or edition."""

    table = {}
    for facet, model in zip(PLACEMENT_FACETS, (Stage, Grade, Subject, Edition), strict=True):
        with_aliases = hasattr(model, "aliases")
        for row in model.objects.all():
            names = [row.name, *(split_aliases(row.aliases) if with_aliases else [])]
            for name in names:
                if len(name) >= 2 and not name.isascii():
                    table.setdefault(name, (facet, row.pk))
    return table


def placement_words():
    return cached("placement", _build_placement)


def aliases():
    """{colloquial name: canonical name} from the taxonomy rows."""
    return cached("aliases", _build_aliases)


def intent(q):
    """The resource type a query asks for by name ("分数 课件" → courseware), or None."""
    found = {TYPE_WORDS[match.group().lower()] for match in _TYPE_PATTERN.finditer(q or "")}
    return found.pop() if len(found) == 1 else None


def topic(q):
    """`q` without its type words: what the teacher wants material about."""
    return " ".join(_TYPE_PATTERN.sub(" ", q or "").split())


def split(q):
    """(topic, placement): `q` without its type words and curriculum words, and those words as
    {facet: pk} - "初二物理 光的反射 课件" → ("光的反射", {"grade": 八年级, "subject": 物理})."""
    text = topic(q)
    table = placement_words()
    found = {}
    if table and text:
        pattern = re.compile("|".join(map(re.escape, sorted(table, key=len, reverse=True))))
        for match in pattern.finditer(text):
            facet, pk = table[match.group()]
            found.setdefault(facet, pk)
        text = " ".join(pattern.sub(" ", text).split())
    return without_fillers(text), found
