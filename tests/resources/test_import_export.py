"""`import_resources` / `export_resources`: idempotent by id, bad lines reported, round trip."""

import json

import pytest
from django.core.management import CommandError, call_command

from resources.importer import import_lines
from resources.models import LessonPackagePage, ResourcePage

pytestmark = pytest.mark.django_db

PACKAGE = {
    "id": "dist-2024-0001",
    "title": "分数的初步认识（几分之一）",
    "resource_type": "lesson_package",
    "stage": "小学",
    "grade": "三年级",
    "subject": "数学",
    "edition": "人教版",
    "volume": "上册",
    "unit": "8 分数的初步认识",
    "lesson": "几分之一",
    "description": "借助分月饼的情境认识几分之一。",
    "keywords": ["分数", "几分之一"],
    "teacher": "王芳",
    "school": "城关第一小学",
    "award_level": "区级优课",
    "files": [{"kind": "teaching_design", "path": "files/design.txt"}],
}
COURSEWARE = {
    "id": "dist-2024-0002",
    "title": "机械运动 课件",
    "resource_type": "courseware",
    "stage": "初中",
    "grade": "初二",
    "subject": "物理",
    "edition": "人教版",
    "volume": "上册",
    "unit": "第一章 机械运动",
    "lesson": "运动的快慢",
    "school": "青山乡初级中学",
}


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "design.txt").write_text("教学目标：认识几分之一", encoding="utf-8")
    return tmp_path


def lines(*records):
    return [json.dumps(record, ensure_ascii=False) for record in records]


def test_good_lines_import_placed_on_the_curriculum(library, folder):
    summary = import_lines(lines(PACKAGE, COURSEWARE), folder)
    assert (summary.created, summary.updated, summary.errors) == (2, 0, [])

    package = LessonPackagePage.objects.get(external_id="dist-2024-0001")
    assert package.live
    assert package.knowledge_node.title == "几分之一"
    assert (package.stage.name, package.grade.name, package.subject.name, package.edition.name) == (
        "小学", "三年级", "数学", "人教版",
    )  # fmt: skip
    assert package.award_level == "district"
    assert package.school.code == "CGYX"
    assert [part.kind for part in package.parts.all()] == ["teaching_design"]
    assert package.parts.first().document.file.read().decode() == "教学目标：认识几分之一"
    assert sorted(tag.name for tag in package.tags.all()) == ["几分之一", "分数"]

    courseware = ResourcePage.objects.get(external_id="dist-2024-0002")
    assert courseware.grade.name == "八年级", "初二 is mapped to 八年级"
    assert courseware.resource_type == "courseware"


def test_reimport_updates_and_never_duplicates(library, folder):
    import_lines(lines(PACKAGE), folder)
    changed = {**PACKAGE, "title": "分数的初步认识（修订）"}
    summary = import_lines(lines(changed), folder)
    assert (summary.created, summary.updated) == (0, 1)
    assert LessonPackagePage.objects.filter(external_id="dist-2024-0001").count() == 1
    assert LessonPackagePage.objects.get(external_id="dist-2024-0001").title == "分数的初步认识（修订）"


def test_unknown_taxonomy_values_are_mapped_or_created(library, folder):
    record = {
        **COURSEWARE,
        "id": "x1",
        "edition": "部编版",
        "subject": "道法",
        "grade": "七年级",
        "unit": "第一课",
        "lesson": "中学时代",
    }
    assert import_lines(lines(record), folder).errors == []
    page = ResourcePage.objects.get(external_id="x1")
    assert (page.edition.name, page.subject.name) == ("统编版", "道德与法治")
    assert page.knowledge_node.unit.title == "第一课"


@pytest.mark.parametrize(
    ("broken", "reason"),
    [
        ("{not json", "不是有效的 JSON"),
        (json.dumps({"title": "无编号"}), "缺少必填字段“id”"),
        (json.dumps({**COURSEWARE, "id": "b1", "grade": "十年级"}), "未知年级“十年级”"),
        (json.dumps({**COURSEWARE, "id": "b2", "stage": "小学", "grade": "八年级"}), "不属于学段"),
        (json.dumps({**PACKAGE, "id": "b3", "award_level": "金奖"}), "未知获奖等级"),
        (json.dumps({**PACKAGE, "id": "b4", "files": [{"kind": "video", "path": "files/missing.mp4"}]}), "找不到文件"),
        (
            json.dumps({**PACKAGE, "id": "b5", "files": [{"kind": "video", "path": "../../etc/passwd"}]}),
            "超出导入文件所在目录",
        ),
        (
            json.dumps({**PACKAGE, "id": "b6", "files": [{"kind": "poster", "path": "files/design.txt"}]}),
            "未知的课例组成部分",
        ),
        (json.dumps({**COURSEWARE, "id": "b7", "resource_type": "video"}), "未知资源类型"),
        (json.dumps({**COURSEWARE, "id": "b8", "unit": "单" * 121}), "字段“unit”过长（最多 120 字"),
        (json.dumps({**COURSEWARE, "id": "b9", "volume": "中册"}), "未知册次"),
        (json.dumps({**COURSEWARE, "id": "b10", "keywords": "分数"}), "“keywords”应为文本列表"),
        ("[1, 2]", "每行应是一个 JSON 对象"),
    ],
)
def test_bad_line_is_reported_and_good_lines_still_import(library, folder, broken, reason):
    summary = import_lines([*lines(PACKAGE), broken, *lines(COURSEWARE)], folder)
    assert [number for number, _ in summary.errors] == [2]
    assert reason in summary.errors[0][1]
    assert summary.created == 2


@pytest.mark.service("postgres")  # PostgreSQL text refuses NUL; SQLite stores it
def test_bad_line_leaves_nothing_half_made(library, folder):
    """A line the database refuses after its placement was resolved rolls back whole; the next line imports."""
    # PostgreSQL text cannot hold NUL: the page insert fails after the unit and lesson were created.
    broken = {**COURSEWARE, "id": "half", "unit": "新单元", "lesson": "新课", "description": "a\x00b"}
    summary = import_lines(lines(broken, PACKAGE), folder)
    assert [number for number, _ in summary.errors] == [1]
    assert "数据库拒绝了这一行" in summary.errors[0][1]
    assert summary.created == 1
    assert not ResourcePage.objects.filter(external_id="half").exists()
    from resources.models import Unit

    assert not Unit.objects.filter(title="新单元").exists()


def test_duplicate_id_in_one_file_is_reported(library, folder):
    summary = import_lines(lines(PACKAGE, {**PACKAGE, "title": "另一个"}), folder)
    assert summary.errors == [(2, "编号“dist-2024-0001”与第 1 行重复")]


def test_unpublished_line_is_imported_as_a_draft(library, folder):
    import_lines(lines({**COURSEWARE, "published": False}), folder)
    page = ResourcePage.objects.get(external_id="dist-2024-0002")
    assert not page.live


def test_command_reports_line_numbers_and_exits_non_zero(library, folder, capsys):
    path = folder / "import.jsonl"
    path.write_text("\n".join([*lines(PACKAGE), "{oops"]) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="新增 1，更新 0，失败 1"):
        call_command("import_resources", str(path))
    assert "第 2 行" in capsys.readouterr().err


def test_export_then_import_round_trips(library, folder, tmp_path):
    import_lines(lines(PACKAGE, COURSEWARE, {**COURSEWARE, "id": "draft-1", "published": False}), folder)
    first = tmp_path / "out" / "export.jsonl"
    first.parent.mkdir()
    call_command("export_resources", str(first))
    exported = [json.loads(line) for line in first.read_text(encoding="utf-8").splitlines()]
    assert {record["id"] for record in exported} == {"dist-2024-0001", "dist-2024-0002", "draft-1"}
    assert next(r for r in exported if r["id"] == "draft-1")["published"] is False

    LessonPackagePage.objects.all().delete()
    ResourcePage.objects.all().delete()
    call_command("import_resources", str(first))
    second = tmp_path / "out2" / "export.jsonl"
    second.parent.mkdir()
    call_command("export_resources", str(second))
    again = [json.loads(line) for line in second.read_text(encoding="utf-8").splitlines()]

    def comparable(records):
        return sorted(({k: v for k, v in r.items() if k != "files"} for r in records), key=lambda r: r["id"])

    assert comparable(again) == comparable(exported)
    package = next(r for r in again if r["id"] == "dist-2024-0001")
    assert (second.parent / package["files"][0]["path"]).read_text(encoding="utf-8") == "教学目标：认识几分之一"
