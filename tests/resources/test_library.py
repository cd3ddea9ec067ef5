"""Who sees and edits what in the lesson library, and what the pages show."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from wagtail.models import Page

from resources import api
from resources.models import Licence
from tests.resources.helpers import package

pytestmark = pytest.mark.django_db


def user(name):
    return get_user_model().objects.get(username=name)


def test_draft_is_invisible_everywhere(library, client):
    draft = package("草稿课例", owner=user("teacher1"), live=False)
    client.force_login(user("teacher2"))
    assert draft not in api.visible_packages(user("teacher2"))
    assert client.get(draft.url_path.replace("/home", "", 1)).status_code == 404
    textbook_page = client.get(f"/curriculum/textbook/{draft.textbook_id}/")
    assert "草稿课例" not in textbook_page.content.decode()


def test_signed_in_licence_hides_from_anonymous_visitors(library, client):
    page = package("仅限登录", licence=Licence.SIGNED_IN)
    public = package("公开课例", licence=Licence.PUBLIC, lesson="几分之几")
    assert list(api.visible_packages(AnonymousUser())) == [public]
    response = client.get(page.url)
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get(public.url).status_code == 200
    client.force_login(user("teacher2"))
    assert client.get(page.url).status_code == 200


def test_teacher_edits_only_own_packages(library):
    mine = package("我的课例", owner=user("teacher1"))
    theirs = package("别人的课例", owner=user("teacher2"), lesson="几分之几")
    teacher = user("teacher1")
    assert mine.permissions_for_user(teacher).can_edit()
    assert not theirs.permissions_for_user(teacher).can_edit()
    assert not theirs.permissions_for_user(teacher).can_delete()
    assert Page.objects.get(slug="lessons").permissions_for_user(teacher).can_add_subpage()
    assert not mine.permissions_for_user(teacher).can_publish(), "teachers submit for review, they do not publish"


def test_teacher_cannot_open_another_teachers_edit_page(library, client):
    theirs = package("别人的课例", owner=user("teacher2"))
    client.force_login(user("teacher1"))
    response = client.get(f"/admin/pages/{theirs.pk}/edit/")
    assert response.status_code in {302, 403}
    client.force_login(user("teacher2"))
    assert client.get(f"/admin/pages/{theirs.pk}/edit/").status_code == 200


def test_package_page_has_jsonld_for_harvesting(library, client):
    page = package("分数的初步认识", licence=Licence.PUBLIC, award_level="district", teacher_name="王芳")
    html = client.get(page.url).content.decode()
    data = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert data["@type"] == "LearningResource"
    assert data["dc:creator"] == "王芳"
    targets = {a["alignmentType"]: a["targetName"] for a in data["educationalAlignment"]}
    assert targets["educationalSubject"] == "数学"
    assert targets["teaches"] == "几分之一"
    assert data["award"] == "区级优课"
    assert "其他版本中的同一课" in html and "分一分（一）" in html


def test_jsonld_cannot_break_out_of_its_script(library, client):
    page = package("</script><script>alert(1)</script>", licence=Licence.PUBLIC)
    html = client.get(page.url).content.decode()
    assert "<script>alert(1)" not in html


def test_view_count_increments(library, client):
    page = package("浏览计数", licence=Licence.PUBLIC)
    client.get(page.url)
    client.get(page.url)
    page.refresh_from_db()
    assert page.view_count == 2


def test_placement_is_derived_from_the_lesson(library):
    page = package("位置", lesson="运动的快慢", school_code="QSCZ")
    assert (page.stage.name, page.grade.name, page.subject.name, page.edition.name) == (
        "初中",
        "八年级",
        "物理",
        "人教版",
    )
    assert page.placement_label == "初中 · 物理 · 人教版 · 八年级上册 · 运动的快慢"


def test_files_of_a_draft_are_not_served_to_others(library, client):
    owner = user("teacher1")
    draft = package("草稿附件", owner=owner, live=False)
    doc = draft.parts.first().document
    doc.uploaded_by_user = owner
    doc.save()
    url = doc.url
    assert client.get(url).status_code == 302  # anonymous → login
    client.force_login(user("teacher2"))
    assert client.get(url).status_code == 403
    client.force_login(owner)
    assert client.get(url).status_code in {200, 302}  # served, or redirected to a signed S3 URL
    client.force_login(user("district_reviewer1"))
    assert client.get(url).status_code in {200, 302}


def test_files_of_a_public_lesson_are_served_to_anyone(library, client):
    page = package("公开附件", licence=Licence.PUBLIC)
    response = client.get(page.parts.first().document.url)
    assert response.status_code in {200, 302}
    if response.status_code == 302:
        assert "X-Amz-Signature" in response["Location"], "only signed, expiring storage URLs"
