from django.apps import AppConfig
from django.db.models.signals import post_save
from django.utils.translation import gettext_lazy as _


class MediaPipelineConfig(AppConfig):
    name = "media_pipeline"
    verbose_name = _("音视频处理")

    def ready(self):
        from wagtail.documents import get_document_model

        from .video_documents import on_document_saved

        post_save.connect(on_document_saved, sender=get_document_model(), dispatch_uid="media_pipeline.document")
