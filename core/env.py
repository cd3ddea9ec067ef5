"""Small readers for settings that come from the environment.

Every endpoint and secret of the platform is an environment variable; these
helpers keep the parsing (booleans, lists, empty strings) in one place.
"""

import os


def env_str(name, default=""):
    value = os.environ.get(name)
    return default if value is None or value.strip() == "" else value.strip()


def env_bool(name, default=False):
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name, default):
    value = env_str(name)
    return int(value) if value else default


def env_list(name, default=()):
    value = env_str(name)
    if not value:
        return list(default)
    return [item.strip() for item in value.split(",") if item.strip()]
