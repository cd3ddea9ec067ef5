"""The top of the page tree: the home page, and the default site pointing at it.

The library and training put their index pages under whatever page the
default site starts from (resources.provision.section_parent), so they
need not know this app; this app, the site's front, knows them.
"""

from django.conf import settings
from wagtail.coreutils import get_supported_content_language_variant
from wagtail.models import Locale, Page, Site

from .models import HomePage

HOME_INTRO = "汇聚全区一师一优课课例、课件、教案与习题，城乡共享，低带宽也能流畅观看。"


def ensure_home_page():
    """Replace Wagtail's welcome page with the Youke home page, once."""
    home = HomePage.objects.first()
    if home is None:
        root = _root_page()
        for welcome in root.get_children().exact_type(Page):
            welcome.delete()
        home = root.add_child(instance=HomePage(title="优课 · 一师一优课资源平台", slug="home", intro=HOME_INTRO))
    else:
        home.intro = HOME_INTRO
        home.save_revision().publish()
    Site.objects.update_or_create(
        is_default_site=True,
        defaults={"hostname": "localhost", "port": 80, "root_page": home, "site_name": "优课"},
    )
    return home


def _root_page():
    """The tree's root; Wagtail's migration makes it, but a flushed database has none."""
    root = Page.get_first_root_node()
    if root is None:
        language = get_supported_content_language_variant(settings.LANGUAGE_CODE)
        locale, _ = Locale.objects.get_or_create(language_code=language)
        root = Page.add_root(instance=Page(title="Root", slug="root", locale=locale))
    return root
