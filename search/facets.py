"""Facet counts from raw values (ids, codes) to what people read.

The names behind the ids are cached until the taxonomy or the schools change
(search.terms), so a search does not read five tables to label its facets.
"""

from resources.models import Edition, Grade, School, Stage, Subject, Textbook

from .cache import cached

NAMES = ("stage", "grade", "subject", "edition", "resource_type", "award_level", "area")
LABELLED = ("stage", "grade", "subject", "edition")


def _build_labels():

    labels = {
        name: dict(model.objects.values_list("pk", "name"))
        for name, model in (("stage", Stage), ("grade", Grade), ("subject", Subject), ("edition", Edition))
    }
    labels["area"] = dict(School.objects.values_list("pk", "area"))
    # Schools whole (a district has tens, not thousands): results and the school kind read them from here.
    labels["school"] = {
        row["pk"]: row for row in School.objects.values("pk", "code", "name", "town", "area", "stage").order_by("code")
    }
    labels["volume"] = dict(Textbook.objects.values_list("pk", "volume"))
    return labels


def placement(page):
    """'小学 · 数学 · 人教版 · 三年级上册 · 分数的初步认识' from cached names (placement_label, without joins)."""
    table = labels()
    parts = [table[name].get(getattr(page, f"{name}_id")) for name in ("stage", "subject", "edition")]
    grade = table["grade"].get(page.grade_id)
    if grade:
        parts.append(grade + (table["volume"].get(page.textbook_id) or ""))
    if page.knowledge_node_id:
        parts.append(page.knowledge_node.title)
    return " · ".join(part for part in parts if part)


def labels():
    return cached("facet-labels", _build_labels)


def _add(counts, key, n):
    counts[key] = counts.get(key, 0) + n


def present(raw, kinds=None):
    """{facet: {label: count}}, biggest first; `kinds` adds other result kinds to resource_type."""
    table = labels()
    facets = {name: {} for name in NAMES}
    for name in LABELLED:
        for key, n in raw.get(name, {}).items():
            label = table[name].get(int(key))
            if label:
                _add(facets[name], label, n)
    for key, n in raw.get("school", {}).items():
        area = table["area"].get(int(key))
        if area:
            _add(facets["area"], area, n)
    for name in ("resource_type", "award_level"):
        for key, n in raw.get(name, {}).items():
            if key:
                _add(facets[name], key, n)
    for key, n in (kinds or {}).items():
        _add(facets["resource_type"], key, n)
    return {name: dict(sorted(counts.items(), key=lambda item: -item[1])) for name, counts in facets.items()}
