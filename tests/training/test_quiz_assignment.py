"""Quizzes are graded on the server; assignments go through the trainer's review."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.clients import signed_in
from training import enrolment, quiz
from training.models import (
    AssignmentLessonPage,
    AssignmentSubmission,
    Certificate,
    Enrollment,
    LessonProgress,
    QuizAttempt,
    QuizLessonPage,
)

from .helpers import RIGHT, answer_sheet, course, lesson, user

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def quiz_course(demo_site):
    page = course(kinds=("quiz",))
    teacher = user("t_quiz")
    enrolment.enrol(teacher, page)
    return page, lesson(page, QuizLessonPage), teacher


def test_the_page_never_reveals_the_right_answers(quiz_course):
    _page, quiz_page, teacher = quiz_course
    body = signed_in(teacher).get(quiz_page.url).content.decode()
    form = body[body.index('class="quiz"') : body.index("</form>", body.index('class="quiz"'))]
    assert "提炼关键词，配合图示" in form
    assert "correct" not in form and "true" not in form.lower() and "checked" not in form


def test_multiple_choice_needs_exactly_the_right_set(quiz_course):
    _page, quiz_page, _teacher = quiz_course
    assert quiz.grade(quiz_page, answer_sheet(quiz_page)).score == 100
    partly = quiz.grade(quiz_page, answer_sheet(quiz_page, [[1], [0], [0]]))  # one of two right choices
    assert partly.score == pytest.approx(66.7)
    two_for_single = quiz.grade(quiz_page, answer_sheet(quiz_page, [[0, 1], [0, 1], [0]]))
    assert two_for_single.score == pytest.approx(66.7), "two ticks on a single-choice question earn nothing"
    nonsense = quiz.grade(quiz_page, answer_sheet(quiz_page, [["x"], [99], [-1]]))
    assert nonsense.score == 0


def test_attempts_are_recorded_and_the_best_counts(quiz_course):
    page, quiz_page, teacher = quiz_course
    client = signed_in(teacher)
    failed = client.post(
        f"/training/lessons/{quiz_page.pk}/quiz/", answer_sheet(quiz_page, [[0], [2], [1]]), follow=True
    )
    assert "第 1 次作答：0 分，未通过（及格分 60）" in failed.content.decode()
    assert Enrollment.objects.get(user=teacher).status == Enrollment.Status.ENROLLED
    client.post(f"/training/lessons/{quiz_page.pk}/quiz/", answer_sheet(quiz_page, RIGHT))
    assert list(QuizAttempt.objects.filter(user=teacher).values_list("number", "passed")) == [(1, False), (2, True)]
    assert LessonProgress.objects.get(user=teacher, lesson_id=quiz_page.pk).detail == "最高 100 分，已通过"
    assert Enrollment.objects.get(user=teacher).status == Enrollment.Status.COMPLETED


def test_a_blank_sheet_and_spent_attempts_are_refused(quiz_course):
    _page, quiz_page, teacher = quiz_course
    quiz_page.max_attempts = 1
    quiz_page.save_revision().publish()
    client = signed_in(teacher)
    blank = client.post(f"/training/lessons/{quiz_page.pk}/quiz/", {}, follow=True)
    assert "请先作答再提交" in blank.content.decode()
    client.post(f"/training/lessons/{quiz_page.pk}/quiz/", answer_sheet(quiz_page, [[0], [2], [1]]))
    again = client.post(f"/training/lessons/{quiz_page.pk}/quiz/", answer_sheet(quiz_page), follow=True)
    assert "作答次数已用完" in again.content.decode()
    assert QuizAttempt.objects.filter(user=teacher).count() == 1


def test_a_quiz_of_a_course_one_is_not_enrolled_in_cannot_be_answered(quiz_course):
    _page, quiz_page, _teacher = quiz_course
    outsider = signed_in(user("t_quiz_outsider"))
    assert outsider.post(f"/training/lessons/{quiz_page.pk}/quiz/", answer_sheet(quiz_page)).status_code == 404
    assert not QuizAttempt.objects.exists()


@pytest.fixture
def assignment_course(demo_site):
    trainer = user("tr_review", role="trainer")
    page = course(kinds=("assignment",), trainers=[trainer])
    teacher = user("t_work")
    enrolment.enrol(teacher, page)
    return page, lesson(page, AssignmentLessonPage), teacher, trainer


def submit(client, assignment, name="教学设计.pdf", content=PDF):
    return client.post(
        f"/training/lessons/{assignment.pk}/assignment/", {"file": SimpleUploadedFile(name, content)}, follow=True
    )


def test_a_returned_assignment_can_be_resubmitted_and_approval_completes(assignment_course):
    page, assignment, teacher, trainer = assignment_course
    teacher_client, trainer_client = signed_in(teacher), signed_in(trainer)
    assert "作业已提交，等待讲师批阅" in submit(teacher_client, assignment).content.decode()
    assert "作业已提交，请等待讲师批阅" in submit(teacher_client, assignment).content.decode()
    first = AssignmentSubmission.objects.get(user=teacher)
    assert "教学设计.pdf" in trainer_client.get(f"/training/dashboard/{page.pk}/submissions/").content.decode()

    refused = trainer_client.post(f"/training/submissions/{first.pk}/review/", {"action": "return"}, follow=True)
    assert "退回作业时请写明修改意见" in refused.content.decode()
    trainer_client.post(f"/training/submissions/{first.pk}/review/", {"action": "return", "comment": "请补充学情分析"})
    assert "请补充学情分析" in teacher_client.get(assignment.url).content.decode()

    submit(teacher_client, assignment, "教学设计-修改.pdf")
    second = AssignmentSubmission.objects.filter(user=teacher).first()
    assert second.pk != first.pk
    trainer_client.post(f"/training/submissions/{second.pk}/review/", {"action": "approve"})
    assert Enrollment.objects.get(user=teacher).status == Enrollment.Status.COMPLETED
    assert "作业已通过，无需再交" in submit(teacher_client, assignment).content.decode()


def test_a_file_that_is_not_what_it_claims_is_refused_and_nothing_is_stored(assignment_course):
    _page, assignment, teacher, _trainer = assignment_course
    answer = submit(signed_in(teacher), assignment, "课件.pptx", b"just some text, not a presentation")
    assert "内容与扩展名 .pptx 不符" in answer.content.decode()
    assert not AssignmentSubmission.objects.exists()


def test_a_trainer_enrolled_in_their_own_course_cannot_approve_their_own_work(assignment_course):
    page, assignment, _teacher, trainer = assignment_course
    enrolment.enrol(trainer, page)
    trainer_client = signed_in(trainer)
    submit(trainer_client, assignment)
    own = AssignmentSubmission.objects.get(user=trainer)
    answer = trainer_client.post(f"/training/submissions/{own.pk}/review/", {"action": "approve"}, follow=True)
    assert "不能批阅自己提交的作业" in answer.content.decode()
    own.refresh_from_db()
    assert own.status == AssignmentSubmission.Status.SUBMITTED


WRONG = [[0], [2], [1]]


def attempt(client, quiz_page, picks):
    return client.post(f"/training/lessons/{quiz_page.pk}/quiz/", answer_sheet(quiz_page, picks), follow=True)


def test_attempts_are_bounded_by_default(quiz_course):
    """A new quiz allows three attempts: unlimited attempts would let the score alone reveal the answers."""
    _page, quiz_page, teacher = quiz_course
    client = signed_in(teacher)
    for _ in range(3):
        attempt(client, quiz_page, WRONG)
    fourth = attempt(client, quiz_page, RIGHT)
    assert "作答次数已用完" in fourth.content.decode()
    assert QuizAttempt.objects.filter(user=teacher).count() == 3
    assert not QuizAttempt.objects.filter(user=teacher, passed=True).exists()


def test_only_the_score_is_shown_until_the_attempts_are_used_up(quiz_course):
    _page, quiz_page, teacher = quiz_course
    client = signed_in(teacher)
    body = attempt(client, quiz_page, [[1], [2], [1]]).content.decode()  # only the first right
    assert "第 1 次作答：33 分，未通过" in body
    assert "正确答案" not in body, "no answer key while attempts remain"
    assert 'class="quiz"' in body
    attempt(client, quiz_page, WRONG)
    body = attempt(client, quiz_page, WRONG).content.decode()
    assert "正确答案：提炼关键词，配合图示" in body
    assert "正确答案：控制时长，突出重点；确认版权或使用授权" in body
    assert 'class="quiz"' not in body


def test_passing_reveals_the_answers_and_closes_the_quiz(quiz_course):
    _page, quiz_page, teacher = quiz_course
    client = signed_in(teacher)
    body = attempt(client, quiz_page, RIGHT).content.decode()
    assert "正确答案：使用平台生成的小体积下载版本" in body and 'class="quiz"' not in body
    again = attempt(client, quiz_page, RIGHT).content.decode()
    assert "正确答案已公布，不能再次作答" in again
    assert QuizAttempt.objects.filter(user=teacher).count() == 1


def test_the_trainer_may_keep_the_answers_secret(quiz_course):
    _page, quiz_page, teacher = quiz_course
    quiz_page.show_answers = QuizLessonPage.Answers.NEVER
    quiz_page.max_attempts = 1
    quiz_page.save_revision().publish()
    client = signed_in(teacher)
    body = attempt(client, quiz_page, WRONG).content.decode()
    assert "第 1 次作答：0 分" in body
    assert "正确答案" not in body and 'class="quiz"' not in body


def test_passing_the_last_quiz_says_the_course_is_complete_and_links_the_certificate(quiz_course):
    page, quiz_page, teacher = quiz_course
    body = signed_in(teacher).post(f"/training/lessons/{quiz_page.pk}/quiz/", answer_sheet(quiz_page), follow=True)
    code = Certificate.objects.get(user=teacher, course=page).code
    link = f'<a href="/training/certificates/{code}.pdf">下载证书</a>'
    assert f"恭喜，课程已完成，可{link}。" in body.content.decode()


def test_passing_a_quiz_of_an_unfinished_course_says_what_is_missing(demo_site):
    page = course(kinds=("video", "quiz"))
    teacher = user("t_half")
    enrolment.enrol(teacher, page)
    quiz_page = lesson(page, QuizLessonPage)
    body = signed_in(teacher).post(f"/training/lessons/{quiz_page.pk}/quiz/", answer_sheet(quiz_page), follow=True)
    text = body.content.decode()
    assert "课程尚未完成，还需：视频一（已观看 0%）。" in text and "恭喜" not in text
