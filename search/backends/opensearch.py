"""OpenSearch 2/3 (opensearch-py 3) with Chinese analysis: `search.backends.opensearch`."""

from modelsearch.backends import opensearch3 as upstream
from opensearchpy.exceptions import RequestError

from .base import ChineseBackendMixin, ChineseIndexMixin, ChineseMappingMixin


class Mapping(ChineseMappingMixin, upstream.OpenSearch3Mapping):
    pass


class Index(ChineseIndexMixin, upstream.OpenSearch3Index):
    def create(self, settings):
        self.es.indices.create(index=self.name, body=settings, request_timeout=self.backend.creation_timeout)


class QueryCompiler(upstream.OpenSearch3SearchQueryCompiler):
    mapping_class = Mapping


class AutocompleteQueryCompiler(upstream.OpenSearch3AutocompleteQueryCompiler):
    mapping_class = Mapping


class SearchBackend(ChineseBackendMixin, upstream.OpenSearch3SearchBackend):
    mapping_class = Mapping
    index_class = Index
    query_compiler_class = QueryCompiler
    autocomplete_query_compiler_class = AutocompleteQueryCompiler

    def analyze_ok(self, body):
        try:
            self.es.indices.analyze(body=body, request_timeout=self.creation_timeout)
        except RequestError:
            return False
        return True
