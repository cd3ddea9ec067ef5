"""A play counts after 10 s of real playback, checked against the server's clock; once per hour."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from supervision import plays
from supervision.models import UsageEvent
from tests.resources.helpers import package

pytestmark = pytest.mark.django_db


@pytest.fixture
def lesson(library):
    return package("认识分数", school_code="CGYX", parts=False)


@pytest.fixture
def rural_teacher(library):
    return get_user_model().objects.get(username="teacher2")


def _beat(lesson, seq, played, session="sessionAAAA"):
    return plays.Report(lesson.pk, session, seq, played)


def test_ten_real_seconds_make_a_play(lesson, rural_teacher):
    assert plays.report(rural_teacher, lesson, _beat(lesson, 1, 0), now=1000) == "started"
    assert plays.report(rural_teacher, lesson, _beat(lesson, 2, 5), now=1005) == "accepted"
    assert plays.report(rural_teacher, lesson, _beat(lesson, 3, 10), now=1010) == "counted"
    assert plays.report(rural_teacher, lesson, _beat(lesson, 4, 20), now=1020) == "accepted"
    assert UsageEvent.objects.count() == 1


def test_claimed_seconds_beyond_the_real_time_are_not_believed(lesson, rural_teacher):
    plays.report(rural_teacher, lesson, _beat(lesson, 1, 0), now=1000)
    assert plays.report(rural_teacher, lesson, _beat(lesson, 2, 600), now=1003) == "accepted"
    assert not UsageEvent.objects.exists()


def test_a_replayed_report_changes_nothing_and_a_long_silence_restarts(lesson, rural_teacher):
    plays.report(rural_teacher, lesson, _beat(lesson, 5, 0), now=1000)
    assert plays.report(rural_teacher, lesson, _beat(lesson, 5, 30), now=1030) == "ignored"
    assert plays.report(rural_teacher, lesson, _beat(lesson, 6, 30), now=1100) == "started"
    assert not UsageEvent.objects.exists()


def test_two_sessions_in_one_hour_make_one_use(lesson, rural_teacher):
    for session in ("sessionAAAA", "sessionBBBB"):
        plays.report(rural_teacher, lesson, _beat(lesson, 1, 0, session), now=1000)
        plays.report(rural_teacher, lesson, _beat(lesson, 2, 11, session), now=1011)
    assert UsageEvent.objects.count() == 1


def test_the_endpoint_wants_a_signed_in_user_and_a_visible_lesson(client, lesson, rural_teacher):
    url = reverse("supervision:play")
    body = {"lesson": lesson.pk, "session": "sessionAAAA", "seq": 1, "played": 0}
    assert client.post(url, body).status_code == 401
    client.force_login(rural_teacher)
    assert client.post(url, body).json() == {"outcome": "started"}
    assert client.post(url, {**body, "lesson": 999999}).status_code == 404
    assert client.post(url, {**body, "played": "nan"}).status_code == 400
    assert client.post(url, {"lesson": lesson.pk, "kind": "video_download"}).json() == {"outcome": "counted"}
    assert UsageEvent.objects.get().kind == "video_download"


def test_the_lesson_page_includes_the_usage_script_for_signed_in_users(client, lesson, rural_teacher):
    client.force_login(rural_teacher)
    html = client.get(lesson.url).content.decode()
    if "yk-player" in html:  # only a page with a player needs it
        assert "supervision/usage.js" in html


def test_the_browsers_form_post_with_its_csrf_header_is_answered(lesson, rural_teacher):
    """As usage.js sends it: multipart FormData and X-CSRFToken, through the real CSRF check (which reads the body)."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(rural_teacher)
    client.get(lesson.url)  # the page sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    body = {"lesson": lesson.pk, "session": "sessionBBBB", "seq": 1, "played": 0}
    answer = client.post(reverse("supervision:play"), body, HTTP_X_CSRFTOKEN=token)
    assert answer.status_code == 200 and answer.json() == {"outcome": "started"}
    too_big = {**body, "session": "x" * 2000}
    assert client.post(reverse("supervision:play"), too_big, HTTP_X_CSRFTOKEN=token).status_code == 400
