"""The teacher's form refuses an incomplete submission and the wrong file in a part."""

import pytest
from django.contrib.auth import get_user_model
from wagtail.test.utils.form_data import inline_formset, nested_form_data

from resources.models import KnowledgeNode, LessonIndexPage, LessonPackagePage, School
from tests.resources.helpers import MP4, PDF, PPTX, document

pytestmark = pytest.mark.django_db


def form_for(parts, *, submit, user, **extra):
    index = LessonIndexPage.objects.get()
    form_class = LessonPackagePage.get_edit_handler().get_form_class()
    for _kind, doc in parts:
        if doc.uploaded_by_user_id is None:  # the teacher's own upload unless a test says otherwise
            doc.uploaded_by_user = user
            doc.save(update_fields=["uploaded_by_user"])
    data = nested_form_data({
        "title": "分数的初步认识",
        "slug": "fenshu",
        "licence": "signed_in",
        "knowledge_node": KnowledgeNode.objects.get(title="几分之一").pk,
        "school": School.objects.get(code="CGYX").pk,
        "parts": inline_formset([{"kind": kind, "document": str(doc.pk)} for kind, doc in parts]),
        "comments": inline_formset([]),
    })  # fmt: skip
    if submit:
        data["action-submit"] = "1"
    data.update(extra)
    return form_class(data, instance=LessonPackagePage(), parent_page=index, for_user=user)


@pytest.fixture
def teacher(library):
    return get_user_model().objects.get(username="teacher1")


def all_errors(form):
    return " ".join(str(error) for errors in form.errors.values() for error in errors)


def test_draft_may_be_incomplete(teacher):
    form = form_for([("teaching_design", document("design.pdf", PDF))], submit=False, user=teacher)
    assert form.is_valid(), form.errors


def test_submission_lists_the_missing_required_parts(teacher):
    form = form_for([("teaching_design", document("design.pdf", PDF))], submit=True, user=teacher)
    assert not form.is_valid()
    assert "提交审核前请补齐必备内容：课件及资源、课堂实录、评测练习。" in all_errors(form)


def test_complete_package_may_be_submitted(teacher):
    parts = [
        ("teaching_design", document("design.pdf", PDF)),
        ("courseware", document("slides.pptx", PPTX)),
        ("video", document("lesson.mp4", MP4)),
        ("exercise", document("exercise.pdf", PDF + b"x")),
    ]
    form = form_for(parts, submit=True, user=teacher)
    assert form.is_valid(), form.errors


def test_wrong_kind_of_file_for_a_part_is_refused(teacher):
    form = form_for([("video", document("slides.pptx", PPTX))], submit=False, user=teacher)
    assert not form.is_valid()
    assert "“课堂实录”只接受视频，而“slides.pptx”是演示文稿。" in all_errors(form)


def test_renamed_file_is_refused(teacher):
    form = form_for([("teaching_design", document("design.docx", b"just text, renamed"))], submit=False, user=teacher)
    assert not form.is_valid()
    assert "内容与扩展名 .docx 不符" in all_errors(form)


def test_at_most_three_guiding_teachers(teacher):
    form = form_for([], submit=False, user=teacher, guiding_teachers="甲、乙、丙、丁")
    assert not form.is_valid()
    assert "指导教师最多 3 人。" in all_errors(form)
    assert form_for([], submit=False, user=teacher, guiding_teachers="甲，乙，丙").is_valid()


def test_only_district_reviewers_see_the_award_fields(library):
    teacher = get_user_model().objects.get(username="teacher1")
    reviewer = get_user_model().objects.get(username="district_reviewer1")
    form_class = LessonPackagePage.get_edit_handler().get_form_class()
    index = LessonIndexPage.objects.get()
    as_teacher = form_class(instance=LessonPackagePage(), parent_page=index, for_user=teacher)
    as_reviewer = form_class(instance=LessonPackagePage(), parent_page=index, for_user=reviewer)
    assert "award_level" not in as_teacher.fields and "recommended_to" not in as_teacher.fields
    assert "award_level" in as_reviewer.fields and "recommended_to" in as_reviewer.fields


def test_recommendation_beyond_the_quota_is_refused_in_the_form(library):
    from tests.resources.helpers import package

    reviewer = get_user_model().objects.get(username="district_reviewer1")
    first = package("已推荐", teacher_name="王芳")
    first.recommended_to = "city"
    first.save()
    second = package("再推荐", teacher_name="王芳", lesson="几分之几")
    form_class = LessonPackagePage.get_edit_handler().get_form_class()
    data = nested_form_data({
        "title": second.title, "slug": second.slug, "licence": second.licence, "teacher_name": "王芳",
        "knowledge_node": second.knowledge_node_id, "recommended_to": "city", "award_level": "",
        "parts": inline_formset([]), "comments": inline_formset([]),
    })  # fmt: skip
    form = form_class(data, instance=second, parent_page=second.get_parent(), for_user=reviewer)
    assert not form.is_valid()
    assert "每位教师限推荐一节课" in all_errors(form)
