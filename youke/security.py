"""Security pieces of the site that Django 5.2 does not provide.

- `public_media`: serves, on local storage, only the public parts of
  MEDIA_ROOT (image files). Documents, videos and training files have
  views of their own that check who is asking; a path is normalised and
  checked before its prefix is, so `//documents/` or `./videos/` cannot slip
  past.
- `local_secret_key`: the embedded default's SECRET_KEY, made once at
  random and kept in its data folder.
- `ContentSecurityPolicyMiddleware`: the Content-Security-Policy header
  from settings.CONTENT_SECURITY_POLICY (Django has it built in from 6.0).
"""

import os
import posixpath
import secrets
from pathlib import Path
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404
from django.views.static import serve

# Folders of MEDIA_ROOT anyone may read: Wagtail's original images and their renditions.
PUBLIC_MEDIA_PREFIXES = ("images/", "original_images/")


def clean_media_path(path):
    """`path` if it is a plain relative path under a public prefix, else None.

    Refused: empty, `.` or `..` segments (so `//`), absolute paths,
    backslashes, NUL and percent signs (an encoded variant decoded once
    more somewhere), and anything outside PUBLIC_MEDIA_PREFIXES.
    """
    if not path or any(char in path for char in ("\\", "\x00", "%")) or path.startswith("/"):
        return None
    if any(segment in ("", ".", "..") for segment in path.split("/")):
        return None
    if posixpath.normpath(path) != path:
        return None
    if not path.startswith(PUBLIC_MEDIA_PREFIXES):
        return None
    return path


def public_media(request, path):
    clean = clean_media_path(path)
    if clean is None:
        raise Http404
    return serve(request, clean, document_root=settings.MEDIA_ROOT)


def local_secret_key(var_dir):
    """A random key kept in `var_dir`/secret_key (mode 0600), made at the first start."""
    path = Path(var_dir) / "secret_key"
    try:
        key = path.read_text().strip()
    except FileNotFoundError:
        key = ""
    if key:
        return key
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        # Another process (the worker beside the site) made it first: use theirs.
        return path.read_text().strip() or key
    with os.fdopen(fd, "w") as handle:
        handle.write(key + "\n")
    return key


def content_security_policy(s3_url=""):
    """The production policy: the site itself, plus the object store at `s3_url` for media and uploads.

    Wagtail's admin needs inline styles and a few inline scripts; the player
    plays through Media Source Extensions, from blob: URLs.
    """
    parts = urlsplit(s3_url or "")
    s3 = [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []
    return {
        "default-src": ["'self'"],
        "script-src": ["'self'", "'unsafe-inline'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:", "blob:", *s3],
        "font-src": ["'self'", "data:"],
        "media-src": ["'self'", "blob:", *s3],
        "connect-src": ["'self'", *s3],
        "worker-src": ["'self'", "blob:"],
        "frame-src": ["'self'"],
        "frame-ancestors": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
    }


class ContentSecurityPolicyMiddleware:
    """Sets Content-Security-Policy from settings.CONTENT_SECURITY_POLICY ({directive: [sources]})."""

    def __init__(self, get_response):
        self.get_response = get_response
        policy = getattr(settings, "CONTENT_SECURITY_POLICY", None) or {}
        self.header = "; ".join(
            " ".join([directive, *sources]) for directive, sources in policy.items() if sources is not None
        )

    def __call__(self, request):
        response = self.get_response(request)
        if self.header and "Content-Security-Policy" not in response:
            response["Content-Security-Policy"] = self.header
        return response
