"""Lists: cursor pages, CSV and JSON Lines, the same rows as the selectors (never a row
outside the caller's access), personal data masked as on the pages, reads audited."""

import csv
import io
import json

import pytest

from xiezuo.access.models import AuditEvent
from xiezuo.access.selectors import access_for
from xiezuo.core.errors import ScopeError
from xiezuo.ingest.catalog import ledgers
from xiezuo.ingest.records import ledger_records_for
from xiezuo.registry.selectors import household_list

from .conftest import ROLES

pytestmark = pytest.mark.django_db


def _all_pages(client, url: str, limit: int) -> list[dict]:
    """Follow `next` from the first page to the last; return every item."""
    items: list[dict] = []
    cursor = None
    for _ in range(1000):
        joiner = "&" if "?" in url else "?"
        response = client.get(
            f"{url}{joiner}limit={limit}" + (f"&cursor={cursor}" if cursor else "")
        )
        assert response.status_code == 200, response.content[:300]
        page = response.json()
        items += page["items"]
        cursor = page["next"]
        if cursor is None:
            return items
    raise AssertionError("no last page")


def _body(response) -> str:
    return b"".join(response.streaming_content).decode("utf-8")


def test_pages_follow_the_cursor_to_the_end(households, bearer):
    """The programme office's five households in pages of two: 2, 2, 1, no repeats, in 户编号
    order."""
    client = bearer("programme_office")
    first = client.get("/api/households?limit=2").json()
    assert len(first["items"]) == 2
    assert first["next"]
    items = _all_pages(client, "/api/households", limit=2)
    numbers = [h["household_no"] for h in items]
    # A–E are registered in the programme; X lies outside it.
    expected = sorted(households[k].household_no for k in "ABCDE")
    assert numbers == expected


def test_a_cursor_not_given_by_the_api_answers_400(households, bearer):
    response = bearer("programme_office").get("/api/households?cursor=abc")
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_cursor"


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.name)
def test_lists_hold_the_selectors_rows_and_no_other(role, households, ledger_rows, users, bearer):
    """For every role, the households list and every ledger list hold exactly as many rows as
    the scoped selector returns for the same access (X, outside the programme, never)."""
    client = bearer(role.name)
    access = access_for(user=users[role.name], programme=_programme())
    items = _all_pages(client, "/api/households", limit=1000)
    assert len(items) == household_list(access=access).count()
    assert households["X"].household_no not in {h["household_no"] for h in items}
    assert all(access.covers(h["village"]) for h in items)
    for key, ledger in ledgers().items():
        try:
            expected = ledger_records_for(ledger, access=access).count()
        except ScopeError:  # a ledger the role may not read at all (posts for a cadre)
            assert client.get(f"/api/ledgers/{key}").status_code == 404, key
            continue
        rows = _all_pages(client, f"/api/ledgers/{key}", limit=1000)
        assert len(rows) == expected, key
    pairings = _all_pages(client, "/api/pairings", limit=1000)
    assert len(pairings) == len(access.pairing_ids)
    regions = _all_pages(client, "/api/regions", limit=1000)
    assert regions
    assert all(access.covers(r["code"]) for r in regions)
    assert not {"140121", "140121100201"} & {r["code"] for r in regions}


def _programme():
    from xiezuo.programs.selectors import programme_get

    return programme_get()


def test_the_county_office_reads_its_county_unmasked_and_the_helper_masked(
    households, ledger_rows, bearer
):
    """ID numbers as on the pages: the county office sees its county's; the helper office
    reads the paired county's households masked (first 6, last 4)."""
    a = households["A"]
    own = bearer("county_office").get(f"/api/households/{a.household_no}").json()
    assert own["householder_id_number"] == a.householder_id_number
    helper = bearer("helper_office").get(f"/api/households/{a.household_no}").json()
    number = a.householder_id_number
    assert helper["householder_id_number"] == number[:6] + "********" + number[-4:]
    members = bearer("helper_office").get(f"/api/households/{a.household_no}/members").json()
    assert all(m["masked"] and m["birth_date"] is None and m["health"] == "***" for m in members)
    rows = bearer("assessor").get("/api/ledgers/members?format=jsonl")
    for line in _body(rows).splitlines():
        member = json.loads(line)
        assert "*" in member["id_number"]
        assert member["birth_date"].endswith("岁")


def test_csv_and_json_lines_stream_every_row(households, bearer):
    """`?format=csv` and `Accept: text/csv` give the same CSV; JSON Lines one object a line."""
    client = bearer("county_office")
    by_param = client.get("/api/ledgers/members?format=csv")
    assert by_param.streaming
    assert by_param["Content-Type"].startswith("text/csv")
    by_accept = client.get("/api/ledgers/members", HTTP_ACCEPT="text/csv")
    text = _body(by_param)
    assert text == _body(by_accept)
    rows = list(csv.DictReader(io.StringIO(text)))
    # 康保: A (3 people), B (2), C (4).
    assert len(rows) == 9
    assert rows[0]["household"] == households["A"].household_no
    lines = _body(client.get("/api/ledgers/members", HTTP_ACCEPT="application/x-ndjson"))
    assert [json.loads(line)["name"] for line in lines.splitlines()] == [r["name"] for r in rows]


def test_csv_cells_that_would_run_as_formulas_are_quoted(households, bearer):
    households["A"].__class__.objects.filter(pk=households["A"].pk).update(
        householder_name="=HYPERLINK(1)"
    )
    text = _body(bearer("county_office").get("/api/households?format=csv"))
    assert "'=HYPERLINK(1)" in text


def test_year_and_region_filters(households, ledger_rows, bearer):
    """Funds: two a pairing (2019, 2020); the programme office's 2019 funds of 康保 are one."""
    client = bearer("programme_office")
    assert len(_all_pages(client, "/api/ledgers/funds", 100)) == 6
    assert len(_all_pages(client, "/api/ledgers/funds?year=2019", 100)) == 3
    rows = _all_pages(client, "/api/ledgers/funds?year=2019&region=130723", 100)
    assert [(r["recipient"], r["year"], r["amount"]) for r in rows] == [("130723", 2019, 100.0)]
    no_years = client.get("/api/ledgers/households?year=2019")
    assert no_years.status_code == 400
    assert no_years.json()["code"] == "invalid_filter"
    bad = client.get("/api/ledgers/funds?region=13072")
    assert bad.status_code == 400
    assert bad.json()["code"] == "invalid_request"


def test_reads_of_personal_ledgers_are_audited(households, ledger_rows, bearer):
    """A list of a ledger with personal fields writes who, what and how many rows; one
    without personal fields writes nothing."""
    client = bearer("county_office")
    client.get("/api/ledgers/members?format=csv")
    client.get("/api/ledgers/funds")
    client.get("/api/households?limit=2")
    events = list(
        AuditEvent.objects.order_by("id").values_list("username", "action", "what", "rows")
    )
    assert events == [
        ("county_office", "api_read", "/api/ledgers/members", 9),
        ("county_office", "api_read", "/api/households", 2),
    ]


def test_a_helper_seeing_members_unmasked_is_audited(households, users, bearer):
    """member_list audits an unmasked view by a helper-side user: 朝阳's office holds a
    grant over 一村 as well here."""
    from xiezuo.access import Role
    from xiezuo.access.services import grant_give

    grant_give(user=users["helper_office"], role=Role.HELPER_OFFICE, region_code="130723100201")
    a = households["A"]
    members = bearer("helper_office").get(f"/api/households/{a.household_no}/members").json()
    assert not any(m["masked"] for m in members)
    event = AuditEvent.objects.get()
    assert (event.action, event.what, event.rows) == ("view_unmasked", a.household_no, 3)


def test_a_households_precision_masks_a_members_id_as_its_page(households, bearer):
    """Measures received: the county office sees the member's ID number, the helper office
    its masked form."""
    import datetime as dt

    from xiezuo.precision.models import Measure

    a = households["A"]
    member = a.members.order_by("id").first()
    Measure.objects.create(
        household=a,
        category="产业帮扶",
        id_number=member.id_number,
        start_date=dt.date(2019, 3, 1),
        amount=500,
        unit="县农业局",
    )
    url = f"/api/households/{a.household_no}/precision"
    own = bearer("county_office").get(url).json()["measures"]
    assert [(m["person"], m["id_number"]) for m in own] == [(member.name, member.id_number)]
    helper = bearer("helper_office").get(url).json()["measures"]
    assert helper[0]["id_number"] == member.id_number[:6] + "********" + member.id_number[-4:]


def test_answers_are_not_kept_by_caches(households, bearer):
    """Every answer of the API, paged, streamed or an error, says no-store."""
    client = bearer("county_office")
    for url in ("/api/households", "/api/households?format=csv", "/api/households/nothing"):
        assert client.get(url)["Cache-Control"] == "no-store, private"


def test_the_docs_page_loads_its_scripts_from_this_site(client):
    """/api/docs serves Swagger UI from the site's static files: no CDN, no inline script
    (the pages' Content-Security-Policy)."""
    page = client.get("/api/docs").content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page
    assert "cdn" not in page
