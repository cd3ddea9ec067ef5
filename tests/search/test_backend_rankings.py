"""Both ranking backends answer one call the same way: a search.results.Ranking."""

import pytest
from django.contrib.auth.models import AnonymousUser

from resources.models import Licence
from search import backends, database, engine, service
from search.results import Ranking
from tests.resources.helpers import package
from tests.search.conftest import refresh

pytestmark = pytest.mark.django_db


def ranked(q, **run):
    """The Ranking of whichever backend is the default now, called with the one signature both share."""
    backend = backends.get("default")
    the_plan = service.plan(service.SearchRequest.from_params({"q": q}), AnonymousUser())
    module = engine if engine.is_engine(backend) else database
    return module.run(backend, the_plan, **run), the_plan


def test_each_backend_returns_a_ranking_of_the_visible_matches(library, backend):
    fraction = package("分数的初步认识", licence=Licence.PUBLIC, parts=False)
    package("分数 草稿", live=False, parts=False)
    package("运动的快慢", licence=Licence.PUBLIC, lesson="运动的快慢", school_code="QSCZ", parts=False)
    refresh(backend)
    answer, _ = ranked("分数", sort="relevance", offset=0, size=10, facets=True)
    assert isinstance(answer, Ranking)
    assert answer.ids == (fraction.pk,)
    assert answer.total == 1 and answer.offset == 0
    assert answer.facet_counts["resource_type"] == {"lesson_package": 1}
    assert answer.facet_counts["school"] == {fraction.school_id: 1}


def test_a_page_past_the_end(library, backend):
    for number in range(3):
        package(f"分数 第{number}课", licence=Licence.PUBLIC, parts=False)
    refresh(backend)
    answer, _ = ranked("", offset=20, size=2, facets=False)
    assert answer.total == 3
    if backend == "database":
        assert answer.offset == 2 and len(answer.ids) == 1, "the last page, and where it starts"
    else:
        assert answer.offset == 20 and answer.ids == (), "the engine answers what was asked; search.service asks again"
    past = service.search(service.SearchRequest.from_params({"page": "3", "q": "分数"}), None)
    assert past["page"] == 1 and len(past["results"]) == 3, "either way the site shows the last page"


@pytest.mark.service("search")
def test_an_answer_from_the_fallback_is_not_cached(library, monkeypatch):
    monkeypatch.setenv("SEARCH_CACHE_SECONDS", "60")
    package("分数的初步认识", licence=Licence.PUBLIC, parts=False)
    refresh("engine")
    request = service.SearchRequest.from_params({"q": "分数"})

    def down(*args, **kwargs):
        raise ConnectionError("engine down")

    with monkeypatch.context() as failing:
        failing.setattr(engine, "run", down)
        assert service.search(request, None)["notice"] == service.ENGINE_DOWN
    again = service.search(request, None)
    assert again["notice"] is None, "the engine is back: the fallback's answer was not kept"
    assert [result["title"] for result in again["results"]] == ["分数的初步认识"]
