"""The 督导 office and a school leader: rural flows, an export, and one 整改 item from opening to 销号.

supervisor1 opens 教育督导 from the admin's menu, filters to 乡村, reads the
flow chart and the table beside it, and exports that table to Excel; then
opens a 整改 item for 青山乡中心小学. school_leader1 (that school) finds it,
starts the work and hands it in for re-inspection; the supervisor closes it.
"""

import io

import openpyxl

from tests.journeys.conftest import JOURNEY_MARKS

pytestmark = JOURNEY_MARKS


def test_supervisor_follows_rural_flows_and_a_school_leader_answers_a_rectification(person):
    supervisor = person("supervisor")
    page = supervisor.go("/")
    supervisor.sign_in("supervisor1")
    page.get_by_role("link", name="工作台").click()
    page.get_by_role("navigation").get_by_role("link", name="教育督导").click()
    page.wait_for_load_state()
    page.get_by_role("combobox", name="城乡").select_option(label="乡村")
    page.get_by_role("button", name="筛选").click()
    page.wait_for_load_state()
    assert "area=rural" in page.url
    chart = page.get_by_role("figure")
    assert "城区 → 乡村" in chart.inner_text()
    flows = page.locator("table[data-table=flows]")
    urban_to_rural = flows.get_by_role("row").filter(has_text="城区 → 乡村").get_by_role("cell").nth(1).inner_text()
    assert urban_to_rural.isdigit() and int(urban_to_rural) > 0, urban_to_rural
    supervisor.shoot("01-rural-flows")

    with page.expect_download() as download:
        page.locator("#table-flows").get_by_role("link", name="导出 Excel").click()
    assert download.value.suggested_filename.endswith(".xlsx")
    sheet = openpyxl.load_workbook(io.BytesIO(open(download.value.path(), "rb").read())).worksheets[0]
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert str(rows["城区 → 乡村"]) == urban_to_rural

    page.get_by_role("navigation", name="督导").get_by_role("link", name="整改台账").click()
    page.get_by_role("link", name="新建整改事项").click()
    page.get_by_label("学校").select_option(label="青山乡中心小学")
    page.get_by_label("指标").select_option(label="生均体育运动场馆面积（㎡）")
    page.get_by_label("问题").fill("生均体育运动场馆面积 6.3 平方米，未达到标准的 85%")
    page.get_by_label("整改期限").fill("2099-06-30")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "待整改" in page.get_by_role("heading", level=1).inner_text()
    item_url = page.url
    supervisor.shoot("02-item-opened")

    leader = person("school-leader")
    their = leader.go("/")
    leader.sign_in("school_leader1")
    leader.go("/supervision/ledger/")
    their.get_by_role("link", name="生均体育运动场馆面积 6.3").click()
    their.get_by_label("状态").select_option(label="整改中")
    their.get_by_label("责任人").fill("吴建国")
    their.get_by_label("整改措施").fill("平整操场西侧空地，新增篮球场一块")
    their.get_by_role("button", name="保存").click()
    their.wait_for_load_state()
    their.get_by_label("状态").select_option(label="待复查")
    their.get_by_label("说明").fill("篮球场已建成，请复查")
    their.get_by_role("button", name="保存").click()
    their.wait_for_load_state()
    assert "待复查" in their.get_by_role("heading", level=1).inner_text()
    assert [
        option for option in their.get_by_label("状态").locator("option").all_inner_texts() if "销号" in option
    ] == []
    leader.shoot("03-handed-in")

    page.goto(item_url)
    page.get_by_label("状态").select_option(label="已销号")
    page.get_by_label("复查意见").fill("现场复查合格")
    page.get_by_role("button", name="保存").click()
    page.wait_for_load_state()
    assert "已销号" in page.get_by_role("heading", level=1).inner_text()
    history = page.locator(".sv-history").inner_text()
    for step in ("待整改", "待整改 → 整改中", "整改中 → 待复查", "待复查 → 已销号"):
        assert step in history, history
    supervisor.shoot("04-closed")
