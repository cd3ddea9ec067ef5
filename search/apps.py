import logging
import threading

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

logger = logging.getLogger(__name__)


class SearchConfig(AppConfig):
    name = "search"
    verbose_name = _("资源检索")

    def ready(self):
        from django.db.models.signals import post_delete, post_save
        from wagtail.documents import get_document_model

        from core import chinese
        from resources import indexing
        from resources.models import Edition, Grade, LessonPackagePage, ResourcePage, School, Stage, Subject, Textbook

        from . import cache, document_text, kinds, registry

        # Cached vocabulary and facet labels are stale once any of these change.
        for model in (Stage, Grade, Subject, Edition, School, Textbook):
            post_save.connect(cache.bump, sender=model, dispatch_uid=f"search-vocab-{model.__name__}")
            post_delete.connect(cache.bump, sender=model, dispatch_uid=f"search-vocab-del-{model.__name__}")
        post_save.connect(_document_saved, sender=get_document_model(), dispatch_uid="search-document-text")
        # Cached answers (search.service) are stale once any lesson or resource changes.
        for model in (LessonPackagePage, ResourcePage):
            post_save.connect(cache.library_changed, sender=model, dispatch_uid=f"search-library-{model.__name__}")
            post_delete.connect(cache.library_changed, sender=model, dispatch_uid=f"search-lib-del-{model.__name__}")

        # jieba's dictionary takes a second or two to load: not in a web worker's first search.
        threading.Thread(target=chinese.load_dictionary, name="jieba-dictionary", daemon=True).start()

        indexing.provide_document_terms(document_text.terms_for_page)
        registry.register("school", _("学校"), kinds.find_schools, order=10)
        registry.register("teacher", _("教师"), kinds.find_teachers, order=20)


def _document_saved(instance, raw=False, **kwargs):
    """Extract the text of a new or replaced file after the upload commits, in the background."""
    if raw:
        return
    from django.db import transaction

    def enqueue():
        from .tasks import extract_document_text

        try:
            extract_document_text.delay(instance.pk)
        except Exception:  # broker down: the retry beat job extracts it later
            logger.warning("could not queue text extraction of document %s", instance.pk, exc_info=True)

    transaction.on_commit(enqueue)
