"""import_school_stats and import_training_hours: CSV and XLSX, bad rows by line, re-import replaces a year."""

import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from supervision import imports, templates_download
from supervision.models import ImportedTrainingHours, SchoolYearStats

from .helpers import school

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]

HEADER = ("year,school,section,students,teachers,qualified_teachers,backbone_teachers,pe_art_teachers,"
          "floor_area_m2,sports_area_m2,equipment_value_yuan,multimedia_rooms")  # fmt: skip
GOOD = "2026,CGYX,小学,1000,80,50,12,10,5000,8000,2100000,25"


@pytest.fixture
def schools():
    school("CGYX")
    school("QSZX", area="rural", town="青山乡")
    school("JYZ", stage="nine_year")


def _write(tmp_path, *lines, name="stats.csv"):
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_bad_rows_are_reported_by_line_and_skipped(tmp_path, schools, capsys):
    path = _write(
        tmp_path,
        HEADER,
        GOOD,
        "2026,无此学校,小学,1000,80,50,12,10,5000,8000,2100000,25",
        "2026,QSZX学校,高中,300,20,10,3,3,1500,3000,700000,8",
        "2026,QSZX,小学,abc,20,10,3,3,1500,3000,700000,8",
        "",
        "2026,QSZX,小学,300,20,30,3,3,1500,3000,700000,8",
        "2026,JYZ学校,小学,300,20,10,3,3,1500,3000,700000,8",
        "2026,JYZ,初中,200,20,10,3,3,1500,3000,700000,8",
        "2026,CGYX,小学,1000,80,50,12,10,5000,8000,2100000,25",
    )
    call_command("import_school_stats", str(path))
    out, err = capsys.readouterr()
    assert err.splitlines() == [
        "第 3 行：找不到学校「无此学校」",
        "第 4 行：学段「高中」应为 小学 或 初中",
        "第 5 行：在校学生数「abc」不是整数",
        "第 7 行：高于规定学历教师数大于专任教师数",
        "第 10 行：与第 2 行重复（同一学校、年度、学段）",
    ]
    assert "导入 3 行" in out
    # The 九年一贯制 school has one row per section, found by code or by name.
    assert sorted(SchoolYearStats.objects.values_list("school__code", "section")) == [
        ("CGYX", "primary"), ("JYZ", "junior"), ("JYZ", "primary")
    ]  # fmt: skip


def test_reimporting_a_year_replaces_it_and_leaves_other_years(tmp_path, schools):
    call_command("import_school_stats", str(_write(tmp_path, HEADER, GOOD, GOOD.replace("2026", "2025", 1))))
    again = "2026,QSZX,小学,300,20,10,3,3,1500,3000,700000,8"
    call_command("import_school_stats", str(_write(tmp_path, HEADER, again, name="again.csv")))
    assert sorted(SchoolYearStats.objects.values_list("year", "school__code", "students")) == [
        (2025, "CGYX", 1000), (2026, "QSZX", 300)
    ]  # fmt: skip


def test_xlsx_with_the_chinese_template_header(tmp_path, schools):
    book = openpyxl.load_workbook(io.BytesIO(templates_download.stats_template_xlsx()))
    sheet = book.worksheets[0]
    assert sheet.cell(1, 1).value == "年度" and sheet.cell(1, 2).value == "学校代码或名称"
    sheet.append([2026, "CGYX", "小学", 1000, 80, 50, 12, 10, 5000.5, 8000, 2100000, 25])
    path = tmp_path / "stats.xlsx"
    book.save(path)
    result = imports.import_school_stats(path)
    assert (result.imported, result.errors) == (1, [])
    assert str(SchoolYearStats.objects.get().floor_area_m2) == "5000.50"


def test_a_file_without_a_required_column_is_refused_whole(tmp_path, schools):
    with pytest.raises(CommandError, match="缺少列"):
        call_command("import_school_stats", str(_write(tmp_path, "year,school", "2026,CGYX")))


def test_training_hours_replace_the_same_year_and_source(tmp_path, demo_site, capsys):
    header = "year,teacher,hours,kind,ability_program,source"
    first = _write(tmp_path, header, "2025,teacher1,40,线上,是,省平台", "2025,nobody,10,线上,否,省平台",
                   "2025,teacher2,12,实践,是,省平台")  # fmt: skip
    call_command("import_training_hours", str(first))
    assert "第 3 行：找不到教师账号「nobody」" in capsys.readouterr().err
    second = _write(tmp_path, header, "2025,teacher1,30,线上,是,省平台", name="again.csv")
    call_command("import_training_hours", str(second))
    teacher1 = get_user_model().objects.get(username="teacher1")
    assert list(ImportedTrainingHours.objects.values_list("user", "hours")) == [(teacher1.pk, 30)]
