from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from sso.roles import is_district_admin

from . import downloads
from .admin_views import BundlePageView


class BundleMenuItem(MenuItem):
    def is_shown(self, request):
        return is_district_admin(request.user)


@hooks.register("register_admin_urls")
def bundle_admin_urls():
    return [
        path("offline-bundles/", BundlePageView.as_view(), name="bundles_admin"),
        path("offline-bundles/<str:bundle_id>/manifest.json", downloads.manifest, name="bundles_manifest"),
        path("offline-bundles/<str:bundle_id>.zip", downloads.download, name="bundles_download"),
    ]


@hooks.register("register_admin_menu_item")
def bundle_menu_item():
    return BundleMenuItem(_("离线资源包"), reverse("bundles_admin"), icon_name="download", order=720)
