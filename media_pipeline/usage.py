"""Which lessons use a video: answered by the apps that show videos, not by the pipeline.

The district's 视频转码 list names each upload; to fix a failed one an
administrator needs the lesson it belongs to. media_pipeline knows no
lessons, so the apps that attach videos register a resolver here in their
AppConfig.ready(): `register(resolver)`, where `resolver(video)` returns
(title, URL) pairs of the places that use it.
"""

_resolvers = []


def register(resolver):
    if resolver not in _resolvers:
        _resolvers.append(resolver)
    return resolver


def users_of(video):
    """(title, URL) of every lesson that uses `video`, from every registered resolver."""
    return [link for resolver in _resolvers for link in resolver(video)]
