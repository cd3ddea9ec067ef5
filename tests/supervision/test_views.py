"""The supervision pages: who sees which school, 「<5」 on pages and exports alike, the ledger, bounded queries."""

import csv
import datetime
import io

import openpyxl
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from resources.models import School
from supervision import ledger, rollup
from supervision.models import DailyUsage, RectificationItem, UsageKind
from supervision.models import RectificationStatus as S
from supervision.usage import record_online_use
from tests.clients import signed_in
from tests.resources.helpers import package

from .helpers import school, stats, teacher

pytestmark = [pytest.mark.service("postgres"), pytest.mark.django_db]
DAY = timezone.localdate() - datetime.timedelta(days=2)
PERIOD = f"year={DAY.year}&from={DAY.isoformat()}&to={DAY.isoformat()}"


@pytest.fixture
def people(library):
    return {
        "leader": teacher("leader_qs", "QSZX", "school_leader"),
        "supervisor": teacher("supervisor_x", "CGYX", "supervisor"),
        "teacher": get_user_model().objects.get(username="teacher1"),
    }


@pytest.fixture
def plays(library):
    """Three rural teachers of 青山乡中心小学 play an urban lesson: a flow of 3 resting on 3 teachers."""
    lesson = package("认识分数", school_code="CGYX", parts=False)
    when = timezone.make_aware(datetime.datetime.combine(DAY, datetime.time(9)))
    for number in range(3):
        record_online_use(user=teacher(f"qs{number}", "QSZX"), lesson=lesson, kind=UsageKind.PLAY, when=when)
    rollup.run()
    return lesson


def test_a_school_leader_sees_only_their_own_school(people, plays):
    stats("CGYX", 1000, year=DAY.year)
    stats("QSZX", 300, year=DAY.year, area="rural")
    leader = signed_in(people["leader"])
    page = leader.get(reverse("supervision:sharing") + "?" + PERIOD).content.decode()
    assert "只显示本校" in page and "QSZX" in page
    assert "CGYX</td>" not in page  # no other school's row
    balance = leader.get(reverse("supervision:balance") + f"?year={DAY.year}").content.decode()
    assert "QSZX</td>" in balance and "CGYX</td>" not in balance
    assert "cv_primary" not in balance  # the county figures are the supervisors'
    other = ledger.open_item(people["supervisor"], school=School.objects.get(code="CGYX"), year=DAY.year,
                             finding="体育场馆不足", deadline=DAY)  # fmt: skip
    own = ledger.open_item(people["supervisor"], school=School.objects.get(code="QSZX"), year=DAY.year,
                           finding="多媒体教室不足", deadline=DAY)  # fmt: skip
    listing = leader.get(reverse("supervision:ledger")).content.decode()
    assert "多媒体教室不足" in listing and "体育场馆不足" not in listing
    assert leader.get(reverse("supervision:ledger_item", args=[other.pk])).status_code == 404
    assert leader.get(reverse("supervision:ledger_item", args=[own.pk])).status_code == 200
    export = leader.get(reverse("supervision:sharing") + "?" + PERIOD + "&export=csv&table=schools")
    rows = list(csv.reader(io.StringIO(b"".join(export.streaming_content).decode("utf-8-sig"))))
    assert [row[0] for row in rows[1:]] == ["QSZX"]


def test_teachers_and_anonymous_visitors_are_refused(people):
    assert signed_in(people["teacher"]).get(reverse("supervision:sharing")).status_code == 403
    assert signed_in(people["teacher"]).get(reverse("supervision:ledger")).status_code == 403
    assert signed_in(people["leader"]).get(reverse("supervision:ledger_new")).status_code == 403
    assert signed_in(people["supervisor"]).get(reverse("supervision:sharing")).status_code == 200


def test_few_teachers_show_less_than_5_on_the_page_and_in_both_exports(people, plays):
    supervisor = signed_in(people["supervisor"])
    url = reverse("supervision:sharing") + "?" + PERIOD
    page = supervisor.get(url).content.decode()
    assert "<td>城区 → 乡村</td><td>&lt;5</td>" in page
    response = supervisor.get(url + "&export=csv&table=flows")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode("utf-8-sig"))))
    assert rows[1] == ["城区 → 乡村", "<5"]
    response = supervisor.get(url + "&export=xlsx&table=schools")
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).worksheets[0]
    values = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert values["QSZX"][4] == "<5" and values["CGYX"][5] == "<5"


def test_exports_are_formula_safe(people, library):
    school("=HYPERLINK(1)")  # a school code a spreadsheet would run
    supervisor = signed_in(people["supervisor"])
    response = supervisor.get(reverse("supervision:sharing") + "?" + PERIOD + "&export=csv&table=schools")
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text


def test_the_ledger_from_opening_to_closing(people):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    item = ledger.open_item(people["supervisor"], school=School.objects.get(code="QSZX"), year=2026,
                            finding="多媒体教室不足", deadline=yesterday)  # fmt: skip
    leader, supervisor = signed_in(people["leader"]), signed_in(people["supervisor"])
    listing = leader.get(reverse("supervision:ledger")).content.decode()
    assert 'class="overdue"' in listing and "已逾期" in listing
    url = reverse("supervision:ledger_item", args=[item.pk])
    leader.post(url, {"status": S.IN_PROGRESS, "responsible_person": "吴建国", "measures": "新建两间多媒体教室"})
    leader.post(
        url, {"status": S.AWAITING_REVIEW, "responsible_person": "吴建国", "measures": "已完成", "note": "请复查"}
    )
    refused = leader.post(url, {"status": S.CLOSED, "responsible_person": "吴建国", "measures": "已完成"})
    assert refused.status_code == 200  # the form again: 已销号 is not theirs to choose
    item.refresh_from_db()
    assert (item.status, item.responsible_person) == (S.AWAITING_REVIEW, "吴建国")
    supervisor.post(url, {"status": S.CLOSED, "review_notes": "复查合格", "responsible_person": "吴建国",
                          "measures": "已完成", "deadline": item.deadline.isoformat()})  # fmt: skip
    item.refresh_from_db()
    assert (item.status, item.review_notes, item.is_overdue()) == (S.CLOSED, "复查合格", False)
    history = [(event.from_status, event.to_status) for event in item.events.all()]
    assert history == [("", S.PENDING), (S.PENDING, S.IN_PROGRESS), (S.IN_PROGRESS, S.AWAITING_REVIEW),
                       (S.AWAITING_REVIEW, S.CLOSED)]  # fmt: skip
    assert item.events.get(to_status=S.IN_PROGRESS).changes["measures"] == ["", "新建两间多媒体教室"]
    assert RectificationItem.objects.count() == 1


def _queries(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.parametrize("name", ["supervision:sharing", "supervision:training", "supervision:balance",
                                  "supervision:showcase"])  # fmt: skip
def test_each_page_makes_the_same_number_of_queries_whatever_the_data(people, plays, name):
    supervisor = signed_in(people["supervisor"])
    url = reverse(name) + "?" + PERIOD
    supervisor.get(url)  # warm what is read once per process (content types, sites)
    before = _queries(supervisor, url)
    # Ten times the schools, teachers, days and statistics.
    lesson = plays
    for number in range(30):
        other = school(f"S{number:02d}", area="rural" if number % 2 else "urban", town=f"镇{number % 5}")
        stats(other.code, 200 + number, year=DAY.year)
        teacher(f"t{number}", other.code)
        for days in range(3):
            DailyUsage.objects.create(day=DAY - datetime.timedelta(days=days), lesson=lesson, consumer_school=other,
                                      consumer_area=other.area, producer_school=School.objects.get(code="CGYX"),
                                      producer_area="urban", plays=3, teachers=2)  # fmt: skip
    after = _queries(supervisor, url)
    assert after == before
    assert after <= 25
