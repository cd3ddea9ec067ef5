"""Put the lesson library in place: its page, who may do what there, and review.

Idempotent, so `manage.py setup_library` can run on every deployment and the
demo loader can call it too.
"""

from django.conf import settings
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.utils import translation
from wagtail.models import (
    Collection,
    GroupCollectionPermission,
    GroupPagePermission,
    Page,
    Site,
    Task,
    Workflow,
    WorkflowPage,
    WorkflowTask,
)

from sso.roles import ensure_role_groups

from .models import DistrictReviewTask, LessonIndexPage, SchoolReviewTask


def _(text):
    """Names stored in the database are in the site's language, whatever language the caller last spoke.

    Django's LocaleMiddleware leaves the thread in the language of the last
    request it served: a setup run after an English page would otherwise name
    the review tasks "School review" for everyone.
    """
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(text)


WORKFLOW_NAME = "优课评审（校级 → 区级）"
# What Wagtail's migrations create in English (wagtailcore 0002 and 0048): the two
# default groups, the workflow and task that 0048 names after the group with
# publish rights, and the root page and collection. Renamed, never deleted, so
# a site keeps whoever an administrator has put in those groups and any page in
# that workflow. No code looks these names up (our roles are sso.roles.ROLE_GROUPS).
WAGTAIL_DEFAULT_NAMES = {
    Group: {"Moderators": "网站审核员（Wagtail 默认）", "Editors": "网站编辑（Wagtail 默认）"},
    Workflow: {"Moderators approval": "网站审核员审批"},
    Task: {"Moderators approval": "网站审核员审批"},
    Collection: {"Root": "全部文件"},
}
TAXONOMY_MODELS = [
    "school",
    "stage",
    "grade",
    "subject",
    "edition",
    "textbook",
    "unit",
    "knowledgenode",
    "crosseditiongroup",
]


def _page_perm(codename):
    return Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)


def _grant_page(group, page, *codenames):
    for codename in codenames:
        GroupPagePermission.objects.get_or_create(group=group, page=page, permission=_page_perm(codename))


def _grant_documents(group, collection, *codenames):
    for codename in codenames:
        permission = Permission.objects.get(content_type__app_label="wagtaildocs", codename=codename)
        GroupCollectionPermission.objects.get_or_create(group=group, collection=collection, permission=permission)


def section_parent():
    """Where a section's index page goes: the page the default site starts from.

    That is the home page once the site has one (home.provision points the
    default site at it); before that Wagtail's welcome page is the site's
    root, and sections go to the top of the tree instead.
    """
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    if site is not None and site.root_page.specific_class not in (None, Page):
        return site.root_page
    return Page.get_first_root_node()


def ensure_index_page():
    index = LessonIndexPage.objects.first()
    if index is None:
        parent = section_parent()
        index = parent.add_child(
            instance=LessonIndexPage(title=_("优课资源库"), slug="lessons", intro=_("全区一师一优课课例与教学资源"))
        )
    return index


def _ensure_task(model, name, groups):
    task = model.objects.filter(name=name).first() or model.objects.create(name=name)
    task.groups.set(groups)
    return task


def ensure_workflow(index, groups):
    school = _ensure_task(SchoolReviewTask, _("校级审核"), [groups["school_reviewer"]])
    district = _ensure_task(DistrictReviewTask, _("区级审核"), [groups["district_reviewer"]])
    workflow, _created = Workflow.objects.get_or_create(name=WORKFLOW_NAME)
    for order, task in enumerate([school, district]):
        WorkflowTask.objects.update_or_create(workflow=workflow, task=task, defaults={"sort_order": order})
    # Sites set up before DistrictReviewTask had Wagtail's plain group approval at district level,
    # which let reviewers approve their own lessons: take it out of the workflow.
    stale = WorkflowTask.objects.filter(workflow=workflow).exclude(task__in=[school, district])
    for link in stale.select_related("task"):
        link.task.specific.deactivate()
    stale.delete()
    WorkflowPage.objects.update_or_create(page=index, defaults={"workflow": workflow})
    return workflow


def rename_wagtail_defaults():
    """Chinese names for what Wagtail's migrations made in English (idempotent)."""
    for model, names in WAGTAIL_DEFAULT_NAMES.items():
        for english, chinese in names.items():
            # A name an administrator has already used stays theirs.
            if not model.objects.filter(name=chinese).exists():
                model.objects.filter(name=english).update(name=chinese)
    # The root page has no URL; only its title shows, as the explorer's top level.
    Page.objects.filter(depth=1, title="Root").update(title="全部站点", draft_title="全部站点")


@transaction.atomic
def ensure_library():
    """Index page, page/document permissions per role, and the review workflow."""
    groups = ensure_role_groups()
    index = ensure_index_page()
    # Wagtail's migration makes the root collection; a flushed database has none.
    root_collection = Collection.get_first_root_node() or Collection.add_root(name="Root")
    # "add" lets a teacher create lessons and edit only those they own.
    _grant_page(groups["teacher"], index, "add_page")
    _grant_documents(groups["teacher"], root_collection, "add_document", "choose_document")
    for role in ("school_reviewer", "district_reviewer"):
        _grant_documents(groups[role], root_collection, "choose_document")
    # "publish" lets district reviewers take a lesson off the site; publishing one
    # happens only at the end of its review (resources.publishing).
    _grant_page(groups["district_reviewer"], index, "publish_page")
    groups["district_reviewer"].permissions.add(
        Permission.objects.get(content_type__app_label="resources", codename="award_lesson")
    )
    _grant_page(groups["district_admin"], index, "add_page", "change_page", "publish_page")
    # District administrators keep the curriculum and the school list.
    groups["district_admin"].permissions.add(
        *Permission.objects.filter(content_type__app_label="resources", content_type__model__in=TAXONOMY_MODELS)
    )
    # ...and follow every video's transcoding (media_pipeline's 视频转码 list).
    groups["district_admin"].permissions.add(
        *Permission.objects.filter(
            content_type__app_label="media_pipeline", codename__in=["view_video", "change_video"]
        )
    )
    ensure_workflow(index, groups)
    rename_wagtail_defaults()
    return index
