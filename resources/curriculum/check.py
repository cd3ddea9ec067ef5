"""Self-check for the curriculum seed data in this folder.

    python3 resources/curriculum/check.py [DATA_DIR]

Prints the volumes, units and lessons of every textbook file, then every
problem found; exits 1 if there is any. Standard library only and no Django:
each check is a plain function taking the data folder and returning a list of
problems, so tests/unit/test_curriculum_data.py runs them one by one and the
management command that loads the data can reuse them.

Format (see the files themselves for examples):
- vocabulary.json: stages, subjects, editions, volumes and the aliases people
  use for them (初二 → 八年级, 道法 → 道德与法治, 部编版 → 统编版).
- textbooks/<edition-code>-<subject-code>-<stage-code>.json: one textbook
  series, {"edition", "subject", "stage", "source_note", "unverified",
  "volumes": [{"grade", "volume", "standard", "units": [{"title", "lessons"}]}]}.
  A lesson is a knowledge node (课); a unit printed without sections has one
  node named after the unit.
- cross_edition_links.json: groups of lessons that teach the same knowledge
  point in different editions.
"""

from __future__ import annotations

import json
import re
import sys
from collections import Counter
from pathlib import Path

DATA_DIR = Path(__file__).resolve().parent

# What the textbook files must cover (the brief this seed was written to).
REQUIRED_VOLUMES = {
    ("人教版", "数学", "小学"): [(grade, volume) for grade in "一二三四五六" for volume in ("上册", "下册")],
    ("统编版", "语文", "小学"): [("三", "上册"), ("三", "下册"), ("四", "上册"), ("四", "下册")],
    ("统编版", "语文", "初中"): [("七", "上册"), ("八", "上册")],
    ("人教版", "物理", "初中"): [("八", "上册"), ("八", "下册"), ("九", "全一册")],
    ("人教版", "数学", "初中"): [("七", "上册"), ("八", "上册")],
    ("北师大版", "数学", "小学"): [("三", "上册"), ("四", "上册")],
    ("人教PEP版", "英语", "小学"): [("三", "上册")],
}
MIN_LINK_GROUPS = 8
SOURCE_NOTE_MAX = 300  # Textbook.source_note is a CharField(max_length=300)
TITLE_MAX = 120  # Unit.title; KnowledgeNode.title allows 160

FILE_KEYS = {"edition", "subject", "stage", "source_note", "unverified", "volumes"}
VOLUME_KEYS = {"grade", "volume", "standard", "units"}
UNIT_KEYS = {"title", "lessons"}
LINK_KEYS = ("edition", "subject", "stage", "grade", "volume", "unit", "lesson")
CODE = re.compile(r"^[a-z][a-z0-9_]*$")
CJK = re.compile(r"[\u4e00-\u9fff]")


# -- loading -----------------------------------------------------------------


def _read(path: Path):
    return json.loads(path.read_text(encoding="utf-8"))


def json_paths(data_dir: Path = DATA_DIR) -> list[Path]:
    data_dir = Path(data_dir)
    return [data_dir / "vocabulary.json", data_dir / "cross_edition_links.json", *textbook_paths(data_dir)]


def textbook_paths(data_dir: Path = DATA_DIR) -> list[Path]:
    return sorted((Path(data_dir) / "textbooks").glob("*.json"))


def load_vocabulary(data_dir: Path = DATA_DIR) -> dict:
    return _read(Path(data_dir) / "vocabulary.json")


def load_textbooks(data_dir: Path = DATA_DIR) -> dict[str, dict]:
    """Every textbook file that parses, by file name."""
    books = {}
    for path in textbook_paths(data_dir):
        try:
            books[path.name] = _read(path)
        except (OSError, ValueError):
            continue  # reported by check_json_parses
    return books


def load_links(data_dir: Path = DATA_DIR) -> list:
    return _read(Path(data_dir) / "cross_edition_links.json")


def _vocabulary_or_problem(data_dir):
    try:
        vocabulary = load_vocabulary(data_dir)
    except (OSError, ValueError) as error:
        return None, [f"vocabulary.json: cannot be read ({error})"]
    if not isinstance(vocabulary, dict):
        return None, ["vocabulary.json: must be an object"]
    return vocabulary, []


class Vocabulary:
    """Lookups over vocabulary.json that tolerate missing keys (other checks report those)."""

    def __init__(self, data: dict):
        self.stages = {s.get("name"): s for s in data.get("stages", []) if isinstance(s, dict)}
        self.stage_codes = {s.get("code"): s for s in self.stages.values()}
        self.subjects = {s.get("name"): s for s in data.get("subjects", []) if isinstance(s, dict)}
        self.editions = {e.get("name"): e for e in data.get("editions", []) if isinstance(e, dict)}
        self.volumes = set(data.get("volumes", []))

    def grades_of_stage(self, stage_name: str) -> list[str]:
        return list(self.stages.get(stage_name, {}).get("grades", []))

    def grades_taught(self, subject_name: str, stage_name: str) -> list[str]:
        """The grades of a stage in which a subject is taught (empty if it is not taught in that stage)."""
        subject = self.subjects.get(subject_name, {})
        stage = self.stages.get(stage_name, {})
        if stage.get("code") not in subject.get("stages", []):
            return []
        grades = self.grades_of_stage(stage_name)
        restriction = subject.get("grades")
        return [grade for grade in grades if restriction is None or grade in restriction]

    def edition_publishes(self, edition_name: str, subject_name: str, stage_name: str) -> bool:
        edition = self.editions.get(edition_name, {})
        stage_code = self.stages.get(stage_name, {}).get("code")
        if subject_name not in edition.get("subjects", []):
            return False
        if "stages" in edition and stage_code not in edition["stages"]:
            return False
        only = edition.get("subject_stages", {}).get(subject_name)
        return only is None or stage_code in only


# -- checks ------------------------------------------------------------------


def check_json_parses(data_dir: Path = DATA_DIR) -> list[str]:
    problems = []
    paths = json_paths(data_dir)
    if not textbook_paths(data_dir):
        problems.append("textbooks/: no textbook files")
    for path in paths:
        try:
            _read(path)
        except FileNotFoundError:
            problems.append(f"{path.name}: missing")
        except (OSError, ValueError) as error:
            problems.append(f"{path.name}: not valid UTF-8 JSON ({error})")
    return problems


def _unique(items, what, where) -> list[str]:
    return [f"{where}: duplicate {what} {item!r}" for item, n in Counter(items).items() if n > 1]


def _vocabulary_keys_problems(data, where):
    problems = [f"{where}: missing {key!r}" for key in VOCABULARY_KEYS if key not in data]
    problems += [f"{where}: missing {key!r}" for key in ("resource_types", "award_levels") if not data.get(key)]
    return problems


def _codes_and_names_problems(data, where):
    problems = []
    for kind in ("stages", "subjects", "editions", "resource_types"):
        items = [item for item in data.get(kind, []) if isinstance(item, dict)]
        problems += _unique([item.get("code") for item in items], "code", f"{where} {kind}")
        problems += _unique([item.get("name") for item in items], "name", f"{where} {kind}")
        for item in items:
            if not item.get("name") or not CODE.match(str(item.get("code", ""))):
                problems.append(f"{where} {kind}: {item!r} needs a name and a lower-case ASCII code")
    return problems


def _subject_problems(vocabulary, name, subject, where):
    own = f"{where} subject {name}"
    problems = []
    stages = subject.get("stages") or []
    if not stages:
        problems.append(f"{own}: no stages")
    unknown = [code for code in stages if code not in vocabulary.stage_codes]
    if unknown:
        problems.append(f"{own}: unknown stages {unknown}")
    allowed = [g for code in stages for g in vocabulary.stage_codes.get(code, {}).get("grades", [])]
    if "grades" in subject:
        outside = [grade for grade in subject["grades"] if grade not in allowed]
        if outside or not subject["grades"]:
            problems.append(f"{own}: grades {outside or '[]'} are not grades of its stages {stages}")
    parent = subject.get("parent")
    if parent is not None:
        if parent not in vocabulary.subjects or parent == name:
            problems.append(f"{own}: parent {parent!r} is not another subject")
        elif not set(stages) <= set(vocabulary.subjects[parent].get("stages", [])):
            problems.append(f"{own}: taught in stages its parent {parent} does not cover")
    return problems


def _edition_problems(vocabulary, name, edition, where):
    own = f"{where} edition {name}"
    problems = []
    subjects = edition.get("subjects") or []
    if not subjects:
        problems.append(f"{own}: publishes no subjects")
    problems += [f"{own}: unknown subject {subject!r}" for subject in subjects if subject not in vocabulary.subjects]
    stage_codes = edition.get("stages", list(vocabulary.stage_codes))
    if any(code not in vocabulary.stage_codes for code in stage_codes):
        problems.append(f"{own}: unknown stages {stage_codes}")
    for subject, codes in edition.get("subject_stages", {}).items():
        if subject not in subjects or any(code not in stage_codes for code in codes):
            problems.append(f"{own}: subject_stages {subject}: {codes} is not within its subjects and stages")
    stage_names = [vocabulary.stage_codes[c]["name"] for c in stage_codes if c in vocabulary.stage_codes]
    for subject in subjects:
        if subject in vocabulary.subjects and not any(
            vocabulary.edition_publishes(name, subject, stage) and vocabulary.grades_taught(subject, stage)
            for stage in stage_names
        ):
            problems.append(f"{own}: {subject} is not taught in any stage this edition covers")
    return problems


def _alias_problems(data, vocabulary, all_grades, where):
    problems = []
    volumes = data.get("volumes", [])
    problems += _unique(volumes, "volume", where)
    maps = (
        ("grade_aliases", all_grades, "a grade"),
        ("volume_aliases", volumes, "a volume"),
        ("subject_aliases", vocabulary.subjects, "a subject"),
    )
    for key, names, what in maps:
        for alias, target in data.get(key, {}).items():
            if target not in names or alias in names:
                problems.append(f"{where} {key}: {alias!r} → {target!r} must map a new word to {what}")
    for kind in ("editions", "resource_types"):
        names = [item.get("name") for item in data.get(kind, []) if isinstance(item, dict)]
        aliases = [alias for item in data.get(kind, []) if isinstance(item, dict) for alias in item.get("aliases", [])]
        problems += _unique(aliases, "alias", f"{where} {kind}")
        problems += [f"{where} {kind}: alias {alias!r} is also a name" for alias in aliases if alias in names]
    return problems


VOCABULARY_KEYS = ("stages", "subjects", "editions", "volumes", "grade_aliases", "subject_aliases")


def check_vocabulary_is_consistent(data_dir: Path = DATA_DIR) -> list[str]:
    data, problems = _vocabulary_or_problem(data_dir)
    if data is None:
        return problems
    where = "vocabulary.json"
    problems += _vocabulary_keys_problems(data, where)
    vocabulary = Vocabulary(data)
    problems += _codes_and_names_problems(data, where)
    all_grades = [grade for stage in vocabulary.stages.values() for grade in stage.get("grades", [])]
    problems += _unique(all_grades, "grade", f"{where} stages")
    for name, subject in vocabulary.subjects.items():
        problems += _subject_problems(vocabulary, name, subject, where)
    for name, edition in vocabulary.editions.items():
        problems += _edition_problems(vocabulary, name, edition, where)
    problems += _alias_problems(data, vocabulary, all_grades, where)
    problems += _unique(data.get("award_levels", []), "award level", where)
    return problems


def _unit_problems(label, unit):
    if not isinstance(unit, dict) or set(unit) != UNIT_KEYS:
        return [f"{label}: a unit must be exactly {{'title', 'lessons'}}, got {unit!r}"]
    problems = []
    lessons = unit["lessons"]
    if not isinstance(unit["title"], str) or not unit["title"]:
        problems.append(f"{label}: a unit has no title")
    if not isinstance(lessons, list) or not lessons or not all(isinstance(x, str) and x for x in lessons):
        problems.append(f"{label} {unit['title']}: lessons must be a non-empty list of titles")
    return problems


def _volume_problems(name, volume):
    if not isinstance(volume, dict):
        return [f"{name}: a volume must be an object"]
    label = f"{name} {volume.get('grade')}{volume.get('volume')}"
    problems = [f"{label}: missing {key!r}" for key in sorted(VOLUME_KEYS - {"standard"} - set(volume))]
    problems += [f"{label}: unknown key {key!r}" for key in sorted(set(volume) - VOLUME_KEYS)]
    units = volume.get("units")
    if not isinstance(units, list) or not units:
        return [*problems, f"{label}: units must be a non-empty list"]
    for unit in units:
        problems += _unit_problems(label, unit)
    return problems


def _book_fields_problems(name, book):
    problems = [f"{name}: missing {key!r}" for key in sorted(FILE_KEYS - {"unverified"} - set(book))]
    problems += [f"{name}: unknown key {key!r}" for key in sorted(set(book) - FILE_KEYS)]
    note = book.get("source_note")
    if not isinstance(note, str) or not note.strip():
        problems.append(f"{name}: source_note must say which printing of the textbook this is")
    elif len(note) > SOURCE_NOTE_MAX:
        problems.append(f"{name}: source_note is {len(note)} characters; keep it ≤ {SOURCE_NOTE_MAX}")
    unverified = book.get("unverified", [])
    if not isinstance(unverified, list) or not all(isinstance(item, str) and item for item in unverified):
        problems.append(f"{name}: unverified must be a list of sentences")
    return problems


def check_textbooks_have_required_fields(data_dir: Path = DATA_DIR) -> list[str]:
    problems = []
    for name, book in load_textbooks(data_dir).items():
        if not isinstance(book, dict):
            problems.append(f"{name}: must be an object")
            continue
        problems += _book_fields_problems(name, book)
        volumes = book.get("volumes")
        if not isinstance(volumes, list) or not volumes:
            problems.append(f"{name}: volumes must be a non-empty list")
            continue
        for volume in volumes:
            problems += _volume_problems(name, volume)
    return problems


def check_textbook_file_names(data_dir: Path = DATA_DIR) -> list[str]:
    data, problems = _vocabulary_or_problem(data_dir)
    if data is None:
        return problems
    vocabulary = Vocabulary(data)
    for name, book in load_textbooks(data_dir).items():
        if not isinstance(book, dict):
            continue
        parts = (
            vocabulary.editions.get(book.get("edition"), {}).get("code"),
            vocabulary.subjects.get(book.get("subject"), {}).get("code"),
            vocabulary.stages.get(book.get("stage"), {}).get("code"),
        )
        expected = "-".join(str(part) for part in parts) + ".json"
        if name != expected:
            problems.append(f"{name}: should be named {expected} (<edition-code>-<subject-code>-<stage-code>.json)")
    return problems


def check_textbooks_reference_known_vocabulary(data_dir: Path = DATA_DIR) -> list[str]:
    data, problems = _vocabulary_or_problem(data_dir)
    if data is None:
        return problems
    vocabulary = Vocabulary(data)
    for name, book in load_textbooks(data_dir).items():
        if not isinstance(book, dict):
            continue
        edition, subject, stage = book.get("edition"), book.get("subject"), book.get("stage")
        for kind, value, known in (
            ("edition", edition, vocabulary.editions),
            ("subject", subject, vocabulary.subjects),
            ("stage", stage, vocabulary.stages),
        ):
            if value not in known:
                problems.append(f"{name}: unknown {kind} {value!r}")
        if edition in vocabulary.editions and subject in vocabulary.subjects and stage in vocabulary.stages:
            if not vocabulary.edition_publishes(edition, subject, stage):
                problems.append(f"{name}: vocabulary.json does not list {edition} as publishing {stage}{subject}")
        problems += _volumes_vocabulary_problems(vocabulary, name, book)
    return problems


def _volumes_vocabulary_problems(vocabulary, name, book):
    subject, stage = book.get("subject"), book.get("stage")
    taught = vocabulary.grades_taught(subject, stage)
    problems = []
    for volume in book.get("volumes") or []:
        if not isinstance(volume, dict):
            continue
        grade, volume_name = volume.get("grade"), volume.get("volume")
        if grade not in vocabulary.grades_of_stage(stage):
            problems.append(f"{name}: {grade!r} is not a grade of {stage}")
        elif grade not in taught:
            problems.append(f"{name}: {subject} is not taught in {grade} (taught in {taught})")
        if volume_name not in vocabulary.volumes:
            problems.append(f"{name} {grade}: unknown volume {volume_name!r}")
    return problems


def check_no_duplicate_units_or_lessons(data_dir: Path = DATA_DIR) -> list[str]:
    problems = []
    for name, book in load_textbooks(data_dir).items():
        volumes = [v for v in (book.get("volumes") or []) if isinstance(v, dict)] if isinstance(book, dict) else []
        problems += _unique([(v.get("grade"), v.get("volume")) for v in volumes], "volume", name)
        for volume in volumes:
            label = f"{name} {volume.get('grade')}{volume.get('volume')}"
            units = [unit for unit in volume.get("units") or [] if isinstance(unit, dict)]
            problems += _unique([unit.get("title") for unit in units], "unit", label)
            lessons = [lesson for unit in units for lesson in unit.get("lessons") or []]
            problems += _unique(lessons, "lesson", label)
    return problems


def check_titles_are_clean(data_dir: Path = DATA_DIR) -> list[str]:
    """No stray spaces, ASCII brackets in Chinese titles, 略读 marks or over-long titles."""
    problems = []
    for name, book in load_textbooks(data_dir).items():
        for volume in book.get("volumes") or [] if isinstance(book, dict) else []:
            for unit in volume.get("units") or [] if isinstance(volume, dict) else []:
                if not isinstance(unit, dict):
                    continue
                for title in [unit.get("title"), *(unit.get("lessons") or [])]:
                    if not isinstance(title, str):
                        continue
                    label = f"{name} {volume.get('grade')}{volume.get('volume')} {title!r}"
                    if title != title.strip() or "  " in title or "\u3000" in title:
                        problems.append(f"{label}: stray whitespace")
                    if CJK.search(title) and re.search(r"[()]", title):
                        problems.append(f"{label}: use full-width （） in Chinese titles")
                    if "※" in title or "\n" in title:
                        problems.append(f"{label}: remove ※ and line breaks")
                    if len(title) > TITLE_MAX:
                        problems.append(f"{label}: longer than {TITLE_MAX} characters")
    return problems


def check_required_volumes_present(data_dir: Path = DATA_DIR) -> list[str]:
    present = set()
    for book in load_textbooks(data_dir).values():
        if isinstance(book, dict):
            for volume in book.get("volumes") or []:
                if isinstance(volume, dict):
                    key = (book.get("edition"), book.get("subject"), book.get("stage"))
                    present.add((*key, volume.get("grade"), volume.get("volume")))
    problems = []
    for (edition, subject, stage), volumes in REQUIRED_VOLUMES.items():
        for grade, volume in volumes:
            if (edition, subject, stage, f"{grade}年级", volume) not in present:
                problems.append(f"missing textbook: {edition} {stage}{subject} {grade}年级{volume}")
    return problems


def lesson_index(data_dir: Path = DATA_DIR) -> set[tuple]:
    """Every lesson as (edition, subject, stage, grade, volume, unit, lesson)."""
    index = set()
    for book in load_textbooks(data_dir).values():
        if not isinstance(book, dict):
            continue
        for volume in book.get("volumes") or []:
            for unit in volume.get("units") or [] if isinstance(volume, dict) else []:
                for lesson in unit.get("lessons") or [] if isinstance(unit, dict) else []:
                    if not isinstance(lesson, str):
                        continue
                    index.add(
                        (
                            book.get("edition"),
                            book.get("subject"),
                            book.get("stage"),
                            volume.get("grade"),
                            volume.get("volume"),
                            unit.get("title"),
                            lesson,
                        )
                    )
    return index


def _group_refs(label, group, index):
    """The (edition, …) keys of one link group's lessons, and what is wrong with them."""
    refs, problems = [], []
    for ref in group:
        if not isinstance(ref, dict) or set(ref) != set(LINK_KEYS):
            problems.append(f"{label}: each lesson needs exactly the keys {list(LINK_KEYS)}, got {ref!r}")
            continue
        key = tuple(ref[k] for k in LINK_KEYS)
        refs.append(key)
        if key not in index:
            problems.append(f"{label}: no such lesson {' / '.join(map(str, key))}")
    return refs, problems


def check_cross_edition_links(data_dir: Path = DATA_DIR) -> list[str]:
    where = "cross_edition_links.json"
    try:
        groups = load_links(data_dir)
    except (OSError, ValueError) as error:
        return [f"{where}: cannot be read ({error})"]
    if not isinstance(groups, list):
        return [f"{where}: must be a list of groups"]
    problems = []
    if len(groups) < MIN_LINK_GROUPS:
        problems.append(f"{where}: {len(groups)} groups; at least {MIN_LINK_GROUPS} expected")
    index = lesson_index(data_dir)
    seen_groups = []
    group_of = {}  # the loader gives each knowledge node one same_as group, so groups must not overlap
    for number, group in enumerate(groups, start=1):
        label = f"{where} group {number}"
        if not isinstance(group, list) or len(group) < 2:
            problems.append(f"{label}: must list at least two lessons")
            continue
        refs, ref_problems = _group_refs(label, group, index)
        problems += ref_problems
        problems += _unique(refs, "lesson", label)
        if len({ref[0] for ref in refs}) < 2:
            problems.append(f"{label}: links lessons of one edition only")
        if set(refs) in seen_groups:
            problems.append(f"{label}: repeats an earlier group")
        seen_groups.append(set(refs))
        for ref in set(refs):
            if group_of.setdefault(ref, number) != number:
                lesson = " / ".join(map(str, ref))
                problems.append(f"{label}: {lesson} is already in group {group_of[ref]}; a lesson belongs to one group")
    return problems


CHECKS = (
    check_json_parses,
    check_vocabulary_is_consistent,
    check_textbooks_have_required_fields,
    check_textbook_file_names,
    check_textbooks_reference_known_vocabulary,
    check_no_duplicate_units_or_lessons,
    check_titles_are_clean,
    check_required_volumes_present,
    check_cross_edition_links,
)


def counts(data_dir: Path = DATA_DIR) -> list[tuple[str, int, int, int]]:
    """(file, volumes, units, lessons) for every textbook file."""
    rows = []
    for name, book in load_textbooks(data_dir).items():
        volumes = [v for v in book.get("volumes") or [] if isinstance(v, dict)] if isinstance(book, dict) else []
        units = [u for v in volumes for u in v.get("units") or [] if isinstance(u, dict)]
        lessons = [lesson for u in units for lesson in u.get("lessons") or []]
        rows.append((name, len(volumes), len(units), len(lessons)))
    return rows


def run(data_dir: Path = DATA_DIR) -> list[str]:
    return [problem for check in CHECKS for problem in check(data_dir)]


def main(argv: list[str]) -> int:
    data_dir = Path(argv[1]) if len(argv) > 1 else DATA_DIR
    out = sys.stdout
    rows = counts(data_dir)
    width = max([len(row[0]) for row in rows] + [4])
    out.write(f"{'file':<{width}}  volumes  units  lessons\n")
    for name, volumes, units, lessons in rows:
        out.write(f"{name:<{width}}  {volumes:>7}  {units:>5}  {lessons:>7}\n")
    total = [sum(row[i] for row in rows) for i in (1, 2, 3)]
    out.write(f"{'total':<{width}}  {total[0]:>7}  {total[1]:>5}  {total[2]:>7}\n")
    try:
        out.write(f"cross-edition link groups: {len(load_links(data_dir))}\n")
    except (OSError, ValueError):
        pass
    problems = run(data_dir)
    if problems:
        out.write(f"\n{len(problems)} problem(s):\n")
        out.writelines(f"  - {problem}\n" for problem in problems)
        return 1
    out.write("OK\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
