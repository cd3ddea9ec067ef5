"""Browse the library by the curriculum: 学段 → 学科 → 版本/册 → 单元 → 课.

Each view runs a fixed number of queries whatever the size of the library
(tests hold them to it): counts come from one GROUP BY per resource kind.
"""

from collections import defaultdict

from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, render

from . import api, listing
from .models import KnowledgeNode, Stage, Subject, Textbook, Unit


def curriculum_home(request):
    return render(request, "resources/curriculum_home.html", {"tree": listing.curriculum_tree(request.user)})


def curriculum_subject(request, stage_code, subject_code):
    stage = get_object_or_404(Stage, code=stage_code)
    subject = get_object_or_404(Subject, code=subject_code)
    textbooks = Textbook.objects.filter(subject=subject, grade__stage=stage).select_related("edition", "grade")
    counts = api.placement_counts(request.user, "textbook_id")
    by_edition = defaultdict(list)
    for textbook in textbooks.order_by("edition__sort_order", "grade__sort_order", "volume"):
        by_edition[textbook.edition].append((textbook, counts[(textbook.pk,)]))
    context = {"stage": stage, "subject": subject, "editions": list(by_edition.items())}
    return render(request, "resources/curriculum_subject.html", context)


def curriculum_textbook(request, pk):
    textbook = get_object_or_404(Textbook.objects.select_related("edition", "subject", "grade__stage"), pk=pk)
    units = Unit.objects.filter(textbook=textbook).prefetch_related(
        Prefetch("lessons", queryset=KnowledgeNode.objects.order_by("sort_order", "id"))
    )
    by_node = defaultdict(list)
    for queryset in (api.visible_packages(request.user), api.visible_resources(request.user)):
        for page in queryset.filter(textbook=textbook).select_related("school").order_by("-first_published_at"):
            by_node[page.knowledge_node_id].append(page)
    outline = [(unit, [(lesson, by_node.get(lesson.pk, [])) for lesson in unit.lessons.all()]) for unit in units]
    context = {"textbook": textbook, "outline": outline, "unplaced": by_node.get(None, [])}
    return render(request, "resources/curriculum_textbook.html", context)
