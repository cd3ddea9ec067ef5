"""Review at school level: only that school's reviewers may approve.

Wagtail's group approval task lets any member of the group moderate any page;
a school reviewer must see and approve only their own school's lessons.
"""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from wagtail.models import TaskState
from wagtail.models.workflows import AbstractGroupApprovalTask

from ..visibility import visibility_of


def _is_own_work(obj, user):
    """Own work by the page row or by the revision under review (a draft's row may be older)."""
    from ..publishing import is_own_work

    page = obj.specific_deferred
    if is_own_work(page, user):
        return True
    latest = page.get_latest_revision_as_object() if page.pk else page
    return latest is not page and is_own_work(latest, user)


class ReviewTaskMixin:
    """What every review level shares: nobody reviews their own work, nobody edits what is under review.

    Wagtail's workflow views ask get_actions (dashboard, editor, action URLs)
    and on_action executes the choice; both refuse a reviewer's own lesson,
    including one they are named on as 指导教师.
    """

    def _reviews(self, obj, user):
        return user.is_superuser or self._user_in_groups(user)

    def may_review(self, obj, user):
        return self._reviews(obj, user) and not _is_own_work(obj, user)

    def user_can_access_editor(self, obj, user):
        # Reviewers read the lesson in the editor; the lock below keeps it unchanged.
        return self.may_review(obj, user)

    def locked_for_user(self, obj, user):
        # The teacher's work is frozen while it is reviewed (resources.publishing).
        return True

    def user_can_lock(self, obj, user):
        return False

    def get_actions(self, obj, user):
        return super().get_actions(obj, user) if self.may_review(obj, user) else []

    def on_action(self, task_state, user, action_name, **kwargs):
        if not self.may_review(task_state.workflow_state.content_object, user):
            raise PermissionDenied(_("不能审核本人（或本人担任指导教师）的课例。"))
        return super().on_action(task_state, user, action_name, **kwargs)

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        if not states.exists():
            return states
        own = [
            state.pk
            for state in states.select_related("workflow_state")
            if _is_own_work(state.workflow_state.content_object, user)
        ]
        return states.exclude(pk__in=own)


class SchoolReviewTask(ReviewTaskMixin, AbstractGroupApprovalTask):
    """Group approval, limited to reviewers of the lesson's own school."""

    def _reviews(self, obj, user):
        if user.is_superuser:
            return True
        if not self._user_in_groups(user):
            return False
        school_id = getattr(obj.specific, "school_id", None)
        return school_id is not None and school_id == visibility_of(user).school_id

    def get_task_states_user_can_moderate(self, user, **kwargs):
        states = super().get_task_states_user_can_moderate(user, **kwargs)
        if user.is_superuser or not states.exists():
            return states
        school_id = visibility_of(user).school_id
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


class DistrictReviewTask(ReviewTaskMixin, AbstractGroupApprovalTask):
    """区级审核: any district reviewer, never on their own lesson; the one level that may award.

    The award (award_level, recommended_to) is the only change allowed to a
    lesson in review, saved by the reviewer in the editor before approving.
    """

    def locked_for_user(self, obj, user):
        from ..publishing import may_award

        return not (self.may_review(obj, user) and may_award(user, obj.specific_deferred))

    @classmethod
    def get_description(cls):
        return _("区级审核员审核并评定优课等级，不能审核本人的课例")

    class Meta:
        verbose_name = _("区级审核")
        verbose_name_plural = _("区级审核")
