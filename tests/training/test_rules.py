"""Completion rules, schedule expectations and watched intervals: pure logic, no database."""

import datetime

import pytest

from core import intervals
from training.rules import NOTHING_REQUIRED, LessonState, Rules, evaluate, expected_progress, is_behind


def video(pk, percent):
    return LessonState(pk, "video", title=f"视频{pk}", watched_percent=percent)


def test_every_video_must_reach_the_course_threshold():
    rules = Rules(min_video_percent=90)
    result = evaluate(rules, [video(1, 95), video(2, 89.9)])
    assert not result.complete and result.missing == ["视频2"]
    assert evaluate(rules, [video(1, 95), video(2, 90)]).complete


def test_partial_video_counts_towards_progress_but_not_completion():
    result = evaluate(Rules(min_video_percent=80), [video(1, 40), video(2, 0)])
    assert result.progress == pytest.approx(0.25)
    assert result.standings[1].detail == "已观看 40%"


def test_quiz_needs_a_passing_attempt():
    failed = LessonState(1, "quiz", title="测验", best_score=50, quiz_passed=False)
    assert not evaluate(Rules(), [failed]).complete
    assert evaluate(Rules(), [LessonState(1, "quiz", best_score=70, quiz_passed=True)]).complete
    assert evaluate(Rules(), [LessonState(1, "quiz")]).standings[1].detail == "未作答"


def test_assignment_needs_approval_unless_the_course_says_submitted_is_enough():
    pending = LessonState(1, "assignment", title="作业", assignment_status="submitted")
    assert not evaluate(Rules(assignments_approved=True), [pending]).complete
    assert evaluate(Rules(assignments_approved=False), [pending]).complete
    returned = LessonState(1, "assignment", assignment_status="returned")
    assert not evaluate(Rules(assignments_approved=False), [returned]).complete
    assert evaluate(Rules(), [LessonState(1, "assignment", assignment_status="approved")]).complete


def test_reading_material_is_never_required():
    states = [video(1, 100), LessonState(2, "document", opened=False), LessonState(3, "resource")]
    result = evaluate(Rules(), states)
    assert result.complete and result.progress == 1.0
    assert result.standings[2].met is None


def test_a_course_with_nothing_required_is_never_complete():
    result = evaluate(Rules(), [LessonState(1, "document", opened=True)])
    assert not result.complete and result.missing == [NOTHING_REQUIRED]


def test_progress_stays_below_one_until_complete():
    result = evaluate(Rules(), [video(1, 100), LessonState(2, "quiz", best_score=59, quiz_passed=False)])
    assert not result.complete and result.progress < 1.0


def test_expected_progress_is_linear_over_the_study_period():
    start, end = datetime.date(2026, 9, 1), datetime.date(2026, 9, 11)
    assert expected_progress(start, end, datetime.date(2026, 8, 1)) == 0.0
    assert expected_progress(start, end, datetime.date(2026, 9, 6)) == pytest.approx(0.5)
    assert expected_progress(start, end, datetime.date(2026, 10, 1)) == 1.0
    assert expected_progress(None, end, datetime.date(2026, 9, 12)) == 1.0


def test_behind_only_when_the_end_is_near_and_progress_is_below_expectation():
    start, end = datetime.date(2026, 1, 1), datetime.date(2026, 12, 31)
    mid_year = datetime.date(2026, 7, 1)  # expectation about 50 %, but the end is six months away
    assert not is_behind(0.1, False, start, end, mid_year)
    december = datetime.date(2026, 12, 10)  # about 94 % expected, three weeks left
    assert is_behind(0.5, False, start, end, december)
    assert not is_behind(0.97, False, start, end, december)
    assert not is_behind(0.5, True, start, end, december), "completed teachers are never behind"
    assert not is_behind(0.0, False, start, None, december), "no end date, no schedule"


def test_intervals_merge_overlaps_and_touching_stretches():
    assert intervals.merge([[5, 10], [0, 5], [8, 12], [20, 25]]) == [[0, 12], [20, 25]]
    assert intervals.covered([[0, 12], [20, 25]]) == 17


def test_a_stretch_is_credited_at_most_real_time_plus_slack_and_within_the_video():
    assert intervals.creditable(0, 60, elapsed=10, duration=100) == (0, 10 + intervals.SLACK_SECONDS)
    assert intervals.creditable(90, 500, elapsed=1000, duration=100) == (90, 100)
    assert intervals.creditable(-5, 3, elapsed=10, duration=100) == (0, 3)
    assert intervals.creditable(150, 160, elapsed=10, duration=100) is None
    assert intervals.creditable(10, 10, elapsed=10, duration=100) is None
