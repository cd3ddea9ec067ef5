"""Which lessons a bundle holds: published packages on the chosen part of the curriculum.

A bundle leaves the platform's sign-in behind: whoever reaches the school box
can watch it. So a `public` bundle (the default) holds only lessons whose
licence is public, by the same policy as an anonymous visitor
(resources.api); a `signed_in` bundle - for a box on a school's staff network -
adds the lessons shared with signed-in users, and says so in its manifest.
"""

import dataclasses
import hashlib
import json

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from resources.api import visible_packages
from resources.choices import AwardLevel, Licence
from resources.models import Edition, Grade, LessonPackagePage, Stage, Subject

AWARD_ORDER = [choice.value for choice in AwardLevel]  # school < district < … < ministry
BUNDLE_LICENCES = (Licence.PUBLIC.value, Licence.SIGNED_IN.value)


class SelectionError(ValueError):
    pass


@dataclasses.dataclass(frozen=True)
class Selection:
    stage: str = ""
    grade: str = ""
    subject: str = ""
    edition: str = ""
    award_min: str = ""  # an AwardLevel value or its label (区级优课)
    rendition: str = "360p"
    include_documents: bool = False
    licence: str = Licence.PUBLIC.value

    def as_dict(self):
        return dataclasses.asdict(self)

    def bundle_id(self):
        """The same selection always makes the same bundle, so its next export is its next version."""
        digest = hashlib.sha256(json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=False).encode()).hexdigest()
        return f"youke-{digest[:12]}"


def award_value(text):
    if not text:
        return ""
    for choice in AwardLevel:
        if text in (choice.value, str(choice.label)):
            return choice.value
    raise SelectionError(f"未知的获奖等级：{text}（可选：{'、'.join(str(c.label) for c in AwardLevel)}）")


def _one(model, text, label, *fields):
    """A taxonomy row by its name, code or alias (人教版, rjb, 初二)."""
    if not text:
        return None
    query = Q()
    for field in fields:
        query |= Q(**{field: text})
    found = list(model.objects.filter(query)[:2])
    if not found and "aliases" in [f.name for f in model._meta.fields]:
        found = [row for row in model.objects.all() if text in [a.strip() for a in row.aliases.split(",")]]
    if len(found) != 1:
        raise SelectionError(f"找不到{label}：{text}")
    return found[0]


def lessons(selection):
    """The packages of `selection`, in curriculum order (textbook, unit, lesson)."""
    if selection.licence not in BUNDLE_LICENCES:
        raise SelectionError(f"资源包的共享范围只能是 {' 或 '.join(BUNDLE_LICENCES)}")
    if selection.licence == Licence.PUBLIC:
        pages = visible_packages(AnonymousUser())
    else:
        pages = LessonPackagePage.objects.live()
    filters = {
        "stage": _one(Stage, selection.stage, "学段", "name", "code"),
        "grade": _one(Grade, selection.grade, "年级", "name"),
        "subject": _one(Subject, selection.subject, "学科", "name", "code"),
        "edition": _one(Edition, selection.edition, "版本", "name", "code"),
    }
    pages = pages.filter(**{field: row for field, row in filters.items() if row is not None})
    minimum = award_value(selection.award_min)
    if minimum:
        pages = pages.filter(award_level__in=AWARD_ORDER[AWARD_ORDER.index(minimum) :])
    pages = pages.exclude(knowledge_node=None).select_related(
        "knowledge_node__unit__textbook__grade__stage",
        "knowledge_node__unit__textbook__subject",
        "knowledge_node__unit__textbook__edition",
        "school",
    )
    return pages.order_by(
        "stage__sort_order",
        "subject__sort_order",
        "edition__sort_order",
        "grade__sort_order",
        "textbook__volume",
        "knowledge_node__unit__sort_order",
        "knowledge_node__sort_order",
        "pk",
    )
