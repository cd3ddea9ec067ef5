"""Quizzes graded on the server: the browser only ever sees the questions, never which choice is right.

Against answering by trial: attempts are bounded (QuizLessonPage.max_attempts,
3 unless the trainer says otherwise), each attempt shows only its score, never
which questions were right, and the right answers appear only once the quiz
is over (passed or attempts used up) if the trainer chose so (show_answers);
after that no further attempt is taken.
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from .blocks import MULTIPLE
from .models import QuizAttempt


class QuizError(Exception):
    """Why an attempt was refused, in words for the teacher."""


@dataclass
class Graded:
    score: float  # percent
    answers: dict  # question id -> sorted list of chosen indexes
    correct: dict  # question id -> bool


def questions(page):
    """[(block id, question value)] of a quiz page's live content."""
    return [(block.id, block.value) for block in page.questions if block.block_type == "question"]


def chosen(data, question_id, question):
    """The choice indexes a teacher ticked for one question (a QueryDict or a plain dict of lists)."""
    raw = data.getlist(f"q-{question_id}") if hasattr(data, "getlist") else data.get(f"q-{question_id}", [])
    picked = set()
    for value in raw:
        try:
            index = int(value)
        except (TypeError, ValueError):
            continue
        if 0 <= index < len(question["choices"]):
            picked.add(index)
    if question["kind"] != MULTIPLE and len(picked) > 1:
        picked = set()  # two answers to a single-choice question earn nothing
    return sorted(picked)


def grade(page, data):
    """Score an answer sheet: each question's points if exactly the right choices were ticked."""
    total = earned = 0
    answers, correct = {}, {}
    for question_id, question in questions(page):
        right = sorted(i for i, choice in enumerate(question["choices"]) if choice["correct"])
        picked = chosen(data, question_id, question)
        answers[question_id] = picked
        correct[question_id] = picked == right
        total += question["points"]
        earned += question["points"] if picked == right else 0
    return Graded(round(100.0 * earned / total, 1) if total else 0.0, answers, correct)


def pass_percent(page, course):
    return page.pass_percent if page.pass_percent is not None else course.quiz_pass_percent


def attempts_left(page, user):
    if not page.max_attempts:
        return None
    used = QuizAttempt.objects.filter(user=user, lesson_id=page.pk).count()
    return max(page.max_attempts - used, 0)


def finished(page, user):
    """The quiz is over for this teacher: passed, or every allowed attempt used."""
    attempts = QuizAttempt.objects.filter(user=user, lesson_id=page.pk)
    if attempts.filter(passed=True).exists():
        return True
    return bool(page.max_attempts) and attempts.count() >= page.max_attempts


def answers_revealed(page, user):
    """Whether the right answers may be shown: only once the quiz is over, and only if the trainer chose so."""
    return page.show_answers == page.Answers.WHEN_FINISHED and finished(page, user)


def can_answer(page, user):
    """Attempts left, and the right answers not yet shown (once shown, another attempt would be a copy)."""
    left = attempts_left(page, user)
    return left != 0 and not answers_revealed(page, user)


def answer_key(page):
    """[(question, [right choice texts])] for the page once answers are revealed."""
    return [
        (question, [choice["text"] for choice in question["choices"] if choice["correct"]])
        for _id, question in questions(page)
    ]


def submit(page, course, user, data):
    """Grade and store one attempt; QuizError when none are left or the sheet is blank."""
    if not questions(page):
        raise QuizError("本测验还没有题目。")
    graded = grade(page, data)
    if not any(graded.answers.values()):
        raise QuizError("请先作答再提交。")
    for _try in range(3):
        try:
            with transaction.atomic():
                used = QuizAttempt.objects.filter(user=user, lesson_id=page.pk).aggregate(n=Max("number"))["n"] or 0
                if page.max_attempts and used >= page.max_attempts:
                    raise QuizError(_("作答次数已用完。"))
                if answers_revealed(page, user):
                    raise QuizError(_("您已通过本测验，正确答案已公布，不能再次作答。"))
                return QuizAttempt.objects.create(
                    user=user,
                    lesson_id=page.pk,
                    number=used + 1,
                    answers=graded.answers,
                    score=graded.score,
                    passed=graded.score >= pass_percent(page, course),
                ), graded
        except IntegrityError:  # a double click: the same number taken by the other request
            continue
    raise QuizError("提交过于频繁，请稍后再试。")
