"""The whole demo site for the embedded default (`manage.py load_demo`): people, then the home page.

Idempotent, like the loaders it calls (resources.demo for the schools and
accounts, and its `load_library` for the curriculum and lessons).
"""

from django.db import transaction

from resources import demo as library_demo

from .provision import ensure_home_page


@transaction.atomic
def load():
    """Demo schools, role groups and users, and the home page; the summary says what is there."""
    summary = library_demo.load()
    summary["home"] = ensure_home_page().url_path
    return summary
