"""How a library page may change and go live: one rule per action, on every entry point.

Wagtail's HTML views, bulk actions and admin API all ask the page's permission
tester (wagtail/actions/*.check) before they publish, delete, move, copy or
revert, so the library's rules live in one tester, `LibraryPermissionTester`.
Two more guards sit below every entry point:

- the models refuse a new revision of a page in review (`guard_new_revision`),
  whoever asks: the editor, autosave, the admin API's revert, a script;
- the workflow publishes the revision the reviewers approved
  (`publish_approved_revision`, Wagtail's WAGTAIL_FINISH_WORKFLOW_ACTION),
  never merely the latest one.

The one change allowed during review is the district reviewer's award
(REVIEWER_FIELDS); the teacher's work under review stays exactly as submitted.
"""

import contextvars
import json
from contextlib import contextmanager

from django.core.exceptions import PermissionDenied
from django.core.serializers.json import DjangoJSONEncoder
from django.utils.translation import gettext as _
from wagtail.models import PagePermissionTester, TaskState, WorkflowState

from sso.roles import is_district_admin

from .forms import guiding_names

# What the district reviewer decides while approving; everything else is the teacher's work.
REVIEWER_FIELDS = frozenset({"award_level", "recommended_to"})
# What Wagtail itself writes into a revision's content: not part of what was reviewed.
BOOKKEEPING_FIELDS = frozenset(
    {
        "pk",
        "id",
        "live",
        "has_unpublished_changes",
        "first_published_at",
        "last_published_at",
        "live_revision",
        "latest_revision",
        "latest_revision_created_at",
        "draft_title",
        "locked",
        "locked_at",
        "locked_by",
        "owner",
        "path",
        "depth",
        "numchild",
        "url_path",
        "translation_key",
        "content_type",
        "wagtail_admin_comments",
        "comments",
    }
)
# Keys of a child row (a package part) that change when the same content is saved again.
CHILD_BOOKKEEPING = frozenset({"pk", "id", "package", "resource", "page"})

_workflow_publishing = contextvars.ContextVar("youke_workflow_publishing", default=False)


class ReviewInProgress(PermissionDenied):
    """A change to a page whose review has not finished (DRF and Django answer 403)."""


def review_in_progress(page):
    """The page's workflow state while a review is running (not after it was sent back), else None."""
    if page.pk is None:
        return None
    return (
        WorkflowState.objects.for_instance(page)
        .filter(status=WorkflowState.STATUS_IN_PROGRESS)
        .select_related("current_task_state__revision", "current_task_state__task")
        .first()
    )


def reviewed_content(content):
    """The teacher's part of a revision's content, comparable across saves.

    Through JSON first, as a stored revision is: a page's own data holds a video's UUID
    where the revision holds its text, and the two must compare equal.
    """
    content = json.loads(json.dumps(content, cls=DjangoJSONEncoder))
    result = {}
    for key, value in content.items():
        if key in BOOKKEEPING_FIELDS or key in REVIEWER_FIELDS:
            continue
        if isinstance(value, list) and all(isinstance(item, dict) for item in value):
            value = [{k: v for k, v in item.items() if k not in CHILD_BOOKKEEPING} for item in value]
        result[key] = value
    return result


def may_award(user, page):
    return bool(user and user.is_authenticated and user.has_perm("resources.award_lesson")) and not is_own_work(
        page, user
    )


def is_own_work(page, user):
    """Whether `user` made this lesson: its owner, its teacher, or one of its 指导教师 by name."""

    if not (user and user.is_authenticated):
        return False
    if user.pk in (getattr(page, "owner_id", None), getattr(page, "teacher_id", None)):
        return True
    names = {user.username, f"{user.last_name}{user.first_name}", user.get_full_name().strip()}
    names.discard("")
    return bool(names & set(guiding_names(getattr(page, "guiding_teachers", ""))))


def guard_new_revision(page, user):
    """Refuse a new revision of a page in review, except the district reviewer's award.

    Returns the workflow state when an award-only revision is allowed, so the
    caller can move the review onto it (`carry_review_to`).
    """
    if _workflow_publishing.get():
        return None
    state = review_in_progress(page)
    if state is None or state.current_task_state is None:
        return None
    under_review = state.current_task_state.revision
    unchanged = reviewed_content(page.serializable_data()) == reviewed_content(under_review.content)
    if unchanged and may_award(user, page):
        return state
    raise ReviewInProgress(_("课例正在审核中，不能修改。如需修改，请审核员退回后再改，改后将重新从校级审核开始。"))


def carry_review_to(state, revision):
    """An award-only revision carries the approvals so far: the teacher's content is unchanged."""
    state.copy_approved_task_states_to_revision(revision)
    TaskState.objects.filter(pk=state.current_task_state_id).update(revision=revision)


def approval_problems(workflow_state, revision):
    """Why `revision` may not go live at the end of this review (empty: it may)."""
    content = reviewed_content(revision.content)
    approved = TaskState.objects.filter(workflow_state=workflow_state, status=TaskState.STATUS_APPROVED)
    approved_revisions = {}
    for state in approved.select_related("revision"):
        if reviewed_content(state.revision.content) == content:
            approved_revisions[state.task_id] = state
    problems = [
        _("“%(task)s”审核通过的不是这一版本。") % {"task": task.name}
        for task in workflow_state.workflow.tasks.filter(active=True)
        if task.pk not in approved_revisions
    ]
    missing = getattr(revision.as_object(), "missing_required_parts", lambda: [])()
    if missing:
        problems.append(_("缺少必备内容：%(parts)s。") % {"parts": "、".join(missing)})
    return problems


def publish_approved_revision(workflow_state, user=None):
    """WAGTAIL_FINISH_WORKFLOW_ACTION: publish what every level approved, not the latest revision."""
    revision = workflow_state.current_task_state.revision
    problems = approval_problems(workflow_state, revision)
    if problems:
        raise ReviewInProgress(" ".join(problems))
    with workflow_publishing():
        # The reviewers' approval is the permission: district reviewers hold no
        # right to publish around review (LibraryPermissionTester.can_publish).
        revision.publish(user=user, skip_permission_checks=True)


@contextmanager
def workflow_publishing():
    token = _workflow_publishing.set(True)
    try:
        yield
    finally:
        _workflow_publishing.reset(token)


def publish_problems(page, user):
    """Why `user` may not publish `page` directly, outside the workflow (empty: they may)."""
    if not is_district_admin(user):
        return [_("课例须经校级、区级审核通过后发布。")]
    latest = page.get_latest_revision_as_object() if page.pk else page
    missing = getattr(latest, "missing_required_parts", lambda: [])()
    if missing:
        return [_("缺少必备内容：%(parts)s。") % {"parts": "、".join(missing)}]
    return []


def may_delete(user, page):
    """Library pages are kept: only a superuser deletes, or the author a draft never sent on.

    A lesson that was not selected stays in the author's record; district
    staff take it off the site by unpublishing, which keeps every revision.
    """
    if user.is_superuser:
        return True
    if not getattr(page, "is_library_page", False):
        # Deleting a parent (the library, the home page) would take every lesson below it along.
        return page.is_leaf()
    # Once submitted, even if sent back or not selected, a lesson stays in the author's record.
    return (
        page.owner_id == user.pk
        and page.first_published_at is None
        and not WorkflowState.objects.for_instance(page).exists()
    )


class LibraryPermissionTester(PagePermissionTester):
    """Wagtail's page tester with the library's rules, for lessons, resources and their index."""

    def _library(self):
        return getattr(self.page, "is_library_page", False)

    def can_publish(self):
        if not super().can_publish():
            return False
        return not (self._library() and publish_problems(self.page, self.user))

    def can_publish_subpage(self):
        # Creating, copying (keep live) or aliasing straight into the library publishes around review.
        return super().can_publish_subpage() and is_district_admin(self.user)

    def can_delete(self, ignore_bulk=False):
        return super().can_delete(ignore_bulk=ignore_bulk) and may_delete(self.user, self.page)

    def can_move(self):
        # Wagtail equates moving with deleting and re-adding; a page in review stays where it was reviewed.
        if self._library() and review_in_progress(self.page) is not None:
            return False
        return super().can_move()
