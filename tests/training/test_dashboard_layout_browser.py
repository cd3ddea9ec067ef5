"""In Chromium: the cohort filters show their whole labels on a desktop and on a phone (375×740)."""

from pathlib import Path

import pytest

from resources.models import School
from training import enrolment

from .helpers import course, school, user
from .test_browser import signed_in

# Next to the journeys' screenshots, in the folder CI keeps.
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "training"

pytestmark = [
    pytest.mark.service("chromium"),
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

# A select is clipped when the text it shows is wider than the box drawn for it,
# (the arrow and padding take about 28 px), or when the box runs past the right edge of the screen.
CLIPPED = """() => [...document.querySelectorAll('form.filters select')].filter(select => {
    const probe = document.createElement('span');
    probe.style.cssText = 'position:absolute;visibility:hidden;white-space:nowrap';
    probe.style.font = getComputedStyle(select).font;
    probe.textContent = select.options[select.selectedIndex].text;
    document.body.appendChild(probe);
    const needed = probe.getBoundingClientRect().width;
    probe.remove();
    const box = select.getBoundingClientRect();
    return box.width < needed + 28 || box.right > document.documentElement.clientWidth;
}).map(select => select.name)"""


@pytest.mark.parametrize("size", [(1280, 800), (375, 740)], ids=["desktop", "phone"])
def test_the_status_filter_is_not_clipped(page, live_server, demo_site, size):
    school("QSZX", "青山乡中心小学", School.Area.RURAL)
    trainer = user("tr_layout", role="trainer")
    training_course = course("乡村教师研修课", kinds=("quiz",), trainers=[trainer])
    enrolment.enrol(user("t_village", school_code="QSZX", name=("李", "强")), training_course)
    page.set_viewport_size({"width": size[0], "height": size[1]})
    signed_in(page, live_server, trainer)

    page.goto(live_server.url + "/training/dashboard/")
    page.get_by_role("link", name="乡村教师研修课").click()
    page.get_by_label("状态").wait_for()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"dashboard-filters-{size[0]}x{size[1]}.png"), full_page=True)
    assert page.evaluate(CLIPPED) == []
