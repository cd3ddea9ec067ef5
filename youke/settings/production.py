"""Production: every secret must come from the environment.

Behind the compose nginx, which ends TLS and says so in X-Forwarded-Proto.
SECURE_HSTS_SECONDS (default one year; 0 turns HSTS off, e.g. for a first
deployment) and SECURE_SSL_REDIRECT / SECURE_COOKIES (default on) come from
the environment; Content-Security-Policy is set by
youke.security.ContentSecurityPolicyMiddleware from CONTENT_SECURITY_POLICY.
"""

from django.core.exceptions import ImproperlyConfigured

from core.env import env_bool, env_int, env_str
from youke.security import content_security_policy

from .base import *  # noqa: F403

if not SECRET_KEY:  # noqa: F405
    raise ImproperlyConfigured("SECRET_KEY must be set in production")

DEBUG = False
STORAGES["staticfiles"] = {  # noqa: F405
    # Hashed names so browsers can cache static files for a year.
    "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage",
}

# --- HTTPS behind the proxy
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
# The health check calls gunicorn over plain HTTP inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^sso/backchannel-logout$"]
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", False)
SECURE_HSTS_PRELOAD = False
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", True)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SESSION_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "SAMEORIGIN"


# --- Content-Security-Policy (youke.security.content_security_policy): the
# object store (S3_PUBLIC_ENDPOINT_URL, else S3_ENDPOINT_URL) serves video
# segments, posters and presigned uploads.
CONTENT_SECURITY_POLICY = content_security_policy(S3_PUBLIC_ENDPOINT_URL or env_str("S3_ENDPOINT_URL"))  # noqa: F405
# The admin's avatars: no third-party image host (the policy would block it, and
# schools' networks often cannot reach it).
WAGTAIL_GRAVATAR_PROVIDER_URL = None
MIDDLEWARE = [
    *MIDDLEWARE[:1],  # noqa: F405 - right after SecurityMiddleware
    "youke.security.ContentSecurityPolicyMiddleware",
    *MIDDLEWARE[1:],  # noqa: F405
]
