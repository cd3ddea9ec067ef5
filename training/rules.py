"""Completion rules and schedule expectations. Pure functions, tested without a database.

A course is complete when every required lesson meets the course's rule:
each video watched to at least `min_video_percent`, each quiz passed, each
assignment approved (or only submitted, if the course says so). Documents and
library resources are reading material: shown as opened, never required.
"""

from dataclasses import dataclass, field

REQUIRED_KINDS = ("video", "quiz", "assignment")
NOTHING_REQUIRED = "课程尚未设置视频、测验或作业，暂不能判定完成"


@dataclass(frozen=True)
class Rules:
    min_video_percent: int = 90
    quiz_pass_percent: int = 60
    assignments_approved: bool = True


@dataclass
class LessonState:
    """What one teacher has done in one lesson, as read from the records."""

    lesson_id: int
    kind: str
    title: str = ""
    module_id: int | None = None
    watched_percent: float = 0.0
    best_score: float | None = None
    quiz_passed: bool = False
    assignment_status: str = ""  # "", submitted, approved, returned
    opened: bool = False


@dataclass
class Standing:
    progress: float  # 0..1
    met: bool
    detail: str


@dataclass
class Completion:
    complete: bool
    progress: float
    standings: dict = field(default_factory=dict)  # lesson id -> Standing
    missing: list = field(default_factory=list)  # titles of required lessons not yet met


def standing(rules, state):
    """How far one lesson is towards its rule; `met` is None for lessons nothing requires."""
    if state.kind == "video":
        target = max(rules.min_video_percent, 1)
        percent = min(state.watched_percent, 100.0)
        return Standing(min(percent / target, 1.0), percent >= target, f"已观看 {percent:.0f}%")
    if state.kind == "quiz":
        if state.best_score is None:
            return Standing(0.0, False, "未作答")
        verdict = "已通过" if state.quiz_passed else "未通过"
        return Standing(
            1.0 if state.quiz_passed else 0.0, state.quiz_passed, f"最高 {state.best_score:.0f} 分，{verdict}"
        )
    if state.kind == "assignment":
        status = state.assignment_status
        if status == "approved":
            return Standing(1.0, True, "已通过")
        if status == "submitted":
            if not rules.assignments_approved:
                return Standing(1.0, True, "已提交")
            return Standing(0.5, False, "待批阅")
        return Standing(0.0, False, "已退回，请修改后重交" if status == "returned" else "未提交")
    return Standing(1.0 if state.opened else 0.0, None, "已查看" if state.opened else "未查看")


def evaluate(rules, states):
    """Completion of a course for one teacher from the states of its lessons."""
    standings = {state.lesson_id: standing(rules, state) for state in states}
    required = [state for state in states if state.kind in REQUIRED_KINDS]
    if not required:
        return Completion(False, 0.0, standings, [NOTHING_REQUIRED])
    progress = sum(standings[state.lesson_id].progress for state in required) / len(required)
    missing = [state.title for state in required if not standings[state.lesson_id].met]
    return Completion(not missing, 1.0 if not missing else min(progress, 0.99), standings, missing)


# "End date approaching": within this many days of the course's end (or past it).
BEHIND_WINDOW_DAYS = 30


def expected_progress(starts_on, ends_on, today):
    """Linear expectation: the share of the study period that has passed (0..1)."""
    if not ends_on:
        return 0.0
    if not starts_on or starts_on >= ends_on:
        return 1.0 if today >= ends_on else 0.0
    share = (today - starts_on).days / (ends_on - starts_on).days
    return min(max(share, 0.0), 1.0)


def is_behind(progress, completed, starts_on, ends_on, today, window_days=BEHIND_WINDOW_DAYS):
    """Behind schedule: not completed, the end is near (or past), and progress is below the linear expectation."""
    if completed or not ends_on:
        return False
    if (ends_on - today).days > window_days:
        return False
    return progress < expected_progress(starts_on, ends_on, today)
