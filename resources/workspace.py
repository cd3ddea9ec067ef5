"""我的课例: a teacher's own packages and resources, where each one stands and what it still needs.

The admin explorer is the library's tree, with everyone's published lessons
in it; a teacher looking for their own work needs a list of just theirs, with
the state in words (草稿 / 校级审核中 / 已退回 / 已发布 / 获奖), the parts still
missing, and the transcoding of each video in percent (refreshed by the page
from the video status API while it runs).
"""

from django.contrib.contenttypes.models import ContentType
from django.core.paginator import Paginator
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import TemplateView
from wagtail.admin.ui.components import Component
from wagtail.models import Page, WorkflowState

from media_pipeline.models import Video, VideoStatus

from .models import LessonIndexPage, LessonPackagePage, ResourcePage

PER_PAGE = 20
DASHBOARD_ITEMS = 5


def own_pages(user):
    """The user's lesson packages and resources, newest change first (as Page rows)."""
    mine = Q(owner=user)
    ids = list(LessonPackagePage.objects.filter(mine | Q(teacher=user)).values_list("pk", flat=True))
    ids += list(ResourcePage.objects.filter(mine | Q(teacher=user)).values_list("pk", flat=True))
    return Page.objects.filter(pk__in=ids).order_by("-latest_revision_created_at", "-pk")


def state_of(page, workflow_state):
    """(key, Chinese label) of where the page stands."""
    if workflow_state is not None and workflow_state.status == WorkflowState.STATUS_IN_PROGRESS:
        task = workflow_state.current_task_state.task.name if workflow_state.current_task_state else _("审核")
        return "in_review", _("%(task)s中") % {"task": task}
    award = getattr(page, "award_level", "")
    if page.live and award:
        return "awarded", _("获奖：%(level)s") % {"level": page.get_award_level_display()}
    if page.live:
        return ("changed", _("已发布（有未发布的修改）")) if page.has_unpublished_changes else ("live", _("已发布"))
    if workflow_state is not None and workflow_state.status == WorkflowState.STATUS_NEEDS_CHANGES:
        return "rejected", _("已退回，请修改后重新提交")
    return "draft", _("草稿")


def _videos(draft):
    """The videos of the draft's parts (uploaded ones and video documents), with their progress."""
    if not isinstance(draft, LessonPackagePage):
        return []
    ids = [part.video_id for part in draft.parts.all() if part.video_id]
    return list(Video.objects.filter(pk__in=ids).only("pk", "status", "progress", "original_filename", "error"))


def rows(pages):
    """One row per page: what the workspace and the dashboard panel show."""
    pages = list(pages)
    states = {
        state.object_id: state
        for state in WorkflowState.objects.filter(
            base_content_type=ContentType.objects.get_for_model(Page), object_id__in=[str(page.pk) for page in pages]
        )
        .select_related("current_task_state__task")
        .order_by("created_at")
    }  # the newest state per page wins
    result = []
    for page in pages:
        specific = page.specific
        # The teacher's latest work is the latest revision, not the (possibly older) page row.
        draft = specific.get_latest_revision_as_object() if specific.has_unpublished_changes else specific
        key, label = state_of(specific, states.get(str(page.pk)))
        missing = draft.missing_required_parts() if isinstance(draft, LessonPackagePage) else []
        result.append(
            {
                "page": specific,
                "title": draft.title,
                "kind": specific._meta.verbose_name,
                "state": key,
                "state_label": label,
                "missing": missing,
                "videos": _videos(draft),
                "edit_url": reverse("wagtailadmin_pages:edit", args=[page.pk]),
                "view_url": specific.url if specific.live else reverse("wagtailadmin_pages:view_draft", args=[page.pk]),
            }
        )
    return result


def may_add_to_library(user):
    index = LessonIndexPage.objects.first()
    return index is not None and index.permissions_for_user(user).can_add_subpage()


def new_lesson_urls():
    """(label, URL) to start a new package or resource in the library (empty without a library)."""
    index = LessonIndexPage.objects.first()
    if index is None:
        return []
    return [
        (_("新建晒课课例"), reverse("wagtailadmin_pages:add", args=["resources", "lessonpackagepage", index.pk])),
        (_("新建单项资源"), reverse("wagtailadmin_pages:add", args=["resources", "resourcepage", index.pk])),
    ]


class WorkspaceView(TemplateView):
    template_name = "resources/workspace.html"

    def get_context_data(self, **kwargs):
        paginator = Paginator(own_pages(self.request.user), PER_PAGE)
        page_obj = paginator.get_page(self.request.GET.get("p"))
        return {
            **super().get_context_data(**kwargs),
            "rows": rows(page_obj.object_list),
            "page_obj": page_obj,
            "new_urls": new_lesson_urls(),
            "running": [VideoStatus.UPLOADING, VideoStatus.QUEUED, VideoStatus.PROCESSING],
        }


class WorkspacePanel(Component):
    """The dashboard's first panel for a teacher: their latest packages."""

    name = "my_lessons"
    order = 50
    template_name = "resources/workspace_panel.html"

    def __init__(self, user):
        self.user = user

    def is_shown(self):
        # Also with no lesson yet: the panel's 新建晒课课例 is a new teacher's way in (on a phone the
        # admin's menu is folded away).
        return may_add_to_library(self.user)

    def get_context_data(self, parent_context):
        return {
            "rows": rows(own_pages(self.user)[:DASHBOARD_ITEMS]),
            "new_urls": new_lesson_urls(),
            "all_url": reverse("resources_workspace"),
            "running": [VideoStatus.UPLOADING, VideoStatus.QUEUED, VideoStatus.PROCESSING],
        }
