from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from wagtail import urls as wagtail_urls
from wagtail.admin import urls as wagtailadmin_urls
from wagtail.documents import urls as wagtaildocs_urls

from home import views as home_views
from search import views as search_views
from sso import views as sso_views

from . import health

urlpatterns = [
    path("healthz", health.healthz, name="healthz"),
    path("favicon.ico", home_views.favicon, name="favicon"),
    path("sso/", include("sso.urls")),
    # Before the admins' own: with Keycloak their login hands over to single
    # sign-on and their logout ends the Keycloak session too.
    path("admin/login/", sso_views.AdminLoginView.as_view()),
    path("admin/logout/", sso_views.logout),
    path("django-admin/logout/", sso_views.logout),
    path("django-admin/", admin.site.urls),
    path("admin/", include(wagtailadmin_urls)),
    path("documents/", include(wagtaildocs_urls)),
    path("search/", include("search.urls")),
    path("api/search", search_views.api_search, name="api_search"),
    path("api/search/autocomplete", search_views.api_autocomplete, name="api_autocomplete"),
    path("curriculum/", include("resources.urls")),
    path("training/", include("training.urls")),
    path("supervision/", include("supervision.urls")),
    path("media-pipeline/uploads/", include("media_pipeline.uploads.urls")),
    path("media-pipeline/", include("media_pipeline.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

if settings.STORAGES["default"]["BACKEND"] == "django.core.files.storage.FileSystemStorage":
    from django.urls import re_path

    from .security import public_media

    # Local media of the embedded default: only the public folders (images),
    # after the path is normalised (youke.security). Documents are served
    # through Wagtail's view so that its permission hook runs, videos through
    # media_pipeline's authorising views and signed URLs, training
    # assignments through training's own views; any other path is a 404.
    urlpatterns += [re_path(r"^media/(?P<path>.*)$", public_media)]

# Wagtail serves every other path from the page tree; it must come last.
urlpatterns += [path("", include(wagtail_urls))]

# A database that cannot be reached answers 503 「数据库暂时无法访问」, other errors 500.html.
handler500 = "youke.errors.server_error"
