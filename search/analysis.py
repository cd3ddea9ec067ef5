"""Chinese text analysis for OpenSearch and Elasticsearch indexes.

Plain settings data, no Django: `youke/settings/services.py` puts the
preferred analysis into the backend's INDEX_SETTINGS, and the backend
(search.backends) checks, when it creates an index, that the engine has
what the analysis needs, stepping down the chain if it has not:

- ``smartcn``: the analysis-smartcn plugin segments text into words
  (our OpenSearch and docker image have it);
- ``cjk``: analysis-common's ``cjk_bigram`` filter, overlapping character
  pairs, the usual choice on an engine without a Chinese plugin;
- ``bigram``: the same pairs from the core ``shingle`` filter, for builds
  with neither (the Elasticsearch integ-test distribution that Maven Central
  serves has no analysis-common module).

The index-wide ``default`` analyzer is the Chinese one, so every text field
(title, description, the _all_text catch-all) gets it without a per-field
mapping. The ``search_terms`` field (core.chinese: jieba words, bigrams,
pinyin) is already split and is mapped to the built-in whitespace analyzer
by search.backends, so the engine keeps those terms as they are.
"""

from copy import deepcopy

CHAIN = ("smartcn", "cjk", "bigram")
TERMS_ANALYZER = "whitespace"  # built into every engine build, no module needed

CHINESE_ANALYZERS = {
    "smartcn": {
        "analyzer": {
            # Not the plugin's own "smartcn" analyzer: its Porter stemmer would
            # turn pinyin like "xiaoxue" into "xiaoxu".
            "default": {"type": "custom", "tokenizer": "smartcn_tokenizer", "filter": ["lowercase"]},
        },
    },
    "cjk": {
        "analyzer": {
            "default": {
                "type": "custom",
                "tokenizer": "standard",
                "filter": ["cjk_width", "lowercase", "cjk_bigram"],
            },
        },
    },
    "bigram": {
        "analyzer": {
            # The standard tokenizer emits one token per Han character; pairs
            # of neighbours are the bigrams. Single characters are kept at index
            # time so that a one-character query still finds something.
            "default": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "youke_pairs"]},
            "default_search": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase", "youke_pairs_only"]},
        },
        "filter": {
            "youke_pairs": {"type": "shingle", "min_shingle_size": 2, "max_shingle_size": 2, "token_separator": ""},
            "youke_pairs_only": {
                "type": "shingle",
                "min_shingle_size": 2,
                "max_shingle_size": 2,
                "token_separator": "",
                "output_unigrams": False,
                "output_unigrams_if_no_shingles": True,
            },
        },
    },
}

# What each analysis needs from the engine, as an _analyze request body.
PROBES = {
    "smartcn": {"tokenizer": "smartcn_tokenizer", "text": "分数"},
    "cjk": {"tokenizer": "standard", "filter": ["cjk_bigram"], "text": "分数"},
    "bigram": {"tokenizer": "standard", "filter": [{"type": "shingle"}], "text": "分数"},
    "ngram": {"tokenizer": "standard", "filter": [{"type": "edge_ngram", "min_gram": 1, "max_gram": 2}], "text": "ab"},
}

# Wagtail's default settings use analysis-common's ngram filters for its
# autocomplete fields (we autocomplete from the database instead, see
# search.autocomplete). Without that module they become plain analyzers.
WITHOUT_NGRAM = {
    "analyzer": {
        "ngram_analyzer": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
        "edgengram_analyzer": {"type": "custom", "tokenizer": "standard", "filter": ["lowercase"]},
    },
    "tokenizer": {"ngram_tokenizer": {"type": "standard"}, "edgengram_tokenizer": {"type": "standard"}},
    "filter": {"ngram": {"type": "stop", "stopwords": "_none_"}, "edgengram": {"type": "stop", "stopwords": "_none_"}},
}


def index_settings(chinese="smartcn"):
    """INDEX_SETTINGS for a backend: the Chinese analysis `chinese` (one of CHAIN)."""
    if chinese not in CHAIN:
        raise ValueError(f"SEARCH_CHINESE_ANALYSIS must be one of {', '.join(CHAIN)}, not {chinese!r}")
    return {"settings": {"analysis": deepcopy(CHINESE_ANALYZERS[chinese])}}


def chinese_in(settings):
    """Which analysis of CHAIN these index settings use (None: no Chinese analysis)."""
    default = settings.get("settings", {}).get("analysis", {}).get("analyzer", {}).get("default")
    for name in CHAIN:
        if CHINESE_ANALYZERS[name]["analyzer"]["default"] == default:
            return name
    return None


def fit(settings, supports):
    """`settings` changed to use only what the engine has; `supports(name)` runs a probe.

    Returns (settings, chosen analysis name). The analysis steps down CHAIN
    until one is supported; the last one needs only core filters.
    """
    settings = deepcopy(settings)
    analysis = settings.setdefault("settings", {}).setdefault("analysis", {})
    chosen = chinese_in(settings)
    if chosen:
        for name in CHAIN[CHAIN.index(chosen) :]:
            if name == CHAIN[-1] or supports(name):
                break
        if name != chosen:
            for key in ("analyzer", "filter"):
                for entry in CHINESE_ANALYZERS[chosen].get(key, {}):
                    analysis.get(key, {}).pop(entry, None)
            for key, entries in CHINESE_ANALYZERS[name].items():
                analysis.setdefault(key, {}).update(deepcopy(entries))
            chosen = name
    if not supports("ngram"):
        for key, entries in WITHOUT_NGRAM.items():
            analysis.setdefault(key, {}).update(deepcopy(entries))
    return settings, chosen
