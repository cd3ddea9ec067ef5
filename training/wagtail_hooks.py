"""Admin: the 30 micro-competencies (district administrators correct names here) and a link to the dashboard."""

from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem
from wagtail.snippets.models import register_snippet
from wagtail.snippets.views.snippets import SnippetViewSet

from .models import MicroCompetency
from .permissions import can_manage, course_of, may_dashboard


class MicroCompetencyViewSet(SnippetViewSet):
    model = MicroCompetency
    icon = "tasks"
    menu_label = _("微能力点")
    list_display = ["code", "name", "environment", "dimension"]
    list_filter = ["environment", "dimension"]
    search_fields = ["code", "name"]
    list_per_page = 50


register_snippet(MicroCompetencyViewSet)


class DashboardMenuItem(MenuItem):
    def is_shown(self, request):
        return may_dashboard(request.user)


@hooks.register("register_admin_menu_item")
def dashboard_menu_item():
    return DashboardMenuItem(_("培训看板"), reverse("training:dashboard"), icon_name="list-ul", order=400)


# Page permissions are granted on the whole course index, so Wagtail alone
# would let any trainer edit, publish or delete any course (and name
# themselves its trainer, reaching its cohort). These hooks narrow every
# change inside a course to the people who manage it.
def _refuse_unless_managed(request, page, *_destination):

    course = course_of(page)
    if course is not None and not can_manage(request.user, course):
        raise PermissionDenied("只能修改自己担任培训讲师的课程。")


# Edit, delete, unpublish, move (which also passes the destination) and copy
# all take (request, page): one check serves them all.
GUARDED_HOOKS = (
    "before_edit_page",
    "before_delete_page",
    "before_unpublish_page",
    "before_move_page",
    "before_copy_page",
)
for _hook in GUARDED_HOOKS:
    hooks.register(_hook, _refuse_unless_managed)


@hooks.register("before_bulk_action")
def _before_bulk_action(request, action_type, objects, action_class_instance):
    # Bulk delete, move, publish and unpublish skip the single-page hooks above.
    if action_type in ("delete", "move", "publish", "unpublish"):
        for page in objects:
            _refuse_unless_managed(request, page)


@hooks.register("before_create_page")
def _before_create(request, parent_page, page_class):
    _refuse_unless_managed(request, parent_page)
