"""The scorecard in a real browser: a red cell leads to the records behind its number."""

import re
from pathlib import Path
from urllib.parse import unquote

import pytest

from tests.assessment.conftest import BEIJING_TARGETS, assessment_data  # noqa: F401  (a fixture)
from tests.web.test_browser import browser  # noqa: F401  (the Playwright fixture)
from xiezuo.access import Access, Role
from xiezuo.access.services import grant_give
from xiezuo.assessment.selectors import drilldown
from xiezuo.assessment.services import assessment_run, targets_load

SCREENSHOT = Path("/tmp/assessment-scorecard.png")
PASSWORD = "a long test password"

pytestmark = pytest.mark.browser


@pytest.fixture
def assessed(programme, assessment_data):  # noqa: F811
    targets_load(programme=programme, years=[2019], path=BEIJING_TARGETS)
    return assessment_run(access=Access.operator(programme), programme=programme, year=2019)


def sign_in(page, base_url: str, django_user_model) -> None:
    user = django_user_model.objects.create_user("bjxzb", password=PASSWORD)
    grant_give(user=user, role=Role.PROGRAMME_OFFICE, region_code="110000")
    page.goto(f"{base_url}/assessment/?side=pairing")
    page.fill("input[name=username]", "bjxzb")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#scorecard")


def test_a_red_cell_leads_to_the_records_behind_it(
    live_server,
    assessed,
    browser,  # noqa: F811
    django_user_model,
):
    page = browser.page
    sign_in(page, live_server.url, django_user_model)
    red = page.locator("#scorecard tbody td[data-band='red'] a").first
    href = red.get_attribute("href")
    number = red.inner_text()
    page.screenshot(path=str(SCREENSHOT), full_page=True)

    red.click()
    page.wait_for_selector("#drill-facts")

    found = re.search(r"/assessment/drill/(\d+)/(\w+)/(\w+)/([^/]+)/$", page.url)
    assert found
    run_id, indicator, unit_type, unit = found.groups()
    assert page.url.endswith(href)
    assert int(run_id) == assessed.pk
    assert page.inner_text("[data-fact='value']").startswith(number)
    shown = set(
        page.eval_on_selector_all("tr[data-record]", "rows => rows.map(r => r.dataset.record)")
    )
    expected = {
        f"{d.ledger}:{pk}"
        for d in drilldown(
            assessed,
            indicator,
            unit_type,
            unquote(unit),
            access=Access.operator(assessed.programme),
        )
        for pk in d.ids
    }
    assert shown == expected
    assert shown
    assert browser.errors == []


def test_the_unit_page_draws_its_charts(
    live_server,
    assessed,
    browser,  # noqa: F811
    django_user_model,
):
    page = browser.page
    sign_in(page, live_server.url, django_user_model)
    page.click("#scorecard tbody th a >> nth=0")
    page.wait_for_selector("#area-chart[data-ready='true']")
    page.wait_for_selector("#trend-chart[data-ready='true']")
    radar = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('area-chart'))"
        ".getOption().series[0].data[0].value.length"
    )
    assert radar == 6
    assert browser.errors == []
