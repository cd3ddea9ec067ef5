"""Re-ordering the head of the database backend's ranking with what the query means.

The database backends score bags of terms; they do not know that a title
which *is* the query is the best answer, that 教案 asks for a teaching
design, that a lesson placed on 八年级 物理 fits "初二物理", or that
欧母定律 is one wrong character away from 欧姆定律. The engine query
(search.engine) says the same things with boosts.
"""

from difflib import SequenceMatcher
from functools import lru_cache

from core.chinese import index_terms

from .facets import labels

DEPTH = 60  # results re-ordered: pages 1-6 of ten; later pages keep the first stage's order
TITLE_IS_TOPIC = 3.0
TOPIC_IN_TITLE = 2.0
WORDS_IN_TITLE = 1.5
WORDS_IN_PLACEMENT = 1.0
CLOSE_TITLE = 1.5  # a title all but a character or two like the query (typos)
TYPE_ASKED = 4.0  # 课件 / 教案 asked for: that type, on topic, before everything else
PLACED_AS_ASKED = 2.0  # the grade, subject, edition or stage the query names


_PUNCTUATION = str.maketrans("", "", "、，,。．.：:；;（）()《》“”\"'！!？?·—-~～ \t")


def _squash(text):
    """Lower case, no spaces or punctuation: 加、减法 matches 加减法."""
    return (text or "").lower().translate(_PUNCTUATION)


@lru_cache(maxsize=8192)
def _title_terms(title):
    """Words, bigrams, pinyin and initials of a title, for pinyin queries."""
    return frozenset(index_terms(title).split())


def read(plan, ids):
    """{pk: page} for `ids`, read through the plan's visible querysets (never a draft, whatever the
    index says), kept on the plan so the results of a re-ranked head are not read twice."""
    missing = [pk for pk in ids if pk not in plan.loaded]
    if missing:
        for queryset in plan.querysets.values():
            # One short join: the names of stage, grade, school… come from the cached labels
            # (a wide join costs PostgreSQL more to plan than to run).
            for page in queryset.filter(pk__in=missing).select_related("knowledge_node__unit"):
                plan.loaded[page.pk] = page
    return {pk: plan.loaded[pk] for pk in ids if pk in plan.loaded}


def _document(page, names):
    node = page.knowledge_node if page.knowledge_node_id else None
    doc = {
        "title": page.title,
        "resource_type": getattr(page, "resource_type", "lesson_package"),
        "knowledge_node__title": node.title if node else "",
        "knowledge_node__unit__title": node.unit.title if node else "",
    }
    for facet in ("stage", "grade", "subject", "edition"):
        doc[f"{facet}_id"] = getattr(page, f"{facet}_id")
        doc[f"{facet}__name"] = names[facet].get(doc[f"{facet}_id"])
    return doc


def _in(word, squashed, terms):
    word = _squash(word)
    return word in squashed if not word.isascii() else word in terms


def score(doc, plan, groups, position):
    """A number to sort by: the backend's position, plus what the query's meaning adds."""
    value = 1.0 / (1.0 + position / 10.0)
    title = _squash(doc["title"])
    topic = _squash(plan.topic)
    if topic and title == topic:
        value += TITLE_IS_TOPIC
    elif len(topic) >= 2 and topic in title:
        value += TOPIC_IN_TITLE
    elif len(topic) >= 3 and not topic.isascii():
        blocks = SequenceMatcher(None, topic, title, autojunk=False).get_matching_blocks()
        similar = sum(block.size for block in blocks) / len(topic)
        if similar >= 0.7:
            value += CLOSE_TITLE * similar
    on_topic = 0.0
    if groups:
        terms = _title_terms(doc["title"])
        placement = _squash(" ".join(str(doc[key] or "") for key in doc if key.endswith(("__name", "__title"))))
        in_title = sum(1 for group in groups if any(_in(word, title, terms) for word in group)) / len(groups)
        in_place = sum(1 for group in groups if any(_squash(word) in placement for word in group)) / len(groups)
        value += WORDS_IN_TITLE * in_title + WORDS_IN_PLACEMENT * in_place
        on_topic = max(in_title, in_place)
    if plan.placement:
        matched = sum(1 for facet, pk in plan.placement.items() if doc[f"{facet}_id"] == pk)
        value += PLACED_AS_ASKED * matched / len(plan.placement)
    if plan.intent and doc["resource_type"] == plan.intent and (on_topic >= 0.5 or not groups):
        # Half the topic in the title earns a quarter: the type asked for must not bury the topic.
        value += TYPE_ASKED * (on_topic**2 if groups else 1.0)
    return value


def rerank(ids, plan):
    """`ids` (the first stage's order) re-ordered; ids no longer readable are left out."""

    names = labels()
    pages = read(plan, ids)
    scored = [
        (score(_document(pages[pk], names), plan, plan.groups, position), -position, pk)
        for position, pk in enumerate(ids)
        if pk in pages
    ]
    scored.sort(reverse=True)
    return [pk for _, _, pk in scored]
