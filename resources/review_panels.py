"""Editor panels for reviewers (read while the models load: no model imports here)."""

from wagtail.admin.panels import Panel

from sso.roles import roles_of

from .quotas import quota_summary

REVIEW_ROLES = {"school_reviewer", "district_reviewer", "district_admin"}


class QuotaPanel(Panel):
    """The recommendation quotas as they stand for this lesson, for the people who review it."""

    class BoundPanel(Panel.BoundPanel):
        template_name = "resources/panels/quotas.html"

        def is_shown(self):
            user = self.request.user if self.request else None
            if not (user and user.is_authenticated):
                return False
            return user.is_superuser or bool(roles_of(user) & REVIEW_ROLES)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["lines"] = quota_summary(self.instance)
            return context


class ReviewDecisionPanel(Panel):
    """通过 / 退回修改 with a comment, in the editor of a lesson the reviewer may decide now.

    The editor is locked while a lesson is reviewed (nothing of the teacher's
    work may change), and Wagtail hides its workflow buttons on a locked page;
    these post to the workflow action view instead (resources.review_admin),
    the same one the dashboard's buttons use.
    """

    class BoundPanel(Panel.BoundPanel):
        template_name = "resources/panels/review_decision.html"

        def _task_state(self):
            page = self.instance
            if not (self.request and page.pk):
                return None
            state = page.current_workflow_task_state
            if state is None:
                return None
            task = state.task.specific
            user = self.request.user
            names = {name for name, _label, _modal in task.get_actions(page, user)}
            # Where the editor is not locked (the district's award), Wagtail's own menu has them.
            return state if {"approve", "reject"} <= names and task.locked_for_user(page, user) else None

        def is_shown(self):
            return self._task_state() is not None

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["task_state"] = self._task_state()
            context["page"] = self.instance
            return context
