"""The video field of an editor form: media_pipeline's resumable uploader, not a list of videos.

A select of every video would show teachers each other's uploads; the field
is a hidden input the uploader fills with the new video's id. Used by the
lesson package's 课堂实录 part and by training's video lessons.
"""

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from .models import Video


class VideoUploadInput(forms.HiddenInput):
    # Rendered with the site's template engine: the form renderer's own engine
    # does not see the project's templates, where the uploader widget lives.
    template_name = "media_pipeline/widgets/video_upload.html"

    def render(self, name, value, attrs=None, renderer=None):
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))  # noqa: S308

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        video = None
        if value:
            fields = ("title", "original_filename", "size", "status", "progress")
            video = Video.objects.filter(pk=value).only(*fields).first()
        context["video"] = video
        return context
