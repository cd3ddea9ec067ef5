"""Local development and the embedded default (`make run`)."""

from .base import *  # noqa: F403
from .env import env_str

DEBUG = True
# Not a secret: this key only ever signs sessions of a local demo site.
SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-do-not-use-in-production")
ALLOWED_HOSTS = ["*"]
EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
