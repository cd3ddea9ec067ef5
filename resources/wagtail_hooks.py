"""Admin menus: schools and the curriculum, editable by district administrators."""

from django.contrib.auth.views import redirect_to_login
from django.http import HttpResponseForbidden
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.models import Page
from wagtail.permissions import register_permission_policy
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet, SnippetViewSetGroup

from . import admin_privacy, admin_scope, api, review_admin, workspace  # noqa: F401 - admin_privacy registers the draft privacy hooks
from .lesson_picker import LessonChooserViewSet
from .models import (
    CrossEditionGroup,
    Edition,
    Grade,
    KnowledgeNode,
    School,
    Stage,
    Subject,
    Textbook,
    Unit,
)

# Early (this module is read before any admin view asks for the policy): the
# explorer, page search, pages API and history report then hide other
# teachers' drafts. The page chooser does not ask the policy; its hook is below.
register_permission_policy(Page, admin_scope.LibraryScopedPagePolicy("wagtailcore.Page"))


class SchoolViewSet(SnippetViewSet):
    model = School
    icon = "site"
    menu_label = _("学校")
    list_display = ["name", "code", "town", "area", "stage"]
    list_filter = ["area", "stage"]
    search_fields = ["name", "town", "code"]


class StageViewSet(SnippetViewSet):
    model = Stage
    list_display = ["name", "code", "sort_order"]


class GradeViewSet(SnippetViewSet):
    model = Grade
    list_display = ["name", "stage", "aliases"]


class SubjectViewSet(SnippetViewSet):
    model = Subject
    list_display = ["name", "code", "parent", "aliases"]
    search_fields = ["name", "aliases"]


class EditionViewSet(SnippetViewSet):
    model = Edition
    list_display = ["name", "code", "aliases"]
    search_fields = ["name", "aliases"]


class TextbookViewSet(SnippetViewSet):
    model = Textbook
    list_display = ["__str__", "edition", "subject", "grade", "volume"]
    list_filter = ["edition", "subject", "grade", "volume"]
    list_per_page = 50


class UnitViewSet(SnippetViewSet):
    model = Unit
    list_display = ["title", "textbook", "sort_order"]
    list_filter = ["textbook__edition", "textbook__subject", "textbook__grade"]
    search_fields = ["title"]
    list_per_page = 50


class KnowledgeNodeViewSet(SnippetViewSet):
    model = KnowledgeNode
    # Search by words and pinyin, and the 学段 → … → 单元 cascade, in the package editor's 课 chooser.
    chooser_viewset_class = LessonChooserViewSet
    list_display = ["title", "unit", "same_as"]
    list_filter = ["unit__textbook__edition", "unit__textbook__subject", "unit__textbook__grade"]
    search_fields = ["title"]
    list_per_page = 50


class CrossEditionGroupViewSet(SnippetViewSet):
    model = CrossEditionGroup
    search_fields = ["name"]


class CurriculumGroup(SnippetViewSetGroup):
    menu_label = _("课程体系")
    menu_icon = "list-ul"
    menu_order = 300
    items = (
        StageViewSet,
        GradeViewSet,
        SubjectViewSet,
        EditionViewSet,
        TextbookViewSet,
        UnitViewSet,
        KnowledgeNodeViewSet,
        CrossEditionGroupViewSet,
    )


register_snippet(SchoolViewSet)
register_snippet(CurriculumGroup)


@hooks.register("before_serve_document")
def guard_document(document, request):
    """Files of drafts and signed-in-only lessons are not served to those who may not see the lesson."""
    if api.can_download(document, request.user):
        return None
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    return HttpResponseForbidden(_("您没有权限下载此文件。"))


@hooks.register("construct_page_chooser_queryset")
def hide_others_drafts_in_chooser(pages, request):
    return admin_scope.scope_pages(pages, request.user)


@hooks.register("construct_document_chooser_queryset")
def own_documents_in_chooser(documents, request):
    return admin_scope.scope_documents(documents, request.user)


@hooks.register("register_admin_viewset")
def register_library_page_viewsets():
    # The library's pages' own editor and workflow-action views (resources.review_admin).
    return review_admin.viewsets()


@hooks.register("register_admin_urls")
def workspace_urls():
    return [path("my-lessons/", workspace.WorkspaceView.as_view(), name="resources_workspace")]


class WorkspaceMenuItem(MenuItem):
    def is_shown(self, request):
        # Whoever may add to the library (teachers; reviewers teach too) has a workspace.
        return workspace.may_add_to_library(request.user)


@hooks.register("register_admin_menu_item")
def workspace_menu_item():
    return WorkspaceMenuItem(_("我的课例"), reverse("resources_workspace"), icon_name="doc-full-inverse", order=90)


@hooks.register("construct_homepage_panels")
def workspace_first_on_the_dashboard(request, panels):
    panel = workspace.WorkspacePanel(request.user)
    if not panel.is_shown():
        return
    # 我的课例 says each package's state; Wagtail's own "in a workflow" list would repeat it.
    others = [p for p in panels if getattr(p, "name", "") != "user_objects_in_workflow_moderation"]
    # A reviewer comes for the lessons waiting for them: those first, their own work after.
    waiting = [p for p in others if getattr(p, "name", "") == "workflow_objects_to_moderate"]
    rest = [p for p in others if p not in waiting]
    panels[:] = [*waiting, panel, *rest]


@hooks.register("construct_page_action_menu")
def only_the_teacher_withdraws_a_submission(menu_items, request, context):
    # Wagtail lets a reviewer cancel the workflow; a reviewer decides (通过 / 退回修改), and only the
    # teacher who submitted takes the lesson back.
    page = context.get("page")
    state = page.current_workflow_state if page is not None and page.pk else None
    if state is None or request.user in (state.requested_by, getattr(page, "owner", None)):
        return
    menu_items[:] = [item for item in menu_items if item.name != "action-cancel-workflow"]
