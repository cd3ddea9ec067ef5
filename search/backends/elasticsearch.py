"""Elasticsearch 9 (client 9) with Chinese analysis: `search.backends.elasticsearch`."""

from elasticsearch import BadRequestError
from modelsearch.backends import elasticsearch9 as upstream

from .base import ChineseBackendMixin, ChineseIndexMixin, ChineseMappingMixin


class Mapping(ChineseMappingMixin, upstream.Elasticsearch9Mapping):
    pass


class Index(ChineseIndexMixin, upstream.Elasticsearch9Index):
    def create(self, settings):
        self.es.options(request_timeout=self.backend.creation_timeout).indices.create(index=self.name, **settings)


class QueryCompiler(upstream.Elasticsearch9SearchQueryCompiler):
    mapping_class = Mapping


class AutocompleteQueryCompiler(upstream.Elasticsearch9AutocompleteQueryCompiler):
    mapping_class = Mapping


class SearchBackend(ChineseBackendMixin, upstream.Elasticsearch9SearchBackend):
    mapping_class = Mapping
    index_class = Index
    query_compiler_class = QueryCompiler
    autocomplete_query_compiler_class = AutocompleteQueryCompiler

    def analyze_ok(self, body):
        try:
            self.es.options(request_timeout=self.creation_timeout).indices.analyze(**body)
        except BadRequestError:
            return False
        return True
