"""Put training in place: the 30 micro-competencies, the course index page, and the trainers' permissions.

Idempotent: `manage.py setup_training` runs on every deployment and the demo loader calls it too.
"""

from django.contrib.auth.models import Permission
from django.db import transaction
from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

from resources.provision import section_parent
from sso.roles import ensure_role_groups

from .models import TrainingIndexPage
from .models.competencies import load_competencies

# Trainers build courses: create, edit and publish anything under the index.
TRAINER_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")
TRAINER_DOCUMENT_PERMISSIONS = ("add_document", "choose_document")


def ensure_index_page():
    index = TrainingIndexPage.objects.first()
    if index is None:
        parent = section_parent()
        index = parent.add_child(
            instance=TrainingIndexPage(title="教师培训", slug="training", intro="信息技术应用能力提升工程2.0 培训课程")
        )
    return index


def _grant(groups, index):
    root = Collection.get_first_root_node() or Collection.add_root(name="Root")
    for role in ("trainer", "district_admin"):
        for codename in TRAINER_PAGE_PERMISSIONS:
            permission = Permission.objects.get(content_type__app_label="wagtailcore", codename=codename)
            GroupPagePermission.objects.get_or_create(group=groups[role], page=index, permission=permission)
        for codename in TRAINER_DOCUMENT_PERMISSIONS:
            permission = Permission.objects.get(content_type__app_label="wagtaildocs", codename=codename)
            GroupCollectionPermission.objects.get_or_create(group=groups[role], collection=root, permission=permission)


@transaction.atomic
def ensure_training():
    groups = ensure_role_groups()
    created = load_competencies()
    index = ensure_index_page()
    _grant(groups, index)
    return {"index": index.url_path, "competencies_created": created}
