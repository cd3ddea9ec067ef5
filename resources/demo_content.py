"""Demo lesson packages and resources over both stages and many subjects.

Placed on real textbook nodes of the loaded curriculum, at every review state:
published (some awarded), drafts, in school review, in district review and
sent back for changes. Idempotent by external id ("demo-…").
"""

import itertools

from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.test.utils import override_settings
from wagtail.documents import get_document_model

from . import demo_files
from .models import (
    KnowledgeNode,
    LessonIndexPage,
    LessonPackagePage,
    Licence,
    PackagePart,
    ResourceFile,
    ResourcePage,
    School,
    Textbook,
)

# Where the local demo accounts (resources.demo) teach, so that school review works
# on the embedded default. With Keycloak the directory says (sso.mapping), and the
# demo accounts get no local profile that a login or sync would contradict.
DEMO_SCHOOL_OF = {"teacher1": "CGYX", "teacher2": "QSZX", "school_reviewer1": "CGYX", "school_leader1": "QSZX"}

TEACHERS = ["王芳", "李强", "张敏", "刘洋", "陈静", "杨帆", "赵磊", "黄丽", "周杰", "吴霞", "徐明", "孙悦"]
RESOURCE_TYPES = ["courseware", "teaching_design", "exercise", "micro_lesson", "material"]
AWARDS = ["district", "school", "", "city", "", "school", "", "province"]
# (how many, state) in the order the demo items are made.
STATES = [("draft", 3), ("school_review", 3), ("district_review", 2), ("needs_changes", 1)]


def _document(title, content):
    Document = get_document_model()
    existing = Document.objects.filter(title=title).first()
    if existing:
        return existing
    document = Document(title=title)
    document.file.save(title, ContentFile(content), save=False)
    document._set_document_file_metadata()
    document.save()
    return document


def _spread_nodes(count):
    """`count` lesson nodes spread over as many textbooks (hence subjects and stages) as possible."""
    per_textbook = [
        list(KnowledgeNode.objects.filter(unit__textbook=textbook).order_by("unit__sort_order", "sort_order")[:12])
        for textbook in Textbook.objects.order_by("subject__sort_order", "grade__sort_order", "volume")
    ]
    chosen = []
    for round_robin in itertools.zip_longest(*per_textbook):
        chosen.extend(node for node in round_robin if node is not None)
        if len(chosen) >= count:
            break
    return chosen[:count]


AUTHORS = ("teacher1", "teacher2")


def load(count=44):
    """Create or update `count` demo items; returns how many exist."""
    # The demo puts lessons through review; nobody should be e-mailed about it.
    with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
        return _load(count)


def _load(count):
    index = LessonIndexPage.objects.get()
    schools = list(School.objects.order_by("code"))
    teacher1 = get_user_model().objects.filter(username="teacher1").first()
    # The demo teachers' own lessons are at their own schools.
    authors = {DEMO_SCHOOL_OF[name]: get_user_model().objects.filter(username=name).first() for name in AUTHORS}
    video = _document("课堂实录示例.mp4", demo_files.mp4())
    states = [state for state, n in STATES for _ in range(n)]
    for number, node in enumerate(_spread_nodes(count)):
        is_package = number % 4 != 3
        external_id = f"demo-{number:03d}"
        model = LessonPackagePage if is_package else ResourcePage
        page = model.objects.filter(external_id=external_id).first()
        state = states[number] if number < len(states) else "published"
        if page is None:
            page = _build(model, node, number, schools, video, authors)
            page.external_id = external_id
            page.live = False
            index.add_child(instance=page)
            _apply_state(page, state, teacher1)
    return (
        LessonPackagePage.objects.filter(external_id__startswith="demo-").count()
        + ResourcePage.objects.filter(external_id__startswith="demo-").count()
    )


def _build(model, node, number, schools, video, authors):
    teacher = TEACHERS[number % len(TEACHERS)]
    # A primary lesson comes from a primary school, a junior one from a middle school.
    stage = node.unit.textbook.grade.stage.code
    fitting = [school for school in schools if school.stage == stage] or schools
    school = fitting[number % len(fitting)]
    owner = authors.get(school.code) if number % 2 == 0 else None
    title = (
        node.title
        if model is LessonPackagePage
        else f"{node.title} {('课件', '教学设计', '习题', '微课', '素材')[number % 5]}"
    )
    page = model(
        title=title,
        owner=owner,
        knowledge_node=node,
        teacher_name=teacher,
        school=school,
        licence=Licence.PUBLIC if number % 3 else Licence.SIGNED_IN,
        description=f"{node.unit.textbook} {node.unit.title}《{node.title}》，{school.name}{teacher}老师执教。",
    )
    ascii_id = f"Youke demo {number:03d}"
    if model is LessonPackagePage:
        page.award_level = AWARDS[number % len(AWARDS)]
        for kind, name in (("teaching_design", "教学设计"), ("courseware", "课件"), ("exercise", "评测练习")):
            content = demo_files.pdf([ascii_id, kind])
            page.parts.add(PackagePart(kind=kind, document=_document(f"{title}·{name}.pdf", content)))
        page.parts.add(PackagePart(kind="video", document=video))
    else:
        page.resource_type = RESOURCE_TYPES[number % len(RESOURCE_TYPES)]
        content = demo_files.pdf([ascii_id, page.resource_type])
        page.files.add(ResourceFile(document=_document(f"{title}.pdf", content)))
    page.tags.add(node.title, node.unit.textbook.subject.name)
    return page


def _apply_state(page, state, teacher1):
    revision = page.save_revision(user=page.owner)
    if state == "published":
        revision.publish()
        return
    if state == "draft":
        return
    workflow = page.get_workflow()
    workflow_state = workflow.start(page, page.owner or teacher1)
    if state in {"district_review", "needs_changes"}:
        task_state = workflow_state.current_task_state
        if state == "needs_changes":
            task_state.task.specific.on_action(task_state, _superuser(), "reject", comment="请补充课后反思。")
        else:
            task_state.task.specific.on_action(task_state, _superuser(), "approve")


def _superuser():
    return get_user_model().objects.filter(is_superuser=True).first()
