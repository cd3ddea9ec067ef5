"""Editor widgets: the 课 chooser, and the 课堂实录 part's video field.

The video field is media_pipeline's resumable uploader, not a list of videos:
a select of every video would show teachers each other's uploads; the
field is a hidden input the uploader fills with the new video's id.
"""

from django import forms
from django.apps import apps
from django.template.loader import render_to_string
from django.utils.safestring import mark_safe
from wagtail.snippets.widgets import AdminSnippetChooser


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
            fields = ("title", "original_filename", "size", "status", "progress")
            video = Video.objects.filter(pk=value).only(*fields).first()
        context["video"] = video
        return context


class LessonChooser(AdminSnippetChooser):
    """The 课 chooser (resources.lesson_picker), opened narrowed to the 教材/年级/学科 already on the form.

    The page form's fields send their values under the names of the chooser's
    cascade selects, so the modal shows them chosen and the teacher can clear them.
    """

    linked_fields = {"textbook": "#id_textbook", "grade": "#id_grade", "subject": "#id_subject"}

    def __init__(self, model=None, **kwargs):
        # By name: this module is imported while the models are being defined.
        super().__init__(model or apps.get_model("resources", "KnowledgeNode"), **kwargs)

    @property
    def media(self):
        return super().media + forms.Media(js=["js/lesson-picker.js"], css={"all": ["css/lesson-picker.css"]})
