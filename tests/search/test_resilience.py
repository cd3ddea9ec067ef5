"""Nothing silently goes missing from the index: failures are recorded and caught up.

The shared engine is never stopped: "down" is a backend pointed at a closed
port, "back up" is the real engine again.
"""

import pytest
from django.conf import settings
from django.test import override_settings
from wagtail.models import Page

from resources.models import LessonPackagePage, Licence
from search import backends, service
from search.models import IndexFailure
from search.retry import retry_failed
from tests.resources.helpers import package

pytestmark = [pytest.mark.django_db, pytest.mark.service("search")]


def down_settings():
    """The site's engine configuration, pointed at a port nobody listens on."""
    engine = {**settings.WAGTAILSEARCH_BACKENDS["default"], "URLS": ["http://127.0.0.1:1"], "TIMEOUT": 1}
    return {"default": engine, "database": {"BACKEND": "wagtail.search.backends.database"}}


def engine_titles(query):
    """Titles of live packages the engine itself finds (drafts are indexed too, as not live)."""
    backend = backends.get("default")
    backend.get_index_for_model(Page).refresh()
    return [page.title for page in backend.search(query, LessonPackagePage.objects.live())]


def run(q):
    return service.search(service.SearchRequest.from_params({"q": q}), None)


def test_index_catches_up_after_a_failure(library):
    with override_settings(WAGTAILSEARCH_BACKENDS=down_settings()):
        page = package("圆的认识 停机时发布", licence=Licence.PUBLIC, parts=False)
        failure = IndexFailure.objects.get(object_id=str(page.pk))
        assert failure.action == "index"
        # Meanwhile the site answers from the database backend, with a notice.
        answer = run("圆的认识")
        assert "圆的认识 停机时发布" in [result["title"] for result in answer["results"]]
        assert answer["notice"]
    assert "圆的认识 停机时发布" not in engine_titles("圆的认识"), "the engine really missed it"

    assert retry_failed() == (1, 0)
    assert not IndexFailure.objects.exists()
    assert "圆的认识 停机时发布" in engine_titles("圆的认识")
    assert run("圆的认识")["notice"] is None


def test_unpublished_while_down_is_removed_at_catch_up(library):
    page = package("认识钟表 即将撤回", licence=Licence.PUBLIC, parts=False)
    assert "认识钟表 即将撤回" in engine_titles("认识钟表")
    with override_settings(WAGTAILSEARCH_BACKENDS=down_settings()):
        page.unpublish()
        assert IndexFailure.objects.filter(object_id=str(page.pk)).exists()
    # The engine still has it as live; the page is never shown anyway (read back from the database).
    assert "认识钟表 即将撤回" not in [result["title"] for result in run("认识钟表")["results"]]

    assert retry_failed() == (1, 0)
    assert "认识钟表 即将撤回" not in engine_titles("认识钟表")


def test_deleted_while_down_is_removed_at_catch_up(library):
    page = package("长方形的面积 将删除", licence=Licence.PUBLIC, parts=False)
    pk = page.pk
    with override_settings(WAGTAILSEARCH_BACKENDS=down_settings()):
        Page.objects.get(pk=pk).delete()
        assert IndexFailure.objects.get(object_id=str(pk)).action == "delete"
    backend = backends.get("default")
    assert backend.es.exists(index=backend.get_index_for_model(Page).name, id=str(pk))

    assert retry_failed() == (1, 0)
    assert not backend.es.exists(index=backend.get_index_for_model(Page).name, id=str(pk))


def test_still_down_keeps_the_record_for_the_next_run(library):
    with override_settings(WAGTAILSEARCH_BACKENDS=down_settings()):
        page = package("三角形 一直停机", licence=Licence.PUBLIC, parts=False)
        attempts = IndexFailure.objects.get(object_id=str(page.pk)).attempts
        assert retry_failed() == (0, 1)
    assert IndexFailure.objects.get(object_id=str(page.pk)).attempts == attempts + 1


def test_retry_is_a_celery_beat_job_on_the_default_queue():
    from youke.celery import app

    beat = settings.CELERY_BEAT_SCHEDULE.values()
    schedule = [entry for entry in beat if entry["task"] == "search.retry_index_updates"]
    assert len(schedule) == 1
    app.loader.import_default_modules()
    assert "search.retry_index_updates" in app.tasks
    from fnmatch import fnmatch

    routed = [pattern for pattern in settings.CELERY_TASK_ROUTES if fnmatch("search.retry_index_updates", pattern)]
    assert not routed, "default queue"


def test_the_catch_up_can_be_run_by_hand(library):
    from io import StringIO

    from django.core.management import call_command

    with override_settings(WAGTAILSEARCH_BACKENDS=down_settings()):
        package("平均数 手动补写", licence=Licence.PUBLIC, parts=False)
    out = StringIO()
    call_command("retry_index_updates", stdout=out)
    assert "已补写索引 1 条，仍失败 0 条" in out.getvalue()
    assert "平均数 手动补写" in engine_titles("平均数")


def test_a_dead_node_in_the_list_is_not_search_down(library, client):
    """SEARCH_URL lists a cluster's nodes: with the first one dead the others answer, and /healthz says up."""
    engine = settings.WAGTAILSEARCH_BACKENDS["default"]
    cluster = {**engine, "URLS": ["http://127.0.0.1:1", *engine["URLS"]]}
    package("圆的认识 一台节点停机", licence=Licence.PUBLIC, parts=False)
    backends.get("default").get_index_for_model(Page).refresh()
    with override_settings(WAGTAILSEARCH_BACKENDS={**settings.WAGTAILSEARCH_BACKENDS, "default": cluster}):
        for _ in range(3):  # whichever node the client tries first
            answer = run("圆的认识")
            assert answer["notice"] is None, "answered by the engine, not the database fallback"
            assert "圆的认识 一台节点停机" in [result["title"] for result in answer["results"]]
        response = client.get("/healthz")
    search = response.json()["checks"]["search"]
    assert search["status"] == "up", search
    assert search["unreachable"] == ["http://127.0.0.1:1 (URLError)"]
