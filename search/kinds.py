"""Schools and teachers as search results (registered in search.apps).

Only public information: a school's name, town and kind; a teacher's name
and school, and only for teachers who have published something the user
may open (resources.api) - never an account, e-mail or draft.
"""

from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _

from core.chinese import CJK_RUN
from resources import api
from resources.models import LessonPackagePage, ResourcePage, School

from .facets import labels
from .registry import highlight

TEACHER_NAMES_KEY = "search:teacher-names"
TEACHER_NAMES_SECONDS = 300  # a newly published teacher shows up within five minutes
# Words in many school names: alone they do not name a school.
GENERIC = {"小学", "中学", "初中", "初级", "学校", "中心", "第一", "第二", "第三", "实验", "完小", "九年", "一贯制"}


def _search_url(**params):
    return reverse("search") + "?" + urlencode(params)


def find_schools(query, user, offset, limit):
    groups = [[word for word in group if len(word) >= 2] for group in query.groups]
    groups = [group for group in groups if group]
    if not groups or all(word in GENERIC for group in groups for word in group):
        return 0, []
    # Every word of the query (or a synonym) in the school's name or town; from the cached list.
    schools = [
        school
        for school in labels()["school"].values()
        if all(any(word in school["name"] or word in school["town"] for word in group) for group in groups)
    ]
    found = []
    for school in schools[offset : offset + limit]:
        area, stage = School.Area(school["area"]).label, School.Stage(school["stage"]).label
        about = f"{school['name']} · {school['town']} · {area} · {stage}"
        found.append(
            {
                "id": school["pk"],
                "external_id": school["code"],
                "title": school["name"],
                "url": _search_url(school=school["code"]),
                "highlight": highlight(about, query),
                "school": school["name"],
                "area": school["area"],
                "placement": school["town"],
            }
        )
    return len(schools), found


def _teacher_names():
    """Names on published lessons, refreshed every few minutes: most queries name no teacher,
    and then cost no query at all."""
    names = cache.get(TEACHER_NAMES_KEY)
    if names is None:
        names = set()
        for model in (LessonPackagePage, ResourcePage):
            names.update(
                model.objects.live().exclude(teacher_name="").values_list("teacher_name", flat=True).distinct()
            )
        cache.set(TEACHER_NAMES_KEY, names, TEACHER_NAMES_SECONDS)
    return names


def find_teachers(query, user, offset, limit):
    # A name is two to four characters typed as one run (王芳, 欧阳明月).
    names = {run for run in CJK_RUN.findall(query.q) if 2 <= len(run) <= 4} & _teacher_names()
    if not names:
        return 0, []
    rows = {}
    for queryset in (api.visible_packages(user), api.visible_resources(user)):
        grouped = (
            queryset.filter(teacher_name__in=names)
            .values("teacher_name", "school__name", "school__code", "school__area")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for row in grouped:
            key = (row["teacher_name"], row["school__code"])
            if key in rows:
                rows[key]["n"] += row["n"]
            else:
                rows[key] = row
    ordered = sorted(rows.values(), key=lambda row: (-row["n"], row["teacher_name"], row["school__code"] or ""))
    found = []
    for row in ordered[offset : offset + limit]:
        school = row["school__name"] or ""
        found.append(
            {
                "id": f"{row['teacher_name']}@{row['school__code'] or ''}",
                "title": row["teacher_name"],
                "url": _search_url(q=row["teacher_name"]),
                "highlight": highlight(
                    _("%(school)s · 已分享 %(n)s 份课例与资源") % {"school": school or _("未填学校"), "n": row["n"]},
                    query,
                ),
                "school": school,
                "area": row["school__area"] or "",
            }
        )
    return len(rows), found
