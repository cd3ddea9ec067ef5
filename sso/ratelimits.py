"""Request limits (django-ratelimit) and the login lockout's hooks (django-axes).

Limits live in one setting, YOUKE_RATE_LIMITS ({"search": "60/m", ...}), read
at request time so an override (or a test's settings fixture) takes effect
without a restart. Counters are kept in RATELIMIT_USE_CACHE: Redis in
production, the per-process memory cache on the embedded default and in tests.
"""

import functools

from django.conf import settings
from django.http import JsonResponse
from django.shortcuts import render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django_ratelimit.decorators import ratelimit
from django_ratelimit.exceptions import Ratelimited

JSON_ATTR = "youke_ratelimit_json"


def rate_for(group, request):
    """The limit of `group` as YOUKE_RATE_LIMITS says now; None (no limit) if it is empty."""
    return settings.YOUKE_RATE_LIMITS.get(group) or None


def limit(group, *, key="user_or_ip", json=False):
    """Limit a view under `group`: per signed-in user, else per client IP (`key`).

    Over the limit the view is not run; RATELIMIT_VIEW (`ratelimited`)
    answers 429, as JSON when `json` is set.
    """

    def decorate(view):
        limited = ratelimit(group=group, key=key, rate=rate_for, block=True)(view)

        @functools.wraps(view)
        def wrapper(request, *args, **kwargs):
            setattr(request, JSON_ATTR, json)
            try:
                return limited(request, *args, **kwargs)
            except Ratelimited as exc:
                # Answered here, not only by RatelimitMiddleware: Wagtail's admin turns
                # PermissionDenied (which Ratelimited is) into a redirect before it.
                return import_string(settings.RATELIMIT_VIEW)(request, exc)

        return wrapper

    return decorate


def ratelimited(request, exception=None):
    """RATELIMIT_VIEW: 429 in Chinese, JSON for the API endpoints, a small page otherwise."""
    message = _("操作过于频繁，请稍后再试。")
    if getattr(request, JSON_ATTR, False) or request.path.startswith("/api/"):
        return JsonResponse({"error": message}, status=429, json_dumps_params={"ensure_ascii": False})
    return render(request, "429.html", {"message": message}, status=429)


def lockout_exempt(request, credentials):
    """AXES_WHITELIST_CALLABLE: Keycloak logins are not password attempts.

    They carry tokens, no username; Keycloak runs its own brute-force
    detection. Counting them would pile every failed callback of a school
    behind one NAT onto a single (no username, IP) record and lock them all.
    """
    return "keycloak_tokens" in (credentials or {})


def lockout_response(request, original_response=None, credentials=None):
    """AXES_LOCKOUT_CALLABLE: the Chinese lockout page (429), with how long the lock lasts."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60) if settings.AXES_COOLOFF_TIME else None
    context = {"failure_limit": settings.AXES_FAILURE_LIMIT, "cooloff_minutes": minutes}
    return render(request, "axes/lockout.html", context, status=settings.AXES_HTTP_RESPONSE_CODE)
