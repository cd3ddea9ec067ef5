"""Review at school level: only that school's reviewers may approve.

Wagtail's group approval task lets any member of the group moderate any page;
a school reviewer must see and approve only their own school's lessons.
"""

from django.utils.translation import gettext_lazy as _
from wagtail.models import TaskState
from wagtail.models.workflows import AbstractGroupApprovalTask


def user_school_id(user):
    """The id of the school a user belongs to, or None (district staff)."""
    # The school comes from the identity provider's groups (sso.SsoProfile).
    profile = getattr(user, "sso_profile", None)
    return getattr(profile, "school_id", None)


class SchoolReviewTask(AbstractGroupApprovalTask):
    """Group approval, limited to reviewers of the lesson's own school."""

    def _reviews(self, obj, user):
        if user.is_superuser:
            return True
        if not self._user_in_groups(user):
            return False
        school_id = getattr(obj.specific, "school_id", None)
        return school_id is not None and school_id == user_school_id(user)

    def user_can_access_editor(self, obj, user):
        return self._reviews(obj, user)

    def locked_for_user(self, obj, user):
        return not self._reviews(obj, user)

    def user_can_lock(self, obj, user):
        return self._reviews(obj, user)

    def get_actions(self, obj, user):
        return super().get_actions(obj, user) if self._reviews(obj, user) else []

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        if user.is_superuser or not states.exists():
            return states
        school_id = user_school_id(user)
        if school_id is None:
            return TaskState.objects.none()
        # The lessons of this reviewer's school only.
        from .lessons import LessonPackagePage, ResourcePage

        page_ids = list(LessonPackagePage.objects.filter(school_id=school_id).values_list("pk", flat=True))
        page_ids += list(ResourcePage.objects.filter(school_id=school_id).values_list("pk", flat=True))
        return states.filter(workflow_state__object_id__in=[str(pk) for pk in page_ids])

    @classmethod
    def get_description(cls):
        return _("本校的校级审核员审核本校教师的课例")

    class Meta:
        verbose_name = _("校级审核")
        verbose_name_plural = _("校级审核")
