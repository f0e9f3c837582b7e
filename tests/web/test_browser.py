"""The overview in a real browser: the county map draws all 23 counties without errors."""

import math
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from .conftest import RECIPIENTS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
SCREENSHOT = Path("/tmp/overview.png")

pytestmark = pytest.mark.browser


@dataclass
class Browser:
    """A page in Chromium and the console errors and page errors it has met."""

    page: Any
    errors: list[str]


@pytest.fixture
def browser(monkeypatch):
    """Yield a Playwright page in Debian's Chromium, with the console errors it collects."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{CHROMIUM} is missing and CI=true: the browser tier must run")
        pytest.skip(f"{CHROMIUM} is missing (apt-get install chromium); set CI=true to fail")
    # Playwright's sync API runs an event loop in this thread; Django's ORM would refuse to
    # run beside it without this, although the live server answers from its own thread.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1360, "height": 900}, locale="zh-CN")
        errors: list[str] = []
        page.on(
            "console",
            lambda message: (
                errors.append(f"console: {message.text}") if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: errors.append(f"page error: {error}"))
        try:
            yield Browser(page=page, errors=errors)
        finally:
            browser.close()


MAP_STATE = """() => {
  const chart = echarts.getInstanceByDom(document.getElementById('county-map'));
  const series = chart.getOption().series[0];
  const geometry = echarts.getMap('zcb').geoJSON;
  return {
    data: series.data.map(d => ({name: d.name, value: d.value, county: d.county || null})),
    nameProperty: series.nameProperty,
    adcodes: geometry.features.map(f => f.properties.adcode),
  };
}"""


def test_overview_map_draws_every_county(live_server, full_programme, browser):
    """The map holds data for all 23 counties, its geometry knows them, the year switch works."""
    page = browser.page
    page.goto(f"{live_server.url}/")
    page.wait_for_selector("#county-map[data-ready='true']", timeout=20_000)
    page.wait_for_function(
        "() => echarts.getInstanceByDom(document.getElementById('county-map'))"
        ".getOption().series[0].data.length > 0"
    )
    state = page.evaluate(MAP_STATE)
    by_code = {entry["name"]: entry["value"] for entry in state["data"] if entry["county"]}
    assert set(by_code) == set(RECIPIENTS)
    assert all(isinstance(v, int | float) and math.isfinite(v) for v in by_code.values())
    # ECharts fills in the other counties of the geometry, without a value: they stay grey.
    others = [entry["value"] for entry in state["data"] if not entry["county"]]
    assert others
    assert all(value is None or math.isnan(value) for value in others)
    assert state["nameProperty"] == "adcode"
    assert set(RECIPIENTS) <= set(state["adcodes"])

    exited_2020 = page.inner_text("[data-tile='exited'] .tile-value")
    # Each county has one household of 3 people exiting in 2019 and one in 2020.
    assert exited_2020 == str(3 * len(RECIPIENTS))
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    page.click(".year-switch a[data-year='2018']")
    page.wait_for_selector("#county-map[data-ready='true']")
    assert page.inner_text("[data-tile='exited'] .tile-value") == "0"
    assert "2018" in page.inner_text(".year-switch a.active")
    assert browser.errors == []


def test_county_office_signs_in_and_pages_its_households(
    live_server, full_programme, browser, django_user_model
):
    """Through the login form, a county office reaches its households and one household."""
    from xiezuo.access import Role
    from xiezuo.access.services import grant_give

    user = django_user_model.objects.create_user("kangbao", password="a long test password")
    grant_give(user=user, role=Role.COUNTY_OFFICE, region_code="130723")
    page = browser.page
    page.goto(f"{live_server.url}/households/")
    page.fill("input[name=username]", "kangbao")
    page.fill("input[name=password]", "a long test password")
    page.click("button[type=submit]")
    page.wait_for_selector("#household-table")
    numbers = page.locator("#household-table tbody td:first-child a").all_inner_texts()
    assert numbers
    assert all(number.startswith("130723") for number in numbers)
    page.screenshot(path="/tmp/households.png", full_page=True)
    page.click("#household-table tbody td:first-child a >> nth=0")
    page.wait_for_selector("text=家庭成员")
    page.screenshot(path="/tmp/household.png", full_page=True)
    assert browser.errors == []
