"""Local development and the embedded default (`make run`).

No debug pages unless asked for: DEBUG=1 (and scripts/run.sh then binds to
127.0.0.1 only). The secret key is made at random on the first start and
kept in the data folder (VAR_DIR/secret_key, mode 0600); SECRET_KEY in the
environment still wins.
"""

from core.env import env_bool, env_str
from youke.security import local_secret_key

from .base import *  # noqa: F403

DEBUG = env_bool("DEBUG", False)
SECRET_KEY = env_str("SECRET_KEY") or local_secret_key(VAR_DIR)  # noqa: F405
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
if env_bool("STATIC_COLLECTED", False):
    # scripts/run.sh collects the static files first: hashed names cached for a
    # year and gzip/brotli copies made once, as in production, so the embedded
    # default is as light on a slow line as the real deployment.
    STORAGES["staticfiles"] = {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}  # noqa: F405
else:
    # Static files straight from the apps' folders, without collectstatic, DEBUG or not.
    WHITENOISE_USE_FINDERS = True
    WHITENOISE_AUTOREFRESH = True
