"""One OpenSearch node dies: search answers from the replica; both die: from the database, saying so.

A private two-node cluster (ports 18531-18534, data in a folder of the service user, the
shared installation of scripts/services/opensearch.sh) holds the site's
indexes with one replica each (SEARCH_REPLICAS=1), and the site lists both
nodes in SEARCH_URL as a production host does. Nodes are SIGKILLed, as a
machine that loses power, while scripts/locust_district.py's mix
(tests/faults/load.py) searches and browses. Outcomes only: status codes, the
results, the notice, which backend answered (the site's own search log), the
health report, and every published page in the index once the nodes are back.
"""

import json
import shutil
import urllib.parse

import pytest

from tests.faults.helpers import eventually, get, health, index_gaps, manage, shell, site_env, start_site
from tests.faults.load import DistrictLoad, failures, kinds
from tests.faults.opensearch_cluster import Cluster, service_folder
from tests.processes import ROOT, stop

pytestmark = [pytest.mark.service("search"), pytest.mark.slow]

SITE_PORT, HTTP_PORTS, TRANSPORT_PORTS = 18530, (18531, 18532), (18533, 18534)
PREFIX = "fault_"
# A judged query of the search benchmark, and lessons it should find.
QUERY = next(
    q["q"] for q in json.loads((ROOT / "scripts" / "search_queries.json").read_text()) if q["q"] == "分数的初步认识"
)
TITLES = ["分数的初步认识", "分数的初步认识 教学设计", "分数的初步认识（第2课时）", "认识几分之一 课件"]
SEED = f"""
from pathlib import Path
from home import demo
from resources import taxonomy_loader
from resources.models import Licence
from resources.provision import ensure_library
from tests.resources.helpers import package
demo.load()
taxonomy_loader.load_all(Path("tests/fixtures/curriculum_small"))
ensure_library()
for title in {TITLES!r}:
    package(title, licence=Licence.PUBLIC, parts=False)
print("seeded")
"""
ENGINE_DOWN_WORDS = "可能不够全面"


@pytest.fixture(scope="module")
def outage(tmp_path_factory):
    work = tmp_path_factory.mktemp("search-outage")
    nodes = service_folder("youke-search-outage-")
    cluster = Cluster(nodes, HTTP_PORTS, TRANSPORT_PORTS)
    cluster.start()  # the JVMs start while the site's database is made
    site = log = None
    try:
        plain = site_env(work)  # the pages are made before the engine is there; update_index fills it
        manage(plain, "migrate", "--noinput", "-v0")
        assert shell(plain, SEED) == "seeded"
        cluster.wait_green()
        cluster.thai_fallback()
        env = site_env(
            work, SEARCH_URL=",".join(cluster.urls), SEARCH_ENGINE="opensearch", SEARCH_REPLICAS="1",
            SEARCH_INDEX_PREFIX=PREFIX, SEARCH_CACHE_SECONDS="0",  # every search asks the engine afresh
        )  # fmt: skip
        manage(env, "update_index", "-v0")  # the site's own timeouts (index creation waits longer than a search)
        cluster.wait_green()  # every replica placed on the other node
        site, log, url = start_site(env, SITE_PORT, work / "site.log")
        assert eventually(lambda: health(url)[0] == 200, 120), (work / "site.log").read_text()[-3000:]
        yield {"url": url, "env": env, "cluster": cluster, "work": work}
    finally:
        if site:
            stop(site)
            log.close()
        cluster.stop(keep_logs_in=work / "cluster-logs")
        shutil.rmtree(nodes, ignore_errors=True)


def search(url):
    """(titles, notice) of the search API's answer; the status must be 200."""
    status, body = get(url + "/api/search?q=" + urllib.parse.quote(QUERY))
    assert status == 200, body[:500]
    answer = json.loads(body)
    return [result["title"] for result in answer["results"]], answer["notice"]


def page(url):
    status, body = get(url + "/search/?q=" + urllib.parse.quote(QUERY))
    return status, body.decode()


def answered_by(env):
    """How the site's last search was answered: engine, fallback or database (search.insights' log)."""
    return shell(env, "from search.models import QueryLog; print(QueryLog.objects.latest('pk').backend)")


def test_one_node_then_both_then_back_under_load(outage):
    url, env, cluster = outage["url"], outage["env"], outage["cluster"]
    before, notice = search(url)
    assert set(before) >= set(TITLES) and notice is None, (before, notice)
    assert answered_by(env) == "engine"
    copies = cluster.shards(PREFIX)
    assert {index for index, primary, _ in copies if not primary}, "every index has a replica"

    # The node holding the primary of the pages' index dies. With two nodes only one keeps the quorum:
    # if that is the victim, the other is made cluster manager first (a voting exclusion), as an
    # operator of a two-node cluster does, so that the survivor can go on alone.
    pages = next(index for index, _, _ in copies if "wagtailcore_page" in index)
    victim = next(node for node in cluster.nodes if (pages, True, node.name) in copies)
    if cluster.manager() is victim:
        cluster.request(f"/_cluster/voting_config_exclusions?node_names={victim.name}", "POST")
        assert eventually(lambda: cluster.manager() is not victim, 60)
    with DistrictLoad(url, outage["work"]) as load:  # a district searching and browsing throughout
        survivor = next(node for node in cluster.nodes if node is not victim)
        victim.kill()
        during = [search(url) for _ in range(5)]
        assert during == [(before, None)] * 5, "the same results, from the copies on the other node"
        assert answered_by(env) == "engine"
        status, body = page(url)
        assert status == 200 and ENGINE_DOWN_WORDS not in body
        status, checks = health(url)
        assert status == 200 and checks["search"]["status"] == "up", checks["search"]

        # Both are gone: the database answers, and the page says the results may be less complete.
        survivor.kill()
        titles, notice = search(url)
        assert set(titles) >= set(TITLES), titles
        assert ENGINE_DOWN_WORDS in notice
        assert answered_by(env) == "fallback"
        codes = [page(url)[0] for _ in range(3)] + [get(url + path)[0] for path in ("/", "/curriculum/")]
        assert codes == [200] * 5
        assert ENGINE_DOWN_WORDS in page(url)[1]
        status, checks = health(url)
        assert status == 503
        assert checks["search"]["status"] == "down" and "no search node answers" in checks["search"]["error"]
        assert all(check["status"] == "up" for name, check in checks.items() if name != "search"), checks

        # Both come back on their own data: healthy again, and the engine answers as before.
        cluster.start()
        cluster.wait_green()
        cluster.request("/_cluster/voting_config_exclusions?wait_for_removal=false", "DELETE")
        assert eventually(lambda: health(url)[0] == 200, 120), health(url)
        assert search(url) == (before, None)
        assert answered_by(env) == "engine"

    # Beside it, the district's load: searches, pages and the rest were answered throughout, never a 5xx,
    # and after both nodes came back on their own data every published page is in the index.
    answers = load.answers()
    assert failures(answers) == [], kinds(answers)
    assert ("search", 200) in kinds(answers)
    gaps = index_gaps(env)
    assert gaps["published"] >= len(TITLES) and gaps["missing"] == [], gaps
