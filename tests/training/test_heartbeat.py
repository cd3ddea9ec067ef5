"""Heartbeats credit only what could really have been watched; abuse gets nothing extra."""

import datetime
import json

import pytest
from django.test import Client
from django.utils import timezone

from training import enrolment, heartbeat
from training.models import (
    Certificate,
    Enrollment,
    LessonProgress,
    ModulePage,
    StudyHoursEntry,
    VideoLessonPage,
    VideoProgress,
)
from training.progress import refresh

from .helpers import course, lesson, publish, ready_video, user

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]
T0 = timezone.make_aware(datetime.datetime(2026, 9, 1, 9, 0, 0))


def at(seconds):
    return T0 + datetime.timedelta(seconds=seconds)


@pytest.fixture
def setup(demo_site):
    page = course(kinds=("video",))
    video_lesson = lesson(page, VideoLessonPage)
    teacher = user("t_hb")
    enrolment.enrol(teacher, page)
    return page, video_lesson, teacher


def beat(lesson_page, seq, start, position, session="session-aaaa"):
    return heartbeat.Heartbeat(lesson_page.pk, session, seq, start, position)


def watched(teacher, lesson_page):
    return VideoProgress.objects.get(user=teacher, lesson_id=lesson_page.pk)


def test_honest_viewing_is_credited_as_played(setup):
    _page, video_lesson, teacher = setup
    assert heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 0, 0), 100, now=at(0))[1] == "started"
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 1, 0, 10), 100, now=at(10))
    row, outcome = heartbeat.record(teacher, video_lesson, beat(video_lesson, 2, 10, 20), 100, now=at(20))
    assert outcome == "accepted"
    assert row.segments == [[0, 20]] and row.watched_seconds == 20 and row.percent == 20
    assert row.last_position == 20


def test_claiming_more_than_real_time_gets_only_real_time(setup):
    _page, video_lesson, teacher = setup
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 0, 0), 100, now=at(0))
    row, _ = heartbeat.record(teacher, video_lesson, beat(video_lesson, 1, 0, 90), 100, now=at(5))
    assert row.watched_seconds == pytest.approx(5)


def test_network_jitter_costs_honest_viewers_nothing(setup):
    # Beats arrive late or early; time a late one did not use is still the chain's to credit.
    _page, video_lesson, teacher = setup
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 0, 0), 100, now=at(0))
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 1, 0, 10), 100, now=at(10.8))
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 2, 10, 20), 100, now=at(20))
    row, _ = heartbeat.record(teacher, video_lesson, beat(video_lesson, 3, 20, 30), 100, now=at(30.3))
    assert row.segments == [[0, 30]]


def test_a_first_heartbeat_credits_nothing_however_much_it_claims(setup):
    _page, video_lesson, teacher = setup
    row, outcome = heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 0, 100), 100, now=at(0))
    assert outcome == "started" and row.watched_seconds == 0
    assert row.last_position == 100, "the position is still kept to resume from"


def test_positions_beyond_the_video_are_clamped(setup):
    _page, video_lesson, teacher = setup
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 95, 95), 100, now=at(0))
    row, _ = heartbeat.record(teacher, video_lesson, beat(video_lesson, 1, 95, 5000), 100, now=at(30))
    assert row.segments == [[95, 100]] and row.watched_seconds == 5
    assert row.last_position == 100


def test_duplicated_and_out_of_order_heartbeats_change_nothing(setup):
    _page, video_lesson, teacher = setup
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 0, 0), 100, now=at(0))
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 1, 0, 10), 100, now=at(10))
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 2, 10, 20), 100, now=at(20))
    before = watched(teacher, video_lesson)
    # The same heartbeat again, much later: would otherwise look like 40 s of real time.
    assert heartbeat.record(teacher, video_lesson, beat(video_lesson, 2, 10, 20), 100, now=at(60))[1] == "ignored"
    # An older one arriving late must not move the resume position back either.
    assert heartbeat.record(teacher, video_lesson, beat(video_lesson, 1, 0, 10), 100, now=at(61))[1] == "ignored"
    after = watched(teacher, video_lesson)
    assert after.segments == before.segments == [[0, 20]]
    assert after.last_position == 20


def test_the_same_stretch_reported_in_two_sessions_counts_once(setup):
    _page, video_lesson, teacher = setup
    for session in ("session-aaaa", "session-bbbb"):
        heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 0, 0, session), 100, now=at(0))
        heartbeat.record(teacher, video_lesson, beat(video_lesson, 1, 0, 10, session), 100, now=at(10))
    assert watched(teacher, video_lesson).watched_seconds == 10


def test_two_tabs_share_one_clock(setup):
    """Two players at once cannot watch twice as fast: each credit is bounded by the last credit of any tab."""
    _page, video_lesson, teacher = setup
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 0, 0, "tab-one-1"), 100, now=at(0))
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 50, 50, "tab-two-2"), 100, now=at(0))
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 1, 0, 10, "tab-one-1"), 100, now=at(10))
    row, _ = heartbeat.record(teacher, video_lesson, beat(video_lesson, 1, 50, 60, "tab-two-2"), 100, now=at(10.5))
    assert row.watched_seconds <= 10.5


def test_seeking_ahead_does_not_fill_the_gap(setup):
    _page, video_lesson, teacher = setup
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 0, 0), 100, now=at(0))
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 1, 0, 10), 100, now=at(10))
    row, _ = heartbeat.record(teacher, video_lesson, beat(video_lesson, 2, 80, 90), 100, now=at(20))
    assert row.segments == [[0, 10], [80, 90]] and row.percent == 20


@pytest.mark.parametrize(
    "payload, message",
    [
        ({"lesson": 1, "session": "short", "seq": 0, "position": 0}, "播放会话标识无效。"),
        ({"lesson": 1, "session": "session-aaaa", "seq": -1, "position": 0}, "心跳序号无效。"),
        ({"lesson": 1, "session": "session-aaaa", "seq": 0, "position": "NaN"}, "心跳数据中的 position 不是有效数字。"),
        ({"lesson": 1, "session": "session-aaaa", "seq": 0, "start": 9, "position": 3}, "播放位置无效。"),
    ],
)
def test_malformed_heartbeats_are_refused_in_chinese(setup, payload, message):
    _page, _lesson, teacher = setup
    client = Client()
    client.force_login(teacher)
    response = client.post("/training/api/heartbeat", json.dumps(payload), content_type="application/json")
    assert response.status_code == 400 and response.json()["error"] == message


def post(client, lesson_page, seq, start, position):
    body = {"lesson": lesson_page.pk, "session": "browser-1234", "seq": seq, "start": start, "position": position}
    return client.post("/training/api/heartbeat", json.dumps(body), content_type="application/json")


def test_the_endpoint_credits_only_real_elapsed_time(setup):
    _page, video_lesson, teacher = setup
    client = Client()
    client.force_login(teacher)
    before = timezone.now()
    assert post(client, video_lesson, 0, 0, 0).json()["outcome"] == "started"
    answer = post(client, video_lesson, 1, 0, 4).json()  # 4 s of a 4 s video, claimed at once
    elapsed = (timezone.now() - before).total_seconds()
    assert answer["outcome"] == "accepted"
    row = watched(teacher, video_lesson)
    assert row.watched_seconds <= elapsed  # nothing of the 4 s claimed beyond the real time between the two
    assert answer["watched_percent"] == pytest.approx(row.percent, abs=0.1)


def test_watching_the_whole_video_meets_the_rule_and_completes_a_video_only_course(setup):
    page, video_lesson, teacher = setup
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 0, 0), 4, now=at(0))
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 1, 0, 4), 4, now=at(4))
    refresh(teacher, page)
    assert LessonProgress.objects.get(user=teacher, lesson_id=video_lesson.pk).met
    assert Enrollment.objects.get(user=teacher, course=page).status == Enrollment.Status.COMPLETED


def test_only_enrolled_signed_in_teachers_are_tracked(setup):
    _page, video_lesson, _teacher = setup
    assert post(Client(), video_lesson, 0, 0, 0).status_code == 401
    stranger = Client()
    stranger.force_login(user("t_stranger"))
    answer = post(stranger, video_lesson, 0, 0, 0)
    assert answer.status_code == 403 and "未报名" in answer.json()["error"]
    assert not VideoProgress.objects.filter(lesson_id=video_lesson.pk).exists()


def test_many_tiny_heartbeats_earn_no_extra_slack(setup):
    # 300 beats 0.05 s apart, each claiming a fresh 2-second stretch: 15 s of real time.
    _page, video_lesson, teacher = setup
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 0, 0), 600, now=at(0))
    for i in range(1, 301):
        row, _ = heartbeat.record(teacher, video_lesson, beat(video_lesson, i, 2 * i, 2 * i + 2), 600, now=at(i * 0.05))
    assert row.watched_seconds <= 15 + 0.001


def test_a_long_silence_is_not_credited_in_one_go(setup):
    # One beat, ten minutes away, then a claim for the whole ten minutes.
    _page, video_lesson, teacher = setup
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 0, 0), 900, now=at(0))
    row, outcome = heartbeat.record(teacher, video_lesson, beat(video_lesson, 1, 0, 600), 900, now=at(600))
    assert outcome == "started" and row.watched_seconds == 0
    # Watching on from there is credited normally.
    row, _ = heartbeat.record(teacher, video_lesson, beat(video_lesson, 2, 600, 610), 900, now=at(610))
    assert row.watched_seconds == pytest.approx(10)


def test_the_reproduced_attack_with_fresh_sessions_credits_only_the_time_that_passed(setup, settings):
    """540 heartbeats in 70 s, two per brand-new session, each claiming a fresh 2.2 s: once 90 % of 600 s.

    The session bound is lifted here so that only the credit clock stands in the way.
    """
    settings.TRAINING_MAX_PLAYER_SESSIONS = 1000
    page, video_lesson, teacher = setup
    for k in range(270):
        t, session, claim = k * 70 / 270, f"fresh-session-{k:04d}", 2.2 * k
        heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, claim, claim, session), 600, now=at(t))
        heartbeat.record(
            teacher, video_lesson, beat(video_lesson, 1, claim, claim + 2.2, session), 600, now=at(t + 0.01)
        )
    assert watched(teacher, video_lesson).watched_seconds <= 70 + 0.01
    refresh(teacher, page)
    assert Enrollment.objects.get(user=teacher, course=page).status == Enrollment.Status.ENROLLED
    assert not StudyHoursEntry.objects.filter(user=teacher).exists()
    assert not Certificate.objects.filter(user=teacher).exists()


def test_a_new_session_earns_no_slack(setup):
    _page, video_lesson, teacher = setup
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 0, 0, "tab-one-1"), 100, now=at(0))
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 1, 0, 10, "tab-one-1"), 100, now=at(10))
    heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 10, 10, "tab-two-2"), 100, now=at(10))
    row, outcome = heartbeat.record(
        teacher, video_lesson, beat(video_lesson, 1, 10, 13, "tab-two-2"), 100, now=at(10.1)
    )
    assert outcome == "accepted"
    assert row.watched_seconds <= 10.1 + 1e-3


def test_two_videos_of_one_course_share_one_clock(setup):
    """Two tabs on two videos of the same course cannot earn twice the real time either."""
    page, first, teacher = setup
    second = publish(ModulePage.objects.child_of(page).get(), VideoLessonPage(title="视频二", video=ready_video()))
    heartbeat.record(teacher, first, beat(first, 0, 0, 0, "tab-one-1"), 100, now=at(0))
    heartbeat.record(teacher, second, beat(second, 0, 0, 0, "tab-two-2"), 100, now=at(0))
    heartbeat.record(teacher, first, beat(first, 1, 0, 10, "tab-one-1"), 100, now=at(10))
    heartbeat.record(teacher, second, beat(second, 1, 0, 10, "tab-two-2"), 100, now=at(10))
    total = watched(teacher, first).watched_seconds + watched(teacher, second).watched_seconds
    assert total <= 10 + 1e-3


def test_live_player_sessions_per_enrolment_are_bounded(setup, settings):
    settings.TRAINING_MAX_PLAYER_SESSIONS = 2
    _page, video_lesson, teacher = setup
    for session in ("tab-one-1", "tab-two-2"):
        heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 0, 0, session), 100, now=at(0))
    with pytest.raises(heartbeat.Refused, match="播放窗口过多"):
        heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 0, 0, "tab-three-3"), 100, now=at(1))
    # A live session carries on; once the others fall silent, a new one may start.
    assert heartbeat.record(teacher, video_lesson, beat(video_lesson, 1, 0, 5, "tab-one-1"), 100, now=at(5))[1] == (
        "accepted"
    )
    late = at(5 + heartbeat.MAX_GAP_SECONDS + 1)
    assert heartbeat.record(teacher, video_lesson, beat(video_lesson, 0, 5, 5, "tab-three-3"), 100, now=late)[1] == (
        "started"
    )


def post_session(client, lesson_page, session, seq, start, position):
    body = {"lesson": lesson_page.pk, "session": session, "seq": seq, "start": start, "position": position}
    return client.post("/training/api/heartbeat", json.dumps(body), content_type="application/json")


def test_the_endpoint_refuses_too_many_sessions_in_chinese(setup, settings):
    settings.TRAINING_MAX_PLAYER_SESSIONS = 1
    _page, video_lesson, teacher = setup
    client = Client()
    client.force_login(teacher)
    assert post_session(client, video_lesson, "browser-1111", 0, 0, 0).status_code == 200
    refused = post_session(client, video_lesson, "browser-2222", 0, 0, 0)
    assert refused.status_code == 429 and "播放窗口过多" in refused.json()["error"]


def test_heartbeats_are_rate_limited_per_teacher(setup, settings):
    settings.TRAINING_HEARTBEAT_RATE = "5/h"
    page, video_lesson, teacher = setup
    client = Client()
    client.force_login(teacher)
    answers = [post_session(client, video_lesson, "browser-1234", seq, 0, 0) for seq in range(6)]
    assert [answer.status_code for answer in answers] == [200] * 5 + [429]
    assert answers[-1].json()["error"] == "心跳请求过于频繁，请稍后再试。"
    # The limit is the teacher's, not the browser's: another teacher is not affected.
    other = user("t_hb_other")
    enrolment.enrol(other, page)
    client.force_login(other)
    assert post_session(client, video_lesson, "browser-5678", 0, 0, 0).status_code == 200


def test_a_burst_of_fresh_sessions_through_the_endpoint_credits_at_most_real_time(setup):
    # The attack as a browser would send it, with the default limits: most of it is refused outright.
    _page, video_lesson, teacher = setup
    client = Client()
    client.force_login(teacher)
    before = timezone.now()
    codes = []
    for k in range(40):
        session = f"burst-session-{k:04d}"
        codes.append(post_session(client, video_lesson, session, 0, 2 * k, 2 * k).status_code)
        codes.append(post_session(client, video_lesson, session, 1, 2 * k, 2 * k + 2).status_code)
    elapsed = (timezone.now() - before).total_seconds()
    assert 429 in codes
    assert codes.count(200) <= 30, "the default rate lets through at most 30 heartbeats a minute"
    assert watched(teacher, video_lesson).watched_seconds <= elapsed
