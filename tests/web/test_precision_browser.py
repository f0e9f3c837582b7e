"""The precision pages in a real browser: the village chart draws, an overdue case is red."""

from pathlib import Path

import pytest

from tests.web.test_browser import browser  # noqa: F401  (the Playwright fixture)
from xiezuo.access import Role
from xiezuo.access.services import grant_give

PASSWORD = "a long test password"
RED = "rgb(185, 28, 28)"  # #b91c1c, the overdue colour of xiezuo.css

pytestmark = pytest.mark.browser


def test_county_page_and_monitoring_board(
    live_server,
    precision_registry,
    browser,  # noqa: F811
    django_user_model,
):
    """A county office signs in, opens its county's page (the treemap draws on a canvas) and
    the board, where U2's confirmation, 16 days after its clue, is overdue and red."""
    user = django_user_model.objects.create_user("kangbao", password=PASSWORD)
    grant_give(user=user, role=Role.COUNTY_OFFICE, region_code="130723")
    page = browser.page
    page.goto(f"{live_server.url}/precision/")
    page.fill("input[name=username]", "kangbao")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#village-treemap[data-ready='true']", timeout=20_000)
    assert page.url.endswith("/precision/130723/?year=2020")
    assert page.locator("#village-treemap canvas").count() >= 1
    leaves = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('village-treemap'))"
        ".getOption().series[0].data[0].children.map(v => [v.code, v.flagged])"
    )
    assert sorted(leaves) == [["130723100201", True], ["130723100202", False]]
    page.screenshot(path=str(Path("/tmp/precision-county.png")), full_page=True)

    page.click("nav.site-nav a:has-text('监测')")
    page.wait_for_selector("#case-filters")
    page.fill("#case-filters input[name=as_of]", "2020-03-17")
    page.click("#case-filters button[type=submit]")
    page.wait_for_selector("#case-table tr.overdue-row")
    u2 = precision_registry["U2"].household_no
    cell = page.locator(f"#case-table tr[data-household='{u2}'] td[data-overdue-cell='confirm']")
    assert cell.inner_text() == "2020-03-16"
    assert cell.evaluate("el => getComputedStyle(el).color") == RED
    page.screenshot(path=str(Path("/tmp/precision-board.png")), full_page=True)

    page.click(f"#case-table tr[data-household='{u2}'] td:first-child a")
    page.wait_for_selector("#case-timeline")
    page.screenshot(path=str(Path("/tmp/precision-case.png")), full_page=True)
    page.goto(f"{live_server.url}/monitoring/notice/130723100201/?year=2020")
    page.wait_for_selector("#village-notice")
    page.emulate_media(media="print")
    assert page.locator(".site-header").is_hidden()
    page.pdf(path="/tmp/precision-notice.pdf", format="A4")
    page.emulate_media(media="screen")
    page.screenshot(path=str(Path("/tmp/precision-notice.png")), full_page=True)
    assert browser.errors == []
