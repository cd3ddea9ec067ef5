"""A fresh site (`migrate`, nothing loaded) imports a district file.

学段 and 年级 come from a data migration, so the importer can place lines
before `load_curriculum` ran; it then says which command loads the textbook
catalogue, and loading it afterwards adds no second 学段 or 年级.
"""

import json

import pytest
from django.core.management import call_command

from resources import taxonomy_loader
from resources.models import Grade, LessonPackagePage, Stage, Textbook
from tests.conftest import CURRICULUM_FIXTURE

pytestmark = pytest.mark.django_db

LINE = {
    "id": "fresh-0001",
    "title": "分数的初步认识",
    "stage": "小学",
    "grade": "三年级",
    "subject": "数学",
    "edition": "人教版",
    "volume": "上册",
    "unit": "8 分数的初步认识",
    "lesson": "几分之一",
}


def test_fresh_migrate_has_the_fixed_levels():
    assert list(Stage.objects.values_list("name", flat=True)) == ["小学", "初中"]
    assert Grade.objects.count() == 9
    assert Grade.objects.get(aliases__contains="初二").name == "八年级"
    assert not Textbook.objects.exists()


def test_fresh_site_imports_a_district_file_and_names_the_missing_command(tmp_path, capsys):
    path = tmp_path / "district.jsonl"
    path.write_text(json.dumps(LINE, ensure_ascii=False) + "\n", encoding="utf-8")

    call_command("import_resources", str(path))

    out = capsys.readouterr()
    assert "新增 1，更新 0，失败 0" in out.out
    assert "尚未载入教材目录，请先运行 manage.py load_curriculum" in out.err
    page = LessonPackagePage.objects.get(external_id="fresh-0001")
    assert (page.grade.name, page.grade.stage.name) == ("三年级", "小学")


def test_load_curriculum_after_migrate_adds_no_second_level():
    taxonomy_loader.load_all(CURRICULUM_FIXTURE)
    taxonomy_loader.load_all(CURRICULUM_FIXTURE)
    assert Stage.objects.count() == 2
    assert Grade.objects.count() == 9
    assert Grade.objects.get(name="七年级").aliases.count("初一") == 1
