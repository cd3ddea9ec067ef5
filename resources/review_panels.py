"""Editor panels for reviewers (read while the models load: no model imports here)."""

from wagtail.admin.panels import Panel

from sso.roles import role_names

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
            return user.is_superuser or bool(role_names(user) & REVIEW_ROLES)

        def get_context_data(self, parent_context=None):
            context = super().get_context_data(parent_context)
            context["lines"] = quota_summary(self.instance)
            return context
