"""Keep Keycloak sessions fresh: refresh the access token when it expires."""

from django.conf import settings

from . import sessions


class TokenRefreshMiddleware:
    """After AuthenticationMiddleware. Costs nothing for anonymous visitors and local logins,
    one bounded call to Keycloak every few minutes for a signed-in user."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if settings.KEYCLOAK:
            sessions.refresh_if_needed(request)
        return self.get_response(request)
