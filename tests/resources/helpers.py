"""Small builders shared by the lesson-library tests."""

from django.core.files.base import ContentFile
from wagtail.documents import get_document_model

from resources.models import KnowledgeNode, LessonIndexPage, LessonPackagePage, PackagePart, School

# Smallest files whose first bytes are what their extension claims.
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PPTX = b"PK\x03\x04" + b"\x00" * 60
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + b"\x00" * 40


def document(name, content, user=None):
    Document = get_document_model()
    doc = Document(title=name, uploaded_by_user=user)
    doc.file.save(name, ContentFile(content), save=False)
    doc._set_document_file_metadata()
    doc.save()
    return doc


def package(title, *, owner=None, school_code="CGYX", lesson="几分之一", live=True, parts=True, **fields):
    """A lesson package page under the library, published unless live=False."""
    index = LessonIndexPage.objects.get()
    page = LessonPackagePage(
        title=title,
        owner=owner,
        school=School.objects.get(code=school_code),
        knowledge_node=KnowledgeNode.objects.get(title=lesson),
        **fields,
    )
    if parts:
        for kind, name, content in (
            ("teaching_design", "design.pdf", PDF),
            ("courseware", "slides.pptx", PPTX),
            ("video", "lesson.mp4", MP4),
            ("exercise", "exercise.pdf", PDF),
        ):
            page.parts.add(PackagePart(kind=kind, document=document(f"{title}-{name}", content + title.encode())))
    page.live = False
    index.add_child(instance=page)
    revision = page.save_revision(user=owner)
    if live:
        revision.publish()
    return LessonPackagePage.objects.get(pk=page.pk)
