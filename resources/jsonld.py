"""schema.org/LRMI metadata of a resource, so provincial and national platforms can harvest it.

`LearningResource` with `educationalAlignment` (one AlignmentObject per
curriculum level) plus the Dublin Core names as `dc:` properties.
"""

import json

from .models import LessonPackagePage

ALIGNMENT_LEVELS = (
    ("stage", "educationalLevel"),
    ("grade", "educationalLevel"),
    ("subject", "educationalSubject"),
    ("edition", "textbookEdition"),
)


def _alignment(name, target, framework="义务教育课程方案（2022年版）"):
    return {
        "@type": "AlignmentObject",
        "alignmentType": name,
        "educationalFramework": framework,
        "targetName": str(target),
    }


def learning_resource(page, url):
    """The JSON-LD dict of a lesson package or resource page."""
    is_package = isinstance(page, LessonPackagePage)
    resource_type = "一师一优课课例" if is_package else page.get_resource_type_display()
    alignments = [_alignment(kind, getattr(page, level)) for level, kind in ALIGNMENT_LEVELS if getattr(page, level)]
    if page.textbook_id:
        alignments.append(_alignment("textbook", page.textbook))
    if page.knowledge_node_id:
        alignments.append(_alignment("teaches", page.knowledge_node.title))
    published = page.first_published_at.date().isoformat() if page.first_published_at else None
    data = {
        "@context": {"@vocab": "https://schema.org/", "dc": "http://purl.org/dc/elements/1.1/"},
        "@type": "LearningResource",
        "@id": url,
        "url": url,
        "name": page.title,
        "description": page.description,
        "inLanguage": "zh-CN",
        "learningResourceType": resource_type,
        "educationalLevel": str(page.grade or page.stage or ""),
        "educationalAlignment": alignments,
        "author": {"@type": "Person", "name": page.teacher_name} if page.teacher_name else None,
        "sourceOrganization": {"@type": "EducationalOrganization", "name": page.school.name}
        if page.school_id
        else None,
        "datePublished": published,
        "keywords": [tag.name for tag in page.tags.all()],
        "dc:title": page.title,
        "dc:creator": page.teacher_name,
        "dc:subject": str(page.subject or ""),
        "dc:description": page.description,
        "dc:type": resource_type,
        "dc:identifier": page.external_id or url,
        "dc:language": "zh-CN",
        "dc:date": published,
        "dc:rights": page.get_licence_display(),
    }
    if is_package and page.award_level:
        data["award"] = page.get_award_level_display()
    return {key: value for key, value in data.items() if value not in (None, "", [])}


def script_tag(page, url):
    """<script type="application/ld+json"> safe to put in a page (no </script> breakout)."""
    payload = json.dumps(learning_resource(page, url), ensure_ascii=False)
    payload = payload.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return f'<script type="application/ld+json">{payload}</script>'
