"""Signed-in learners for the load bench: accounts enrolled in the demo course, each with a session.

Run inside the target site's Django (scripts/bench_load.py does, with the
target's environment):

    manage.py shell -c "import sys; sys.path.insert(0, 'scripts'); import bench_learners; bench_learners.main(200)"

Prints one JSON line: the demo course's video lesson and the session keys of
`count` accounts `load-learner001`... enrolled in it. A training week's
learners signed in once, before the hour measured: the sessions are made here
so that the bench measures their heartbeats, not 200 sign-ins through
Keycloak (those are measured apart, by the mix's own learners). The course's
capacity is raised to hold them. Idempotent: the accounts and enrolments are
reused, only the sessions are new.
"""

import json
from importlib import import_module

from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model

from training.demo import SLUG
from training.enrolment import enrol
from training.models import CoursePage, VideoLessonPage

BACKEND = "sso.backends.KeycloakBackend"  # how a teacher signed in through single sign-on is remembered


def main(count):
    course = CoursePage.objects.live().get(slug=SLUG)
    if course.capacity is not None and course.capacity < count + 10:
        CoursePage.objects.filter(pk=course.pk).update(capacity=count + 10)
        course.refresh_from_db()
    lesson = VideoLessonPage.objects.live().descendant_of(course).select_related("video").first()
    assert lesson is not None and lesson.video.is_ready, "the demo course has no ready video (load_training_demo)"
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = []
    for number in range(1, count + 1):
        user, _ = get_user_model().objects.get_or_create(username=f"load-learner{number:03d}")
        enrol(user, course)
        session = store()
        session.update({SESSION_KEY: str(user.pk), BACKEND_SESSION_KEY: BACKEND})
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        keys.append(session.session_key)
    print(json.dumps({"lesson": lesson.pk, "duration": lesson.video.duration, "sessions": keys}))
