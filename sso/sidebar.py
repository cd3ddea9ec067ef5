"""The admin sidebar's account name, written the way people here write it: 王芳, not 芳.

Wagtail's MainMenuModule shows `user.first_name`, which for a Chinese name is
the given name alone. There is no hook for it, so the project registers its
own telepath adapter for that class (the registry keeps the last one per
class): the same arguments, with the full name from sso.names.
"""

from wagtail.admin.telepath import register
from wagtail.admin.ui.sidebar import BaseSidebarAdapter, MainMenuModule


class FullNameMainMenuAdapter(BaseSidebarAdapter):
    js_constructor = "wagtail.sidebar.MainMenuModule"

    def js_args(self, obj):
        args = obj.js_args()
        full_name = obj.user.get_full_name() if hasattr(obj.user, "get_full_name") else ""
        if full_name:
            args[2]["name"] = full_name
        return args


def install():
    register(FullNameMainMenuAdapter(), MainMenuModule)
