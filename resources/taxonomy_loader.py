"""Load the curriculum seed (resources/curriculum/*.json) into the taxonomy tables.

Idempotent: names are the keys, so loading twice changes nothing and a
corrected title in the data only adds what is new. Nothing is deleted here:
lesson packages may already be placed on a node the data no longer lists.
"""

import json
from pathlib import Path

from django.db import transaction

from .models import CrossEditionGroup, Edition, Grade, KnowledgeNode, Stage, Subject, Textbook, Unit
from .models.taxonomy import split_aliases

DATA_DIR = Path(__file__).resolve().parent / "curriculum"


def _read(path):
    return json.loads(Path(path).read_text(encoding="utf-8"))


def load_vocabulary(vocabulary):
    order = 0
    for stage_order, item in enumerate(vocabulary["stages"]):
        stage, _ = Stage.objects.update_or_create(
            code=item["code"], defaults={"name": item["name"], "sort_order": stage_order}
        )
        for name in item["grades"]:
            order += 1
            Grade.objects.update_or_create(name=name, defaults={"stage": stage, "sort_order": order})
    for alias, grade in vocabulary.get("grade_aliases", {}).items():
        _add_alias(Grade.objects.get(name=grade), alias)

    stages = {stage.code: stage for stage in Stage.objects.all()}
    subject_aliases = {}
    for alias, name in vocabulary.get("subject_aliases", {}).items():
        subject_aliases.setdefault(name, []).append(alias)
    for item_order, item in enumerate(vocabulary["subjects"]):
        aliases = list(item.get("aliases", [])) + subject_aliases.get(item["name"], [])
        subject, _ = Subject.objects.update_or_create(
            code=item["code"], defaults={"name": item["name"], "sort_order": item_order}
        )
        subject.aliases = ", ".join(dict.fromkeys(aliases))
        subject.save()
        subject.stages.set([stages[code] for code in item["stages"]])
    for item in vocabulary["subjects"]:
        if item.get("parent"):
            Subject.objects.filter(code=item["code"]).update(parent=Subject.objects.get(name=item["parent"]))

    for item_order, item in enumerate(vocabulary["editions"]):
        Edition.objects.update_or_create(
            code=item["code"],
            defaults={"name": item["name"], "aliases": ", ".join(item.get("aliases", [])), "sort_order": item_order},
        )


def _add_alias(obj, alias):
    aliases = split_aliases(obj.aliases)
    if alias not in aliases:
        obj.aliases = ", ".join([*aliases, alias])
        obj.save(update_fields=["aliases"])


def load_textbook(data):
    """Create or extend one textbook series' volumes, units and lessons. Returns lessons seen."""
    edition = Edition.objects.get(name=data["edition"])
    subject = Subject.objects.get(name=data["subject"])
    seen = 0
    for volume in data["volumes"]:
        textbook, _ = Textbook.objects.update_or_create(
            edition=edition,
            subject=subject,
            grade=Grade.objects.get(name=volume["grade"]),
            volume=volume["volume"],
            defaults={"source_note": data.get("source_note", "")[:300]},
        )
        for unit_order, unit_data in enumerate(volume["units"]):
            unit, _ = Unit.objects.update_or_create(
                textbook=textbook, title=unit_data["title"], defaults={"sort_order": unit_order}
            )
            for lesson_order, title in enumerate(unit_data["lessons"]):
                KnowledgeNode.objects.update_or_create(unit=unit, title=title, defaults={"sort_order": lesson_order})
                seen += 1
    return seen


def find_node(ref):
    """The KnowledgeNode named by a {"edition","subject","grade","volume","unit","lesson"} reference."""
    return KnowledgeNode.objects.get(
        title=ref["lesson"],
        unit__title=ref["unit"],
        unit__textbook__edition__name=ref["edition"],
        unit__textbook__subject__name=ref["subject"],
        unit__textbook__grade__name=ref["grade"],
        unit__textbook__volume=ref["volume"],
    )


def load_links(groups):
    for refs in groups:
        nodes = [find_node(ref) for ref in refs]
        existing = next((node.same_as for node in nodes if node.same_as_id), None)
        group = existing or CrossEditionGroup.objects.create(name=nodes[0].title)
        KnowledgeNode.objects.filter(pk__in=[node.pk for node in nodes]).update(same_as=group)


@transaction.atomic
def load_all(data_dir=DATA_DIR):
    """Load vocabulary, every textbook file and the cross-edition links. Returns counts."""
    data_dir = Path(data_dir)
    load_vocabulary(_read(data_dir / "vocabulary.json"))
    lessons = 0
    files = sorted((data_dir / "textbooks").glob("*.json"))
    for path in files:
        lessons += load_textbook(_read(path))
    links = data_dir / "cross_edition_links.json"
    if links.exists():
        load_links(_read(links))
    return {"textbook_files": len(files), "lessons": lessons, "textbooks": Textbook.objects.count()}
