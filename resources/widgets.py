"""The 课堂实录 part's video field: media_pipeline's resumable uploader instead of a list of videos.

A select of every video would show teachers each other's uploads; the
field is a hidden input the uploader fills with the new video's id.
"""

from django import forms
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe


class VideoUploadInput(forms.HiddenInput):
    # Rendered with the site's template engine: the form renderer's own engine
    # does not see the project's templates, where the uploader widget lives.
    template_name = "resources/widgets/video_upload.html"

    def render(self, name, value, attrs=None, renderer=None):
        return mark_safe(render_to_string(self.template_name, self.get_context(name, value, attrs)))  # noqa: S308

    def get_context(self, name, value, attrs):
        from media_pipeline.models import Video

        context = super().get_context(name, value, attrs)
        video = None
        if value:
            video = Video.objects.filter(pk=value).only("title", "original_filename", "status", "progress").first()
        context["video"] = video
        return context
