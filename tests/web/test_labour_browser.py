"""The labour pages in a real browser: the Sankey draws the flow from the county to the
workplaces, and the tracking page opens, without a console error (CSP included)."""

import datetime as dt
from pathlib import Path

import pytest

from tests.web.test_browser import browser  # noqa: F401  (the Playwright fixture)
from xiezuo.access import Role
from xiezuo.access.services import grant_give
from xiezuo.ledgers.models import LabourTransfer
from xiezuo.programs.models import Pairing

PASSWORD = "a long test password"

pytestmark = pytest.mark.browser


def test_the_flow_chart_draws_the_county_and_its_workplaces(
    live_server,
    registry,
    browser,  # noqa: F811
    django_user_model,
):
    pairing = Pairing.objects.get(helper_id="110105", recipient_id="130723")
    for n, (member, workplace) in enumerate(
        [(m, "110105") for m in registry["A"].members.all()]
        + [(m, "130723") for m in registry["B"].members.all()]
    ):
        LabourTransfer.objects.create(
            pairing=pairing,
            id_number=member.id_number,
            household=member.household,
            workplace_code=workplace,
            employer=f"单位{n}",
            start_date=dt.date(2019, 3, 1),
            organisation="有组织",
        )
    user = django_user_model.objects.create_user("kangbao", password=PASSWORD)
    grant_give(user=user, role=Role.COUNTY_OFFICE, region_code="130723")
    page = browser.page
    page.goto(f"{live_server.url}/labour/?year=2019")
    page.fill("input[name=username]", "kangbao")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("#labour-sankey[data-ready='true']", timeout=20_000)
    assert page.locator("#labour-sankey canvas").count() >= 1
    links = page.evaluate(
        "() => echarts.getInstanceByDom(document.getElementById('labour-sankey'))"
        ".getOption().series[0].links.map(l => l.value)"
    )
    # 康保's 5 labourers: A's 3 to 朝阳, B's 2 at home.
    assert sorted(links) == [2, 3]
    page.wait_for_timeout(1500)  # the chart's entry animation, for the screenshot
    page.screenshot(path=str(Path("/tmp/labour-overview.png")), full_page=True)
    page.click("nav.tabs a:has-text('稳岗跟踪')")
    page.wait_for_load_state()
    assert "稳岗" in page.title() or "稳岗" in page.inner_text("h1")
    assert browser.errors == []
