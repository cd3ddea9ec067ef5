"""Bad input never gets a 500: the page and the API answer every odd request sensibly."""

import pytest

from resources.models import Licence
from tests.resources.helpers import package
from tests.search.conftest import refresh

pytestmark = pytest.mark.django_db

ODD = [
    {"q": ""},
    {"q": "😀😀😀"},
    {"q": '"AND" OR * : ( ) [ ] { } ~ ^ \\ / -分数 +分数 NOT'},
    {"q": "分" * 10_000},
    {"q": "\x00分数\x00"},
    {"q": "ＦＥＮＳＨＵ"},
    {"q": "分数", "page": "-5"},
    {"q": "分数", "page": "99999999999999999999"},
    {"q": "分数", "page": "1.5"},
    {"q": "分数", "sort": "drop table"},
    {"q": "分数", "resource_type": "nonsense"},
    {"q": "分数", "stage": "大学", "grade": "十三年级", "subject": "<script>", "edition": "x" * 500},
    {"q": "分数", "award_level": "诺贝尔", "area": "moon", "school": "../../etc"},
    {"q": ["分数", "课件"]},
]


@pytest.mark.parametrize("params", ODD, ids=range(len(ODD)))
def test_odd_requests_get_an_answer(library, backend, client, params):
    package("小学数学 分数的初步认识", licence=Licence.PUBLIC, parts=False)
    refresh(backend)
    api = client.get("/api/search", params)
    assert api.status_code == 200
    body = api.json()
    assert isinstance(body["count"], int) and isinstance(body["results"], list)
    assert body["page"] >= 1
    page = client.get("/search/", params)
    assert page.status_code == 200
    assert "<script>" not in page.content.decode().split("<main>")[1], "echoed input is escaped"


def test_fullwidth_pinyin_is_understood(library, backend, client):
    package("小学数学 分数的初步认识", licence=Licence.PUBLIC, parts=False)
    refresh(backend)
    titles = [result["title"] for result in client.get("/api/search", {"q": "ＦＥＮＳＨＵ"}).json()["results"]]
    assert "小学数学 分数的初步认识" in titles
