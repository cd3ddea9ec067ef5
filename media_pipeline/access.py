"""Who may watch a video: decided by whatever uses it, not by the pipeline.

A video has no audience of its own; a lesson package, a resource or a
training lesson that shows it does. Those apps register a rule here in their
AppConfig.ready(): `register(rule)`, where `rule(user, video) -> bool`. A
video is watchable when its uploader or any rule allows it.
"""

_rules = []


def register(rule):
    if rule not in _rules:
        _rules.append(rule)
    return rule


def can_watch(user, video):
    if user.is_authenticated and (user.is_superuser or (video.owner_id and video.owner_id == user.pk)):
        return True
    return any(rule(user, video) for rule in _rules)


def can_manage(user, video):
    """Re-transcode, see errors in full: the uploader and staff with the change permission."""
    if not user.is_authenticated:
        return False
    return user.is_superuser or video.owner_id == user.pk or user.has_perm("media_pipeline.change_video")
