"""What our engine backends add to modelsearch's.

1. Chinese analysis: when an index is created, the analysis in
   INDEX_SETTINGS is fitted to what the engine has (search.analysis), and
   the pre-split `search_terms` fields are mapped to the whitespace analyzer.
2. No silent gaps: an object the engine could not index or delete (engine
   down while a page is published) is recorded in search.IndexFailure and
   retried by the `search.retry_index_updates` beat task (search.retry).
"""

import logging

from .. import analysis
from . import _failures

logger = logging.getLogger(__name__)

# Fields whose text core.chinese has already split into terms.
TERM_FIELDS = {"search_terms", "document_terms"}
# Creating an index waits until the cluster has placed it on its nodes: seconds
# on a busy cluster of several, more than a web search's TIMEOUT (5 s) allows.
# update_index (run.sh, deployments) would fail there; searches keep theirs.
INDEX_CREATION_SECONDS = 60


class ChineseMappingMixin:
    def get_field_mapping(self, field):
        name, mapping = super().get_field_mapping(field)
        if field.field_name in TERM_FIELDS and mapping.get("type") == "text":
            mapping["analyzer"] = analysis.TERMS_ANALYZER
        return name, mapping


class ChineseIndexMixin:
    """Creates the index with the best Chinese analysis the engine supports."""

    def put(self):
        wanted = analysis.chinese_in(self.backend.settings)
        settings, chosen = analysis.fit(self.backend.settings, self.backend.supports)
        if chosen != wanted:
            logger.warning("search engine lacks %s analysis; index %s uses %s instead", wanted, self.name, chosen)
        self.create(settings)

    def create(self, settings):
        raise NotImplementedError


class ChineseBackendMixin:
    """Probes the engine once per backend instance; records failed index updates."""

    @property
    def creation_timeout(self):
        """Seconds for the probes and the creation of an index (never less than the backend's TIMEOUT)."""
        return max(INDEX_CREATION_SECONDS, self.timeout)

    def supports(self, name):
        """Whether the engine can run the probe `name` of search.analysis.PROBES."""
        cache = self.__dict__.setdefault("_probes", {})
        if name not in cache:
            cache[name] = self.analyze_ok(analysis.PROBES[name])
        return cache[name]

    def analyze_ok(self, body):
        raise NotImplementedError

    def add(self, obj):
        try:
            super().add(obj)
        except Exception:
            _failures.record(obj, "index")
            raise
        else:
            _failures.clear(obj)

    def add_bulk(self, model, obj_list):
        try:
            super().add_bulk(model, obj_list)
        except Exception:
            for obj in obj_list:
                _failures.record(obj, "index")
            raise

    def delete(self, obj):
        try:
            super().delete(obj)
        except Exception:
            _failures.record(obj, "delete")
            raise
        else:
            _failures.clear(obj)
