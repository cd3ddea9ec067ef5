"""A teacher of another school learns nothing of a draft by counting ids: every admin entry point answers 404.

Teacher A (school CGYX) has a draft "甲校草稿标题"; teacher B (school QSZX)
asks each URL that names it. A, A's school reviewer and district staff still see it.
"""

import pytest
from django.contrib.auth import get_user_model
from wagtail.models import Task

from resources.models import LessonIndexPage
from tests.resources.test_access_scope import at_school, draft_by

pytestmark = pytest.mark.django_db

TITLE = "甲校草稿标题"


@pytest.fixture
def draft(library):
    author = at_school("teacher1", "CGYX")
    page, doc = draft_by(author, TITLE)
    page.tags.add("甲校秘密关键词")
    page.save_revision(user=author)
    return {
        "page": page,
        "doc": doc,
        "file": doc.file.name.rsplit("/", 1)[-1],
        "author": author,
        "reviewer": at_school("school_reviewer1", "CGYX"),
        "district": get_user_model().objects.get(username="district_reviewer1"),
        "other": at_school("teacher2", "QSZX"),
    }


def refused(client, draft, url, **params):
    client.force_login(draft["other"])
    response = client.get(url, params)
    body = response.content.decode()
    assert response.status_code == 404, (url, response.status_code)
    assert TITLE not in body and draft["file"] not in body


def allowed(client, draft, url, viewers=("author", "reviewer", "district"), **params):
    for who in viewers:
        client.force_login(draft[who])
        response = client.get(url, params)
        # Wagtail's own permissions may still send some of them away (302); what matters is no 404 here.
        assert response.status_code != 404, (url, who)


@pytest.mark.parametrize(
    "path",
    ["/admin/pages/{id}/", "/admin/pages/{id}/edit/", "/admin/pages/{id}/history/", "/admin/pages/{id}/revisions/",
     "/admin/pages/{id}/usage/", "/admin/choose-page/{id}/"],
)  # fmt: skip
def test_page_views_by_id(client, draft, path):
    url = path.format(id=draft["page"].pk)
    refused(client, draft, url)
    allowed(client, draft, url, viewers=("author", "district"))


def test_chooser_chosen_multiple(client, draft):
    url = "/admin/choose-page/chosen-multiple/"
    refused(client, draft, url, id=draft["page"].pk)
    allowed(client, draft, url, id=draft["page"].pk)


def test_bulk_action_confirmation(client, draft):
    index = LessonIndexPage.objects.get()
    url = "/admin/bulk/wagtailcore/page/delete/"
    refused(client, draft, url, id=draft["page"].pk, next=f"/admin/pages/{index.pk}/")
    client.force_login(draft["author"])
    assert TITLE in client.get(url, {"id": draft["page"].pk}).content.decode()


def test_documents_api_lists_and_finds_only_visible_files(client, draft):
    client.force_login(draft["other"])
    listing = client.get("/admin/api/main/documents/").content.decode()
    assert draft["doc"].title not in listing
    assert client.get(f"/admin/api/main/documents/{draft['doc'].pk}/").status_code == 404
    for who in ("author", "reviewer", "district"):
        client.force_login(draft[who])
        assert client.get(f"/admin/api/main/documents/{draft['doc'].pk}/").status_code == 200, who


def test_document_chooser_chosen(client, draft):
    url = f"/admin/documents/chooser/chosen/{draft['doc'].pk}/"
    refused(client, draft, url)
    allowed(client, draft, url)


def test_tag_autocomplete(client, draft):
    client.force_login(draft["other"])
    assert client.get("/admin/tag-autocomplete/", {"term": "甲校"}).json() == []
    client.force_login(draft["author"])
    assert client.get("/admin/tag-autocomplete/", {"term": "甲校"}).json() == ["甲校秘密关键词"]


def test_page_types_usage_report(client, draft):
    client.force_login(draft["other"])
    response = client.get("/admin/reports/page-types-usage/")
    assert response.status_code in (200, 302, 403)
    assert TITLE not in response.content.decode()


def test_workflow_preview_and_actions(client, draft):
    task = Task.objects.first()
    if task is None:
        pytest.skip("no workflow task configured")
    page = draft["page"]
    refused(client, draft, f"/admin/pages/{page.pk}/workflow/preview/{task.pk}/")
    client.force_login(draft["other"])
    response = client.post(f"/admin/pages/{page.pk}/workflow/action/approve/1/")
    assert response.status_code == 404 and TITLE not in response.content.decode()
