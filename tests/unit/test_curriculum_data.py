"""The curriculum seed data (resources/curriculum) is consistent.

Plain functions, no database: each test runs one check of
resources/curriculum/check.py on the shipped data, and a few run a check on a
corrupted copy to show that it reports the fault.
"""

import json
import shutil
import subprocess
import sys

import pytest

from resources.curriculum import check


def _clean(problems):
    assert not problems, "\n".join(problems)


def test_json_files_parse():
    _clean(check.check_json_parses())


def test_vocabulary_is_consistent():
    _clean(check.check_vocabulary_is_consistent())


def test_textbooks_have_required_fields():
    _clean(check.check_textbooks_have_required_fields())


def test_textbook_files_are_named_by_codes():
    _clean(check.check_textbook_file_names())


def test_textbooks_reference_known_vocabulary():
    _clean(check.check_textbooks_reference_known_vocabulary())


def test_no_duplicate_units_or_lessons_within_a_volume():
    _clean(check.check_no_duplicate_units_or_lessons())


def test_titles_are_clean():
    _clean(check.check_titles_are_clean())


def test_required_textbook_volumes_are_present():
    _clean(check.check_required_volumes_present())


def test_cross_edition_links_point_to_existing_lessons():
    _clean(check.check_cross_edition_links())


def test_counts_cover_every_textbook_file():
    rows = check.counts()
    assert {row[0] for row in rows} == {path.name for path in check.textbook_paths()}
    assert all(volumes and units and lessons for _, volumes, units, lessons in rows)


def test_colloquial_words_in_the_domain_map_to_the_vocabulary():
    vocabulary = check.load_vocabulary()
    assert vocabulary["grade_aliases"]["初二"] == "八年级"
    assert vocabulary["subject_aliases"]["道法"] == "道德与法治"
    tongbian = next(edition for edition in vocabulary["editions"] if edition["name"] == "统编版")
    assert "部编版" in tongbian["aliases"]


def test_script_runs_and_exits_zero():
    result = subprocess.run(
        [sys.executable, str(check.DATA_DIR / "check.py")], capture_output=True, text=True, timeout=60, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "renjiao-math-primary.json" in result.stdout and result.stdout.rstrip().endswith("OK")


# -- the checks catch faults -------------------------------------------------


@pytest.fixture
def data_copy(tmp_path):
    target = tmp_path / "curriculum"
    shutil.copytree(check.DATA_DIR, target, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    return target


def _edit(path, change):
    data = json.loads(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def test_broken_json_is_reported(data_copy):
    (data_copy / "textbooks" / "pep-english-primary.json").write_text("{", encoding="utf-8")
    assert any("pep-english-primary.json" in p for p in check.check_json_parses(data_copy))


def test_subject_outside_its_grades_is_reported(data_copy):
    def move_physics_to_grade_seven(book):
        book["volumes"][0]["grade"] = "七年级"

    _edit(data_copy / "textbooks" / "renjiao-physics-junior.json", move_physics_to_grade_seven)
    problems = check.check_textbooks_reference_known_vocabulary(data_copy)
    assert any("物理 is not taught in 七年级" in p for p in problems)


def test_duplicate_lesson_is_reported(data_copy):
    def repeat_a_lesson(book):
        units = book["volumes"][0]["units"]
        units[1]["lessons"].append(units[0]["lessons"][0])

    _edit(data_copy / "textbooks" / "renjiao-math-primary.json", repeat_a_lesson)
    assert any("duplicate lesson" in p for p in check.check_no_duplicate_units_or_lessons(data_copy))


def test_link_to_a_missing_lesson_is_reported(data_copy):
    def rename_a_lesson(groups):
        groups[0][0]["lesson"] = "没有这一课"

    _edit(data_copy / "cross_edition_links.json", rename_a_lesson)
    assert any("没有这一课" in p for p in check.check_cross_edition_links(data_copy))


def test_lesson_in_two_link_groups_is_reported(data_copy):
    def share_a_lesson(groups):
        groups[1].append(groups[0][0])

    assert not check.check_cross_edition_links(data_copy)
    _edit(data_copy / "cross_edition_links.json", share_a_lesson)
    assert any("belongs to one group" in p for p in check.check_cross_edition_links(data_copy))
