from . import admin_views  # noqa: F401 - registers the 视频转码 viewset
