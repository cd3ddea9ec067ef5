"""Editor widgets: the 课 chooser (the video field's uploader is media_pipeline.widgets)."""

from django import forms
from django.apps import apps
from wagtail.snippets.widgets import AdminSnippetChooser


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
