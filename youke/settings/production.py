"""Production: every secret must come from the environment.

Behind the compose nginx, which ends TLS and says so in X-Forwarded-Proto.
SECURE_HSTS_SECONDS (default one year; 0 turns HSTS off, e.g. for a first
deployment) and SECURE_SSL_REDIRECT / SECURE_COOKIES (default on) come from
the environment; Content-Security-Policy is set by
youke.security.ContentSecurityPolicyMiddleware from CONTENT_SECURITY_POLICY.
"""

from urllib.parse import urlsplit

from django.core.exceptions import ImproperlyConfigured

from .base import *  # noqa: F403
from .env import env_bool, env_int, env_str

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


def _origin(url):
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


# --- Content-Security-Policy. The object store (S3_PUBLIC_ENDPOINT_URL, else
# S3_ENDPOINT_URL) serves video segments, posters and presigned uploads.
# Wagtail's admin needs inline styles and a few inline scripts.
_S3 = [origin for origin in {_origin(S3_PUBLIC_ENDPOINT_URL) or _origin(env_str("S3_ENDPOINT_URL"))} if origin]  # noqa: F405
CONTENT_SECURITY_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'", "'unsafe-inline'"],
    "style-src": ["'self'", "'unsafe-inline'"],
    "img-src": ["'self'", "data:", "blob:", *_S3],
    "font-src": ["'self'", "data:"],
    "media-src": ["'self'", "blob:", *_S3],
    "connect-src": ["'self'", *_S3],
    # hls.js may run its demuxer in a worker made from a blob.
    "worker-src": ["'self'", "blob:"],
    "frame-src": ["'self'"],
    "frame-ancestors": ["'self'"],
    "object-src": ["'none'"],
    "base-uri": ["'self'"],
}
MIDDLEWARE = [  # noqa: F405
    *MIDDLEWARE[:1],  # noqa: F405 - right after SecurityMiddleware
    "youke.security.ContentSecurityPolicyMiddleware",
    *MIDDLEWARE[1:],  # noqa: F405
]
