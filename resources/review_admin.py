"""What a reviewer sees while deciding: the quotas left, and what their decision did.

Wagtail's workflow views approve or reject without a word; a reviewer (and
the teacher after them) must read 「已通过校级审核，已提交区级审核」. The two
places a decision is taken - the editor's action menu and the dashboard's
审核 buttons - are the library pages' own views, set on their PageViewSet;
so are the editor's, which send a teacher back to 我的课例 after a save that
leaves the editor (the explorer would show everyone's lessons).
"""

from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from wagtail.admin import messages
from wagtail.admin.views.pages.create import CreateView
from wagtail.admin.views.pages.edit import EditView
from wagtail.admin.views.pages.workflow import WorkflowActionView
from wagtail.admin.viewsets.pages import PageViewSet

from sso.roles import is_district_staff, roles_of

from .models import LessonPackagePage, ResourcePage


def outcome_message(page, task_name, action_name):
    """Chinese for what a decision on `task_name` did to `page` (read after the action)."""
    page = page.specific_class.objects.get(pk=page.pk)
    state = page.current_workflow_state
    if action_name == "reject":
        return _("已退回：%(task)s未通过，教师修改后可重新提交。") % {"task": task_name}
    if state is not None and state.current_task_state is not None:
        return _("已通过%(done)s，已提交%(next)s。") % {"done": task_name, "next": state.current_task_state.task.name}
    if page.live:
        return _("已通过%(done)s，课例已发布。") % {"done": task_name}
    return _("已完成%(done)s。") % {"done": task_name}


def _decided(request, page, task_name, action_name):
    if action_name in {"approve", "reject"}:
        messages.success(request, outcome_message(page, task_name, action_name))


def _away_to_workspace(view):
    """Leaving the editor: a teacher to 我的课例 (the explorer lists everyone's lessons), a
    reviewer to the dashboard's list of lessons waiting; district staff to the explorer."""
    user = view.request.user
    if view.next_url or is_district_staff(user):
        return None
    return redirect("wagtailadmin_home" if "school_reviewer" in roles_of(user) else "resources_workspace")


class ReviewActionView(WorkflowActionView):
    """The dashboard's 审核 buttons (and their comment modal): Wagtail's view, then say what happened."""

    def get_redirect_url(self):
        # Back to the lessons still waiting (the locked editor has nothing more to do).
        return reverse("wagtailadmin_home")

    def post(self, request, *args, **kwargs):
        task_name = self.task.name
        response = super().post(request, *args, **kwargs)
        _decided(request, self.object, task_name, self.action_name)
        return response


class ReviewEditView(EditView):
    """The editor's action menu: a decision taken there is reported the same way."""

    def perform_workflow_action(self):
        task_name = self.page.current_workflow_task.name
        response = super().perform_workflow_action()
        _decided(self.request, self.page, task_name, self.workflow_action)
        return response

    def redirect_away(self):
        return _away_to_workspace(self) or super().redirect_away()


class LibraryCreateView(CreateView):
    def redirect_away(self):
        return _away_to_workspace(self) or super().redirect_away()


class LibraryPageViewSet(PageViewSet):
    add_view_class = LibraryCreateView
    edit_view_class = ReviewEditView
    workflow_action_view_class = ReviewActionView


def viewsets():

    return [
        LibraryPageViewSet("lesson_packages", model=LessonPackagePage, menu_label=gettext_lazy("课例")),
        LibraryPageViewSet("resources_pages", model=ResourcePage, menu_label=gettext_lazy("资源")),
    ]
