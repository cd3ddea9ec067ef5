"""Training courses as a kind of result in the one-stop search (search.registry).

Published courses only, to signed-in users (the catalogue is for the
district's teachers): matched on title, description and micro-competency
names, every word of the query (or one of its synonyms) present.
"""

from django.db.models import Q
from django.utils.html import strip_tags

from search import registry

from .models import CoursePage


def find_courses(query, user, offset, limit):

    if not (user and user.is_authenticated):
        return 0, []
    groups = [[word for word in group if word] for group in query.groups]
    groups = [group for group in groups if group]
    if not groups:
        return 0, []
    courses = CoursePage.objects.live()
    for group in groups:
        any_word = Q()
        for word in group:
            any_word |= (
                Q(title__icontains=word)
                | Q(description__icontains=word)
                | Q(competencies__name__icontains=word)
                | Q(competencies__code__iexact=word)
            )
        courses = courses.filter(any_word)
    courses = courses.distinct().order_by("-first_published_at")
    total = courses.count()
    found = []
    for course in courses[offset : offset + limit]:
        about = f"{course.title} · {course.study_hours} 学时 · {strip_tags(course.description)[:120]}"
        found.append(
            {
                "id": course.pk,
                "title": course.title,
                "url": course.url,
                "highlight": registry.highlight(about, query),
                "placement": f"{course.study_hours} 学时",
            }
        )
    return total, found
