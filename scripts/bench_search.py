#!/usr/bin/env python
"""Search benchmark: relevance (nDCG@10, MRR per query kind) and /api/search latency.

    eval "$(bash scripts/services.sh env)"
    .venv/bin/python scripts/bench_search.py relevance   # every backend, ours and Wagtail's defaults
    .venv/bin/python scripts/bench_search.py latency     # 10,000 resources, 8 clients, gunicorn + OpenSearch

Relevance: the corpus of scripts/bench_search_corpus.py (about 2,300 items
over the whole curriculum seed) is imported with `import_resources` into a
fresh SQLite file (the embedded default) and a PostgreSQL database of its
own; the judged queries of scripts/search_queries.json are asked as a
signed-in teacher through search.service, on OpenSearch, Elasticsearch and
the database backend (PostgreSQL and SQLite), and side by side the "plain
default configuration": Wagtail's backends with their default settings, no
core.chinese terms in the index, the query passed as typed.

Latency: 10,000 items in a third database, indexed in OpenSearch; gunicorn
serves the site and 8 client threads, each with a signed-in session, ask
/api/search (judged queries, some with facet filters or page 2) for a
fixed number of requests; p50/p95/p99 over all of them.

Each part runs in a child process with its own settings (this file with
`_worker`); databases and indexes are named youke_bench* and reused when
they already hold the same corpus (pass --fresh to rebuild). Never a test:
numbers on a shared 2-core machine move with its load.
"""

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import bench_search_corpus as corpus  # noqa: E402

QUERIES = ROOT / "scripts" / "search_queries.json"
# Written after the ranking was tuned on QUERIES, and never tuned on: a check for overfitting.
HOLDOUT = ROOT / "scripts" / "search_queries_holdout.json"
WORK = Path(os.environ.get("BENCH_DIR", ROOT / "var" / "bench-search"))
KINDS_ORDER = [
    "exact_title", "knowledge_point", "grade_subject_topic", "colloquial_grade", "synonym",
    "pinyin", "initials", "typo", "type_intent", "sentence",
]  # fmt: skip


def database_url(name):
    base = os.environ.get("DATABASE_URL", "")
    if not base.startswith("postgres"):
        sys.exit('DATABASE_URL must point at the PostgreSQL service (eval "$(bash scripts/services.sh env)")')
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"/{name}"))


def ensure_postgres_database(url):
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        name = parts.path.lstrip("/")
        if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            connection.execute(f'CREATE DATABASE "{name}"')


def digest(path):
    import hashlib

    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]


def stale(name, corpus_path):
    """Whether the database `name` was built from another corpus (then it is rebuilt)."""
    marker = WORK / f"{name}.corpus"
    return not marker.exists() or marker.read_text() != digest(corpus_path)


def mark(name, corpus_path):
    (WORK / f"{name}.corpus").write_text(digest(corpus_path))


def child(mode, env, *args):
    """Run this script's worker `mode` in a child with `env`; returns its JSON answer."""
    environment = {
        **os.environ, **env, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "youke.settings.test",
        "LOG_LEVEL": "WARNING", "SEARCH_CACHE_SECONDS": "0",  # every query answered, never from the cache
    }  # fmt: skip
    for key, value in list(environment.items()):
        if value is None:
            environment.pop(key)
    out = WORK / f"{mode}.json"
    subprocess.run([sys.executable, __file__, "_worker", mode, str(out), *args], env=environment, check=True)
    return json.loads(out.read_text())


# --- The worker side (inside Django)


def setup_django():
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def load_corpus(path, expected):
    """Schools, users, curriculum and the corpus, unless this database already has exactly it."""
    from django.test import override_settings

    from home import demo
    from resources import taxonomy_loader
    from resources.importer import import_lines
    from resources.models import LessonPackagePage, ResourcePage
    from resources.provision import ensure_library

    have = (
        LessonPackagePage.objects.filter(external_id__startswith="bench-").count()
        + ResourcePage.objects.filter(external_id__startswith="bench-").count()
    )
    if have == expected:
        return False
    demo.load()
    taxonomy_loader.load_all(taxonomy_loader.DATA_DIR)
    ensure_library()
    from django.conf import settings

    # Index once at the end (update_index), not page by page while importing.
    quiet = {name: {**conf, "AUTO_UPDATE": False} for name, conf in settings.WAGTAILSEARCH_BACKENDS.items()}
    started = time.monotonic()
    with override_settings(WAGTAILSEARCH_BACKENDS=quiet), open(path, encoding="utf-8") as lines:
        summary = import_lines(lines, path.parent)
    print(f"  imported {summary.created + summary.updated} items in {time.monotonic() - started:.0f} s", flush=True)
    if summary.errors:
        raise SystemExit(f"import failed: {summary.errors[:5]}")
    return True


def update_index(name, config):
    from django.conf import settings
    from django.core.management import call_command
    from django.test import override_settings

    started = time.monotonic()
    with override_settings(WAGTAILSEARCH_BACKENDS={**settings.WAGTAILSEARCH_BACKENDS, name: config}):
        call_command("update_index", backend_name=name, verbosity=0)
    print(f"  update_index {name}: {time.monotonic() - started:.0f} s", flush=True)


class Plain:
    """Wagtail's defaults: no core.chinese terms in what is indexed."""

    def __enter__(self):
        from resources.models.lessons import SharedResourceFields

        self.saved = SharedResourceFields.search_terms, SharedResourceFields.document_terms
        SharedResourceFields.search_terms = lambda page: ""
        SharedResourceFields.document_terms = lambda page: ""

    def __exit__(self, *exc):
        from resources.models.lessons import SharedResourceFields

        SharedResourceFields.search_terms, SharedResourceFields.document_terms = self.saved


def _teacher():
    from django.contrib.auth import get_user_model

    return get_user_model().objects.get(username="teacher1")


def ours(config):
    """A function q → external ids of the first ten results, through search.service."""
    from django.test import override_settings

    from search import service

    user = _teacher()
    backends = {"default": config, "database": {"BACKEND": "wagtail.search.backends.database"}}

    def ask(q):
        with override_settings(WAGTAILSEARCH_BACKENDS=backends):
            answer = service.search(service.SearchRequest.from_params({"q": q}), user)
            assert answer["notice"] is None, answer["notice"]
        return [result["external_id"] for result in answer["results"][:10]]

    return ask


def plain(config):
    """Wagtail's backend asked the query as typed, among the pages the teacher may open."""
    from django.test import override_settings
    from wagtail.models import Page
    from wagtail.search.backends import get_search_backend

    from resources import api
    from resources.models import LessonPackagePage, ResourcePage

    user = _teacher()
    visible = Page.objects.filter(pk__in=api.visible_packages(user).values("pk")) | Page.objects.filter(
        pk__in=api.visible_resources(user).values("pk")
    )

    def ask(q):
        with override_settings(WAGTAILSEARCH_BACKENDS={"default": config}):
            pages = list(get_search_backend("default").search(q, visible)[:10])
        ids = [page.pk for page in pages]
        external = dict(LessonPackagePage.objects.filter(pk__in=ids).values_list("pk", "external_id"))
        external.update(ResourcePage.objects.filter(pk__in=ids).values_list("pk", "external_id"))
        return [external.get(pk) for pk in ids]

    return ask


def measure(ask, queries, records):
    """Per query: nDCG@10, reciprocal rank of the first best answer, drafts returned, seconds."""
    import math

    by_id = {record["id"]: record for record in records}
    rows = []
    for query in queries:
        grades = sorted((corpus.grade(record, query) for record in records), reverse=True)
        ideal = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(grades[:10]))
        started = time.perf_counter()
        found = ask(query["q"])
        seconds = time.perf_counter() - started
        gains = [corpus.grade(by_id[i], query) if i in by_id else 0 for i in found[:10]]
        dcg = sum((2**g - 1) / math.log2(i + 2) for i, g in enumerate(gains))
        first = next((i for i, g in enumerate(gains) if g == 2), None)
        drafts = sum(1 for i in found if i in by_id and not by_id[i]["published"])
        rows.append(
            {"q": query["q"], "kind": query["kind"], "ndcg": dcg / ideal if ideal else 0.0,
             "rr": 1 / (first + 1) if first is not None else 0.0, "drafts": drafts, "seconds": seconds,
             "holdout": query.get("holdout", False)}
        )  # fmt: skip
    return rows


def worker_relevance(flavour, out):
    setup_django()
    from django.conf import settings

    path = WORK / "corpus.jsonl"
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    queries = json.loads(QUERIES.read_text(encoding="utf-8"))
    queries += [{**query, "holdout": True} for query in json.loads(HOLDOUT.read_text(encoding="utf-8"))]
    load_corpus(path, len(records))
    database = {"BACKEND": "wagtail.search.backends.database"}
    results = {}
    if flavour == "sqlite":
        with Plain():
            update_index("database", database)
            results["SQLite database (Wagtail defaults)"] = measure(plain(database), queries, records)
        update_index("database", database)
        results["SQLite database (ours, embedded default)"] = measure(ours(database), queries, records)
    else:
        site = {key: value for key, value in settings.WAGTAILSEARCH_BACKENDS["default"].items() if key != "OPTIONS"}
        engines = {
            "OpenSearch": site,
            "Elasticsearch": {**site,
                              "BACKEND": "search.backends.elasticsearch",
                              "URLS": [os.environ["ELASTICSEARCH_TEST_URL"]],
                              "INDEX_SETTINGS": __import__("search.analysis").analysis.index_settings("cjk")},
        }  # fmt: skip
        prefix = engines["OpenSearch"]["INDEX_PREFIX"]
        defaults = {
            "OpenSearch": {"BACKEND": "modelsearch.backends.opensearch3", "URLS": engines["OpenSearch"]["URLS"],
                           "INDEX_PREFIX": f"{prefix}plain_", "TIMEOUT": 30},
            "Elasticsearch": {"BACKEND": "modelsearch.backends.elasticsearch9",
                              "URLS": engines["Elasticsearch"]["URLS"], "INDEX_PREFIX": f"{prefix}plain_",
                              "TIMEOUT": 30, "INDEX_SETTINGS": ES_INTEG_TEST_DEFAULTS},
        }  # fmt: skip
        with Plain():
            for name, config in defaults.items():
                update_index(f"plain_{name.lower()}", config)
                results[f"{name} (Wagtail defaults)"] = measure(plain(config), queries, records)
            update_index("database", database)
            results["PostgreSQL database (Wagtail defaults)"] = measure(plain(database), queries, records)
        update_index("database", database)
        for name, config in engines.items():
            update_index(name.lower(), config)
            results[f"{name} (ours)"] = measure(ours(config), queries, records)
        results["PostgreSQL database (ours)"] = measure(ours(database), queries, records)
    Path(out).write_text(json.dumps(results, ensure_ascii=False))


# Wagtail's default index settings need analysis-common's ngram filters, which
# the Elasticsearch integ-test distribution lacks: these are the smallest
# changes that let it create the index (what the tests used to do).
ES_INTEG_TEST_DEFAULTS = {
    "settings": {
        "analysis": {
            "analyzer": {"ngram_analyzer": {"filter": ["lowercase"]}, "edgengram_analyzer": {"filter": ["lowercase"]}},
            "tokenizer": {"ngram_tokenizer": {"type": "standard"}, "edgengram_tokenizer": {"type": "standard"}},
            "filter": {
                "ngram": {"type": "stop", "stopwords": "_none_"},
                "edgengram": {"type": "stop", "stopwords": "_none_"},
            },
        }
    }
}


def worker_prepare_latency(out):
    """Import the 10,000 items, index them in OpenSearch, open a session for each client."""
    setup_django()
    from django.conf import settings
    from django.contrib.sessions.backends.db import SessionStore

    path = WORK / "corpus-10k.jsonl"
    count = sum(1 for _ in path.open(encoding="utf-8"))
    if load_corpus(path, count) or os.environ.get("BENCH_REINDEX"):
        update_index("default", settings.WAGTAILSEARCH_BACKENDS["default"])
        update_index("database", {"BACKEND": "wagtail.search.backends.database"})
    user = _teacher()
    sessions = []
    for _ in range(16):
        session = SessionStore()
        session["_auth_user_id"] = str(user.pk)
        session["_auth_user_backend"] = "sso.backends.LocalPasswordBackend"
        session["_auth_user_hash"] = user.get_session_auth_hash()
        session.create()
        sessions.append(session.session_key)
    Path(out).write_text(json.dumps({"items": count, "sessions": sessions}))


def worker(argv):
    mode, out, *rest = argv
    if mode == "relevance":
        worker_relevance(rest[0], out)
    elif mode == "prepare-latency":
        worker_prepare_latency(out)


# --- The parent side


def report_relevance(results):
    configs = list(results)
    print("\nnDCG@10 by query kind (MRR of the first best answer in brackets)\n")
    width = max(len(name) for name in configs) + 2
    header = "".ljust(width) + "".join(kind[:10].rjust(14) for kind in KINDS_ORDER) + "      all   MRR  drafts"
    print(header)
    summary = {}
    for name in configs:
        rows = [row for row in results[name] if not row.get("holdout")]
        line = name.ljust(width)
        for kind in KINDS_ORDER:
            picked = [row for row in rows if row["kind"] == kind]
            ndcg = sum(row["ndcg"] for row in picked) / len(picked)
            mrr = sum(row["rr"] for row in picked) / len(picked)
            line += f"{ndcg:7.2f} ({mrr:.2f})"
        ndcg = sum(row["ndcg"] for row in rows) / len(rows)
        mrr = sum(row["rr"] for row in rows) / len(rows)
        drafts = sum(row["drafts"] for row in rows)
        summary[name] = ndcg
        print(f"{line}   {ndcg:6.3f} {mrr:5.2f} {drafts:7d}")
    count = len([row for row in next(iter(results.values())) if not row.get("holdout")])
    print(f"\n{count} judged queries; gains 3 (best) / 1 (on topic); ideal from the whole corpus")
    print("\nheld-out queries (written after tuning, never tuned on): nDCG@10, MRR")
    for name in configs:
        rows = [row for row in results[name] if row.get("holdout")]
        if rows:
            ndcg = sum(row["ndcg"] for row in rows) / len(rows)
            mrr = sum(row["rr"] for row in rows) / len(rows)
            print(f"{name.ljust(width)}{ndcg:6.3f} {mrr:5.2f}  ({len(rows)} queries)")
    return summary


def weakest(results, name, count=8):
    rows = sorted((row for row in results[name] if not row.get("holdout")), key=lambda row: row["ndcg"])[:count]
    print(f"\nweakest queries, {name}: " + ", ".join(f"{row['q']} {row['ndcg']:.2f}" for row in rows))


def run_relevance(args):
    WORK.mkdir(parents=True, exist_ok=True)
    written = corpus.write(WORK / "corpus.jsonl")
    print(f"corpus: {written} items, {len(json.loads(QUERIES.read_text()))} judged queries")
    results = {}
    path = WORK / "corpus.jsonl"
    if args.only in (None, "sqlite"):
        sqlite = WORK / "relevance.sqlite3"
        if (args.fresh or stale("relevance-sqlite", path)) and sqlite.exists():
            sqlite.unlink()
        env = {"DATABASE_URL": f"sqlite:///{sqlite}", "SEARCH_URL": None, "YOUKE_VAR_DIR": str(WORK / "var")}
        print("SQLite (embedded default)…", flush=True)
        results.update(child("relevance", env, "sqlite"))
        mark("relevance-sqlite", path)
    if args.only in (None, "postgres"):
        url = database_url("youke_bench_relevance")
        ensure_postgres_database(url)
        if args.fresh or stale("relevance-postgres", path):
            _drop_postgres(url)
        env = {"DATABASE_URL": url, "SEARCH_ENGINE": "opensearch", "SEARCH_INDEX_PREFIX": "youke_bench_rel_"}
        print("PostgreSQL, OpenSearch, Elasticsearch…", flush=True)
        results.update(child("relevance", env, "postgres"))
        mark("relevance-postgres", path)
    (WORK / "relevance-results.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    report_relevance(results)
    for name in results:
        if "ours" in name:
            weakest(results, name)


def _drop_postgres(url):
    import psycopg

    parts = urlsplit(url)
    admin = urlunsplit(parts._replace(path="/postgres"))
    name = parts.path.lstrip("/")
    with psycopg.connect(admin, autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def _request_mix(count):
    """`count` /api/search parameter sets: judged queries, some with a facet filter or asking page 2."""
    import random

    queries = [query["q"] for query in json.loads(QUERIES.read_text())]
    rng = random.Random(7)  # noqa: S311 - a repeatable request mix, not a secret
    mix = []
    for _ in range(count):
        params = {"q": rng.choice(queries)}
        roll = rng.random()
        if roll < 0.15:
            params["stage"] = rng.choice(["小学", "初中"])
        elif roll < 0.25:
            params["resource_type"] = rng.choice(["courseware", "teaching_design", "lesson_package"])
        elif roll < 0.30:
            params["page"] = "2"
        mix.append(params)
    return mix


def _serve_and_measure(args, env, sessions, mix, cache_seconds):
    """Start gunicorn with `env`, run the clients, stop it; (sorted timings, errors, wall seconds)."""
    import threading

    import requests

    server_env = {
        **os.environ, **env, "PYTHONPATH": str(ROOT), "DJANGO_SETTINGS_MODULE": "youke.settings.production",
        "SECRET_KEY": "bench-only", "SECURE_COOKIES": "false", "ALLOWED_HOSTS": "127.0.0.1",
        "LOG_LEVEL": "WARNING", "KEYCLOAK_SERVER_URL": "", "SEARCH_CACHE_SECONDS": str(cache_seconds),
    }  # fmt: skip
    command = [sys.executable, "-m", "gunicorn", "youke.wsgi", "--bind", f"127.0.0.1:{args.port}",
               "--workers", str(args.workers), "--threads", "2", "--worker-class", "gthread",
               "--log-level", "warning"]  # fmt: skip
    server = subprocess.Popen(command, env=server_env, cwd=ROOT)
    base = f"http://127.0.0.1:{args.port}"
    timings, errors, lock = [], [], threading.Lock()

    def session_for(number):
        session = requests.Session()
        session.cookies.set("sessionid", sessions[number % len(sessions)])
        return session

    def client(number):
        session = session_for(number)
        for params in mix[number :: args.clients]:
            started = time.perf_counter()
            response = session.get(f"{base}/api/search", params=params, timeout=30)
            elapsed = time.perf_counter() - started
            with lock:
                (timings if response.status_code == 200 else errors).append(elapsed)

    try:
        for _ in range(120):
            try:
                if requests.get(f"{base}/api/search?q=ping", timeout=30).status_code == 200:
                    break
            except requests.RequestException:  # still starting
                time.sleep(0.5)
        # Warm-up, in parallel so every worker opens its connections and loads its caches; other words
        # than the measured ones, so that no answer is cached before the clock starts.
        warm_mix = [{**params, "q": params["q"] + " 热身"} for params in _request_mix(64)]
        warmers = [
            threading.Thread(target=lambda n=n: [session_for(n).get(f"{base}/api/search", params=p, timeout=30)
                                                 for p in warm_mix[n :: args.clients]])
            for n in range(args.clients)
        ]  # fmt: skip
        for thread in warmers:
            thread.start()
        for thread in warmers:
            thread.join()
        started = time.monotonic()
        threads = [threading.Thread(target=client, args=(n,)) for n in range(args.clients)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        wall = time.monotonic() - started
    finally:
        server.terminate()
        server.wait(timeout=30)
    return sorted(timings), errors, wall


def run_latency(args):
    WORK.mkdir(parents=True, exist_ok=True)
    written = corpus.write(WORK / "corpus-10k.jsonl", copies=5, limit=args.items)
    url = database_url("youke_bench_latency")
    ensure_postgres_database(url)
    if args.fresh or stale("latency", WORK / "corpus-10k.jsonl"):
        _drop_postgres(url)
    env = {"DATABASE_URL": url, "SEARCH_ENGINE": "opensearch", "SEARCH_INDEX_PREFIX": "youke_bench_lat_"}
    print(f"preparing {written} items (the first run imports and indexes them: minutes)…", flush=True)
    prepared = child("prepare-latency", env)
    mark("latency", WORK / "corpus-10k.jsonl")
    mix = _request_mix(args.requests)
    print(f"\n/api/search over {prepared['items']} items: OpenSearch, PostgreSQL, gunicorn {args.workers} workers"
          f" x 2 threads; {len(mix)} requests by {args.clients} concurrent signed-in clients")  # fmt: skip
    for label, seconds in (("every answer computed (SEARCH_CACHE_SECONDS=0)", 0), ("answer cache on (60 s)", 60)):
        timings, errors, wall = _serve_and_measure(args, env, prepared["sessions"], mix, seconds)

        def pct(p, timings=timings):
            return timings[min(len(timings) - 1, int(p / 100 * len(timings)))] * 1000

        verdict = "PASS" if pct(95) <= 100 else "FAIL"
        print(f"\n{label}: {len(timings) / wall:.0f} requests/s, {len(errors)} errors, load {os.getloadavg()[0]:.2f}")
        print(f"  p50 {pct(50):.0f} ms   p95 {pct(95):.0f} ms   p99 {pct(99):.0f} ms   max {timings[-1] * 1000:.0f} ms"
              f"   (target p95 <= 100 ms: {verdict})")  # fmt: skip


def main():
    if len(sys.argv) > 1 and sys.argv[1] == "_worker":
        worker(sys.argv[2:])
        return
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("part", choices=["relevance", "latency", "all"])
    parser.add_argument("--only", choices=["sqlite", "postgres"], help="relevance on one database only")
    parser.add_argument("--fresh", action="store_true", help="rebuild the benchmark databases")
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    if args.part in ("relevance", "all"):
        run_relevance(args)
    if args.part in ("latency", "all"):
        run_latency(args)


if __name__ == "__main__":
    main()
