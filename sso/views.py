"""Sign in and out through Keycloak, and hear Keycloak's back-channel logouts.

Every failure talks to people in plain Chinese: Keycloak unreachable is a
503 page saying so, a stale or forged login request a 400 page with a way
to start again; neither is an error page.
"""

import logging
from urllib.parse import urlencode

from django.conf import settings
from django.contrib.auth import REDIRECT_FIELD_NAME, authenticate
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.views import LoginView as DjangoLoginView
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from keycloak.exceptions import KeycloakError
from wagtail.admin.views.account import LoginView as WagtailLoginView

from . import oidc, sessions
from .forms import SiteLoginForm
from .keycloak import TokenError, end_session_url, is_unreachable, issuer, validate_logout_token

logger = logging.getLogger(__name__)

BACKEND = "sso.backends.KeycloakBackend"


def _message(request, title, message, *, status=200, **extra):
    context = {"title": title, "message": message, "login_url": reverse("sso_login"), **extra}
    return render(request, "sso/message.html", context, status=status)


def _unavailable(request, exc, next_url):
    """503: Keycloak is away. Its 登录 link tries again for the same page, so "later" takes one click."""
    logger.error("Keycloak unavailable: %s", exc)
    return _message(
        request,
        _("暂时无法登录"),
        _("统一身份认证服务暂时无法访问，请稍后再试。已经登录的用户可以继续使用。"),
        status=503,
        login_url=f"{reverse('sso_login')}?{urlencode({REDIRECT_FIELD_NAME: next_url})}",
    )


def _conflict(request):
    return _message(
        request,
        _("账号冲突"),
        _("账号冲突，请联系管理员。您的统一身份认证账号与本站一个已有账号同名，为保护该账号，本次登录未完成。"),
        status=403,
    )


def _failed(request, reason):
    logger.warning("Keycloak login not completed: %s", reason)
    return _message(request, _("登录未完成"), _("登录请求已失效或无法验证，请重新登录。"), status=400)


class SiteLoginView(DjangoLoginView):
    """The site's own password form (the embedded default): in the site's frame, back to `next`."""

    template_name = "sso/login.html"
    form_class = SiteLoginForm

    def get_default_redirect_url(self):
        return "/"


@never_cache
@require_http_methods(["GET", "POST"])
def login(request):
    """Start a Keycloak login; without Keycloak, the site's own password form."""
    if not settings.KEYCLOAK:
        return SiteLoginView.as_view()(request)
    if request.method != "GET":
        return HttpResponse(status=405)
    next_url = request.GET.get(REDIRECT_FIELD_NAME, "")
    if request.user.is_authenticated:
        # Sending a signed-in user to Keycloak again would sign them in again
        # and bring them back to a page they may not open: a loop.
        return _message(
            request,
            _("您已登录"),
            _("您已登录为 %(name)s。如需以其他账号访问，请先退出登录。")
            % {"name": request.user.get_full_name() or request.user.get_username()},
            show_logout=True,
            next_url=oidc.safe_next(request, next_url),
        )
    try:
        return HttpResponseRedirect(oidc.begin_login(request, next_url))
    except KeycloakError as exc:
        return _unavailable(request, exc, oidc.safe_next(request, next_url))


@never_cache
@require_GET
def callback(request):
    """Finish a Keycloak login: check state and issuer, trade the code, sign the user in."""
    if not settings.KEYCLOAK:
        raise Http404
    try:
        entry = oidc.take_pending(request, request.GET.get("state", ""))
    except oidc.LoginError as exc:
        return _failed(request, exc)
    if "error" in request.GET:
        return _failed(request, f"Keycloak answered {request.GET['error']}: {request.GET.get('error_description', '')}")
    # RFC 9207: the answer must come from our Keycloak, not another provider.
    if request.GET.get("iss", issuer()) != issuer():
        return _failed(request, f"answer from another issuer {request.GET.get('iss')}")
    code = request.GET.get("code", "")
    if not code:
        return _failed(request, "no authorization code")
    try:
        tokens = oidc.exchange_code(entry, code)
        user = authenticate(request, keycloak_tokens=tokens, nonce=entry["nonce"])
    except KeycloakError as exc:
        if is_unreachable(exc):
            return _unavailable(request, exc, entry["next"])
        return _failed(request, f"code refused by Keycloak: {exc.response_code}")
    if user is None:
        if getattr(request, "sso_account_conflict", False):
            return _conflict(request)
        return _failed(request, "tokens or identity refused (see the warning above)")
    request.session.pop(oidc.PENDING_KEY, None)
    auth_login(request, user, backend=BACKEND)
    sessions.remember(request, tokens, user.sso_claims)
    return HttpResponseRedirect(oidc.safe_next(request, entry["next"]))


@never_cache
@require_http_methods(["GET", "POST"])
def logout(request):
    """Sign out here and end the Keycloak session too (RP-initiated logout with id_token_hint).

    GET asks first: signing out on a GET would let any page sign people out.
    """
    if request.method == "GET":
        if not request.user.is_authenticated:
            return redirect("sso_logged_out")
        return _message(request, _("退出登录"), _("确定要退出优课和统一身份认证吗？"), show_logout=True)
    if not settings.KEYCLOAK:
        auth_logout(request)
        return redirect("sso_logged_out")
    hint = sessions.id_token(request)
    auth_logout(request)
    if not hint:
        return redirect("sso_logged_out")
    back = request.build_absolute_uri(reverse("sso_logged_out"))
    return HttpResponseRedirect(end_session_url(id_token=hint, post_logout_redirect_uri=back))


@never_cache
def logged_out(request):
    return _message(request, _("已退出登录"), _("您已退出优课和统一身份认证。"))


@csrf_exempt
@never_cache
@require_POST
def backchannel_logout(request):
    """Keycloak tells us a session ended: end the site sessions it opened (OIDC Back-Channel Logout)."""
    if not settings.KEYCLOAK:
        raise Http404
    try:
        claims = validate_logout_token(request.POST.get("logout_token", ""))
    except TokenError as exc:
        logger.warning("back-channel logout refused: %s", exc)
        return JsonResponse({"error": "invalid_request"}, status=400)
    except KeycloakError as exc:
        logger.error("back-channel logout: cannot read Keycloak's keys: %s", exc)
        return JsonResponse({"error": "temporarily_unavailable"}, status=503)
    ended = sessions.end_sessions(sid=claims.get("sid", ""), sub=claims.get("sub", ""))
    logger.info("back-channel logout of %s/%s ended %d site session(s)", claims.get("sub"), claims.get("sid"), ended)
    response = HttpResponse(status=200)
    response["Cache-Control"] = "no-store"
    return response


class AdminLoginView(WagtailLoginView):
    """The admin's login page: with Keycloak it hands over to single sign-on.

    `?local=1` keeps the password form, for break-glass superusers while
    Keycloak is down; LocalPasswordBackend refuses everyone else.
    """

    template_name = "sso/admin_login.html"

    def get(self, request, *args, **kwargs):
        signed_in = request.user.is_authenticated and request.user.has_perm("wagtailadmin.access_admin")
        if settings.KEYCLOAK and "local" not in request.GET and not signed_in:
            return redirect_to_login(self.get_redirect_url() or reverse("wagtailadmin_home"), reverse("sso_login"))
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "sso_enabled": bool(settings.KEYCLOAK)}
