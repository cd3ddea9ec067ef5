"""Import/export edge cases: line breaks inside strings, database refusals, live vs draft,
pages without an import id, the fields and parts export used to drop, pages in review."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command

from media_pipeline.models import Video, VideoStatus
from resources.importer import import_lines
from resources.models import Edition, LessonPackagePage, PackagePart, ResourcePage, School, Subject
from tests.resources.helpers import MP4, package
from tests.resources.test_import_export import COURSEWARE, PACKAGE, lines

pytestmark = pytest.mark.django_db


@pytest.fixture
def folder(tmp_path):
    (tmp_path / "files").mkdir()
    (tmp_path / "files" / "design.txt").write_text("教学目标：认识几分之一", encoding="utf-8")
    return tmp_path


def exported(tmp_path, name="out"):
    """Export into a fresh folder; returns (records by id, the JSONL path)."""
    path = tmp_path / name / "export.jsonl"
    path.parent.mkdir()
    call_command("export_resources", str(path))
    records = [json.loads(line) for line in path.read_bytes().split(b"\n") if line]
    return {record["id"]: record for record in records}, path


def delete_pages():
    LessonPackagePage.objects.all().delete()
    ResourcePage.objects.all().delete()


def uploaded_video(name="课堂实录.mp4", stored=True):
    video = Video.objects.create(
        owner=get_user_model().objects.get(username="teacher1"),
        original_filename=name,
        original="",
        status=VideoStatus.READY,
    )
    video.original = Video.original_name_for(video.pk)
    if stored:
        video.original = default_storage.save(video.original, ContentFile(MP4 + b"uploaded"))
    video.save()
    return video


def add_part(page, **fields):
    page = LessonPackagePage.objects.get(pk=page.pk)
    page.parts.add(PackagePart(**fields))
    page.save_revision().publish()
    return LessonPackagePage.objects.get(pk=page.pk)


def in_review(page):
    teacher = get_user_model().objects.get(username="teacher1")
    page.get_workflow().start(page, teacher)
    return LessonPackagePage.objects.get(pk=page.pk)


# 1. Line separators inside strings


def test_unicode_line_separators_inside_strings_stay_in_one_record(library, folder, capsys):
    """U+2028/U+2029/U+0085 are text inside a JSON string; CRLF files work; line numbers stay right."""
    description = "第一段\u2028第二段\u2029第三段\x85完"
    text = json.dumps({**COURSEWARE, "description": description}, ensure_ascii=False)
    path = folder / "import.jsonl"
    path.write_bytes("\r\n".join([text, *lines(PACKAGE), "{broken"]).encode() + b"\r\n")
    with pytest.raises(CommandError, match="新增 2，更新 0，失败 1"):
        call_command("import_resources", str(path))
    assert "第 3 行" in capsys.readouterr().err
    assert ResourcePage.objects.get(external_id=COURSEWARE["id"]).description == description


def test_export_escapes_unicode_line_separators_and_round_trips(library, folder, tmp_path):
    description = "甲\u2028乙\u2029丙\x85丁"
    import_lines(lines({**COURSEWARE, "description": description}), folder)
    records, path = exported(tmp_path)
    raw = path.read_text(encoding="utf-8")
    assert not {"\u2028", "\u2029", "\x85"} & set(raw)
    assert "\\u2028" in raw and len(raw.splitlines()) == 1
    assert records[COURSEWARE["id"]]["description"] == description

    delete_pages()
    call_command("import_resources", str(path))
    assert ResourcePage.objects.get(external_id=COURSEWARE["id"]).description == description


# 2. What the database would refuse


@pytest.mark.parametrize(
    ("changes", "reason"),
    [
        ({"lesson": "课" * 161}, "字段“lesson”过长（最多 160 字"),
        ({"unit": "单" * 121}, "字段“unit”过长（最多 120 字"),
        ({"subject": "学" * 31}, "过长，无法新建（名称最多 30 字）"),
        ({"edition": "版" * 31}, "过长，无法新建（名称最多 30 字）"),
        ({"keywords": ["词" * 101]}, "过长（最多 100 字）"),
        ({"school": "校" * 101}, "字段“school”过长（最多 100 字"),
    ],
)
def test_too_long_values_are_refused_up_front_with_a_reason(library, folder, changes, reason):
    summary = import_lines(lines({**COURSEWARE, **changes}, PACKAGE), folder)
    assert [number for number, _ in summary.errors] == [1]
    assert reason in summary.errors[0][1]
    assert summary.created == 1


def test_new_subject_and_edition_whose_code_is_taken_still_import(library, folder):
    Subject.objects.create(name="别的学科", code="xin-xue-ke")
    Edition.objects.create(name="别的版本", code="xin-ban")
    record = {**COURSEWARE, "subject": "新学科", "edition": "新版"}
    assert import_lines(lines(record), folder).errors == []
    page = ResourcePage.objects.get(external_id=COURSEWARE["id"])
    assert (page.subject.name, page.edition.name) == ("新学科", "新版")
    assert page.subject.code != "xin-xue-ke" and page.edition.code != "xin-ban"


@pytest.mark.service("postgres")  # PostgreSQL text refuses NUL; SQLite stores it
def test_a_database_error_fails_one_line_and_the_command_still_summarises(library, folder, capsys):
    path = folder / "import.jsonl"
    bad = {**COURSEWARE, "description": "空字符\x00"}
    path.write_text("\n".join(lines(bad, PACKAGE)) + "\n", encoding="utf-8")
    with pytest.raises(CommandError, match="新增 1，更新 0，失败 1"):
        call_command("import_resources", str(path))
    assert "第 1 行：数据库拒绝了这一行" in capsys.readouterr().err


# 3. Live content, not unreviewed changes


def test_live_page_exports_its_live_content_not_changes_in_review(library, folder, tmp_path):
    import_lines(lines(PACKAGE), folder)
    page = LessonPackagePage.objects.get(external_id=PACKAGE["id"])
    page.title = "未经审核的修改"
    page.description = "草稿里的简介"
    page.save_revision()
    in_review(page)

    record = exported(tmp_path)[0][PACKAGE["id"]]
    assert (record["title"], record["description"], record["published"]) == (
        PACKAGE["title"], PACKAGE["description"], True,
    )  # fmt: skip


def test_draft_exports_its_latest_revision_unpublished(library, folder, tmp_path):
    import_lines(lines({**COURSEWARE, "published": False}), folder)
    page = ResourcePage.objects.get(external_id=COURSEWARE["id"])
    page.title = "草稿新标题"
    page.save_revision()
    record = exported(tmp_path)[0][COURSEWARE["id"]]
    assert (record["title"], record["published"]) == ("草稿新标题", False)


# 4. Pages made on the platform (no import id)


def test_page_without_import_id_round_trips_into_the_same_database(library, tmp_path):
    page = package("平台上做的课例")
    records, path = exported(tmp_path)
    assert list(records) == [f"youke-{page.translation_key}"]

    call_command("import_resources", str(path))
    assert LessonPackagePage.objects.count() == 1
    assert LessonPackagePage.objects.get().pk == page.pk
    again = exported(tmp_path, "again")[0]
    assert list(again) == list(records)


def test_page_without_import_id_keeps_its_id_in_another_database(library, tmp_path):
    package("平台上做的课例")
    records, path = exported(tmp_path)
    delete_pages()
    call_command("import_resources", str(path))
    assert list(exported(tmp_path, "again")[0]) == list(records)


# 5. Fields and parts the export used to drop


EXTRA = {
    "licence": "public",
    "guiding_teachers": "张老师，李老师",
    "recommended_to": "市级优课",
    "links": [{"kind": "courseware", "url": "https://example.edu.cn/slides", "note": "在线课件"}],
}


def test_licence_mentors_recommendation_links_and_uploaded_video_round_trip(library, folder, tmp_path):
    import_lines(lines({**PACKAGE, **EXTRA}), folder)
    video = uploaded_video()
    add_part(LessonPackagePage.objects.get(external_id=PACKAGE["id"]), kind="video", video=video, note="实录")
    records, path = exported(tmp_path)
    record = records[PACKAGE["id"]]
    assert {key: record[key] for key in EXTRA} == EXTRA
    video_item = next(item for item in record["files"] if item.get("video"))
    assert (video_item["kind"], video_item["video"], video_item["note"]) == ("video", str(video.pk), "实录")
    assert (path.parent / video_item["path"]).read_bytes() == MP4 + b"uploaded"

    delete_pages()
    assert import_lines(path.read_text(encoding="utf-8").splitlines(), path.parent).errors == []
    page = LessonPackagePage.objects.get(external_id=PACKAGE["id"])
    assert (page.licence, page.guiding_teachers, page.recommended_to) == ("public", "张老师，李老师", "city")
    parts = list(page.parts.all())
    assert [(p.kind, p.link, p.note) for p in parts if p.link] == [
        ("courseware", "https://example.edu.cn/slides", "在线课件")
    ]
    assert [(p.kind, p.video_id, p.document_id) for p in parts if p.video_id] == [("video", video.pk, None)]
    assert {key: v for key, v in exported(tmp_path, "again")[0][PACKAGE["id"]].items() if key != "files"} == {
        key: v for key, v in record.items() if key != "files"
    }


def test_uploaded_video_imports_as_a_file_where_the_video_is_unknown(library, folder, tmp_path):
    import_lines(lines(PACKAGE), folder)
    add_part(LessonPackagePage.objects.get(external_id=PACKAGE["id"]), kind="video", video=uploaded_video())
    _, path = exported(tmp_path)
    delete_pages()
    Video.objects.all().delete()  # another site: the id means nothing there

    assert import_lines(path.read_text(encoding="utf-8").splitlines(), path.parent).errors == []
    part = LessonPackagePage.objects.get(external_id=PACKAGE["id"]).parts.get(kind="video")
    assert part.video_id is None and part.document.file.read() == MP4 + b"uploaded"


def test_video_without_its_original_is_named_in_the_export_and_warned_about(library, folder, tmp_path):
    import_lines(lines(PACKAGE), folder)
    video = uploaded_video("丢失的实录.mp4", stored=False)
    add_part(LessonPackagePage.objects.get(external_id=PACKAGE["id"]), kind="video", video=video)
    records, path = exported(tmp_path)
    assert records[PACKAGE["id"]]["missing_files"] == [
        {"kind": "video", "video": str(video.pk), "name": "丢失的实录.mp4", "reason": "视频原始文件不存在"}
    ]
    assert not any(item.get("video") for item in records[PACKAGE["id"]]["files"])

    delete_pages()
    import_lines(path.read_text(encoding="utf-8").splitlines(), path.parent)
    page = LessonPackagePage.objects.get(external_id=PACKAGE["id"])
    assert [p.video_id for p in page.parts.all() if p.video_id] == [video.pk], "the same site links it again"

    delete_pages()
    Video.objects.all().delete()
    summary = import_lines(path.read_text(encoding="utf-8").splitlines(), path.parent)
    assert (summary.created, summary.errors) == (1, [])
    assert summary.warnings == [(1, "文件“丢失的实录.mp4”导出时缺失（视频原始文件不存在），未导入")]


# 6. Pages in review, uploaded videos


def test_reimport_skips_a_page_in_review(library, folder, capsys):
    import_lines(lines(PACKAGE), folder)
    in_review(LessonPackagePage.objects.get(external_id=PACKAGE["id"]))
    path = folder / "import.jsonl"
    path.write_text("\n".join(lines({**PACKAGE, "title": "导入的新标题"}, COURSEWARE)) + "\n", encoding="utf-8")

    with pytest.raises(CommandError, match="新增 1，更新 0，失败 1（其中 1 条正在审核中，未覆盖）"):
        call_command("import_resources", str(path))
    assert "第 1 行：正在审核中，未覆盖" in capsys.readouterr().err
    page = LessonPackagePage.objects.get(external_id=PACKAGE["id"])
    assert page.title == page.get_latest_revision_as_object().title == PACKAGE["title"]


def test_reimport_keeps_parts_that_hold_uploaded_videos(library, folder):
    import_lines(lines(PACKAGE), folder)
    video = uploaded_video()
    add_part(LessonPackagePage.objects.get(external_id=PACKAGE["id"]), kind="video", video=video)

    summary = import_lines(lines({**PACKAGE, "title": "修订"}), folder)
    assert (summary.updated, summary.errors) == (1, [])
    page = LessonPackagePage.objects.get(external_id=PACKAGE["id"])
    assert page.title == "修订"
    assert sorted((p.kind, p.video_id) for p in page.parts.all()) == [("teaching_design", None), ("video", video.pk)]


# 7. Placement that cannot be made, unknown schools


@pytest.mark.parametrize(
    ("changes", "warning"),
    [
        ({"edition": None}, "已忽略 volume、unit、lesson：缺少 edition"),
        ({"volume": None}, "已忽略 unit、lesson：缺少 volume"),
        ({"lesson": None}, "单元与课需同时给出"),
    ],
)
def test_unit_and_lesson_that_cannot_be_placed_are_warned_about(library, folder, changes, warning):
    record = {key: value for key, value in {**COURSEWARE, **changes}.items() if value is not None}
    summary = import_lines(lines(record), folder)
    assert (summary.created, summary.errors) == (1, [])
    assert len(summary.warnings) == 1 and warning in summary.warnings[0][1]
    assert ResourcePage.objects.get(external_id=COURSEWARE["id"]).knowledge_node is None


def test_unknown_school_is_created_and_named_in_the_summary(library, folder, capsys):
    path = folder / "import.jsonl"
    path.write_text("\n".join(lines({**COURSEWARE, "school": "新开办的希望小学"})) + "\n", encoding="utf-8")
    call_command("import_resources", str(path))
    assert "新建学校 1 所：新开办的希望小学" in capsys.readouterr().out
    school = School.objects.get(name="新开办的希望小学")
    assert ResourcePage.objects.get(external_id=COURSEWARE["id"]).school == school
    assert school.code and not School.objects.exclude(pk=school.pk).filter(code=school.code).exists()


# 8. File size limits


def test_files_over_the_document_size_limit_are_refused(library, folder, settings):
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 10
    summary = import_lines(lines(PACKAGE, COURSEWARE), folder)
    assert [number for number, _ in summary.errors] == [1]
    assert "过大" in summary.errors[0][1] and "超过上限" in summary.errors[0][1]
    assert summary.created == 1


def test_video_files_follow_the_video_size_limit(library, folder, settings):
    (folder / "files" / "lesson.mp4").write_bytes(MP4)
    record = {**PACKAGE, "files": [{"kind": "video", "path": "files/lesson.mp4"}]}
    settings.WAGTAILDOCS_MAX_UPLOAD_SIZE = 10
    assert import_lines(lines(record), folder).errors == []
    settings.VIDEO_MAX_UPLOAD_SIZE = 10
    assert "过大" in import_lines(lines(record), folder).errors[0][1]
