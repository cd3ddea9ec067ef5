"""What every admin user sees around the editing screens: no links to Wagtail's English guides.

Wagtail's help menu and dashboard point to guide.wagtail.org, which is in
English and not reachable from the district's closed network. The dashboard's
account panel drops its link in templates/wagtailadmin/home/account_summary.html.
"""

from wagtail import hooks

# DismissibleMenuItem names in wagtail/admin/wagtail_hooks.py; "whats-new-in-wagtail-8.0" and so on.
EXTERNAL_HELP = ("editor-guide", "whats-new-in-wagtail-")


@hooks.register("construct_help_menu")
def drop_external_guides(request, menu_items):
    menu_items[:] = [item for item in menu_items if not item.name.startswith(EXTERNAL_HELP)]
