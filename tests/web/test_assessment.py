"""The assessment pages: scorecard, unit page, drill-down, rectification, and who gets them."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.assessment.conftest import BEIJING_TARGETS, assessment_data  # noqa: F401  (a fixture)
from xiezuo.access import Access, Role
from xiezuo.assessment.models import AssessmentRun, RectificationItem
from xiezuo.assessment.rectification.services import rectification_draft
from xiezuo.assessment.selectors import drilldown
from xiezuo.assessment.services import assessment_run, targets_load
from xiezuo.core.ids import mask_id
from xiezuo.ledgers.models import LabourTransfer, Project
from xiezuo.web.assessment.display import band

KB, HA, FN = "110105→130723", "110116→130728", "110116→130826"
AS_OF = dt.date(2019, 6, 30)
IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}


@pytest.fixture
def assessed(programme, assessment_data):  # noqa: F811
    """The fixture programme assessed for 2019: a year-end run, then an in-year run (latest)."""
    targets_load(programme=programme, years=[2018, 2019], path=BEIJING_TARGETS)
    assessment_run(access=Access.operator(programme), programme=programme, year=2018)
    year_end = assessment_run(access=Access.operator(programme), programme=programme, year=2019)
    in_year = assessment_run(
        access=Access.operator(programme), programme=programme, year=2019, as_of=AS_OF
    )
    return year_end, in_year


@pytest.fixture
def as_user(client, make_user):
    """Sign the test client in as a new user holding one grant."""

    def login(role: Role | None, region: str | None = None):
        user = make_user(f"{role or 'none'}-{region}", role, region)
        client.force_login(user)
        return user

    return login


def cells(html: str, unit: str) -> dict[str, tuple[str, str, str | None]]:
    """Return a scorecard row's value cells: indicator → (text, band, link)."""
    row = re.search(rf'<tr data-unit="{re.escape(unit)}"[^>]*>(.*?)</tr>', html, re.S)
    assert row, f"row {unit} not found"
    found = {}
    for attrs, body in re.findall(r"<td ([^>]*data-indicator[^>]*)>(.*?)</td>", row.group(1)):
        indicator = _group(r'data-indicator="(\w+)"', attrs)
        colour = _group(r'data-band="([\w-]+)"', attrs)
        link = re.search(r'href="([^"]+)"', body)
        text = re.sub(r"<[^>]+>", "", body).strip()
        found[indicator] = (text, colour, link.group(1) if link else None)
    return found


def _group(pattern: str, text: str) -> str:
    found = re.search(pattern, text, re.S)
    assert found, pattern
    return found.group(1)


def drill_url(run, indicator, unit_type, unit):
    return reverse("web:assessment-drill", args=[run.pk, indicator, unit_type, unit])


# --- who gets in ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "/assessment/",
        "/assessment/helper/110105/",
        "/assessment/rectification/",
        "/assessment/drill/1/I08/helper/110105/",
    ],
)
def test_anonymous_readers_are_sent_to_sign_in(client, programme, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_a_cadre_or_a_user_without_grant_is_refused(client, as_user, assessed):
    as_user(Role.CADRE, "130723100201")
    assert client.get(reverse("web:assessment")).status_code == 403
    as_user(None)
    assert client.get(reverse("web:assessment")).status_code == 403


# --- the scorecard --------------------------------------------------------------------------


def test_the_scorecard_shows_the_latest_run_with_figures_totals_grades_and_ranks(
    client, as_user, assessed
):
    _, in_year = assessed
    as_user(Role.ASSESSOR, "110000")
    response = client.get(reverse("web:assessment"), {"side": "helper"})
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["card"].run == in_year
    assert f'data-run="{in_year.pk}"' in html
    huairou = cells(html, "110116")
    assert huairou["I08"][0] == "800.00"
    assert huairou["I14"][0] == "500.00"
    assert huairou["I11"][0] == "100.0"
    assert huairou["O1"][0] == "1.0"  # outcomes over the union of its counties (怀安, 丰宁)
    for row in response.context["rows"]:
        unit = in_year.units.get(unit_type="helper", unit=row.unit)
        assert (row.score, row.grade, row.rank) == (unit.score, unit.grade, unit.rank)
    assert [r.unit for r in response.context["rows"]] == list(
        in_year.units.filter(unit_type="helper")
        .order_by("rank", "unit")
        .values_list("unit", flat=True)
    )


def test_the_scorecard_colours_each_cell_by_its_score_share(client, as_user, assessed):
    year_end, _ = assessed
    as_user(Role.PROGRAMME_OFFICE, "110000")
    html = client.get(
        reverse("web:assessment"), {"year": 2019, "run": year_end.pk, "side": "pairing"}
    ).content.decode()
    kangbao, fengning = cells(html, KB), cells(html, FN)
    assert kangbao["I02"][1] == "green"  # 1 of 1 meeting
    assert kangbao["I12"][1] == "green"  # 81.25 % against 90 %: 90.3 % of the target
    assert kangbao["I11"][1] == "amber"  # 62.5 % against 80 %: 78 %
    assert kangbao["I08"][1] == "red"  # 1,500.5 of 3,800 万元
    assert kangbao["O2"][1] == "no-target"  # outcomes score nothing
    assert fengning["I11"] == ("—", "no-value", None)  # no projects: no value, no link


@pytest.mark.parametrize(
    ("value", "target", "direction", "colour"),
    [
        ("9", "10", "higher", "green"),
        ("8.99", "10", "higher", "amber"),
        ("6", "10", "higher", "amber"),
        ("5.99", "10", "higher", "red"),
        ("0", "10", "higher", "red"),
        ("12", "10", "higher", "green"),
        ("-5", "10", "higher", "red"),
        ("3", None, "higher", "no-target"),
        (None, "10", "higher", "no-value"),
        ("2.2", "2", "lower", "green"),
        ("4", "2", "lower", "red"),
    ],
)
def test_colour_bands(value, target, direction, colour):
    """≥ 90 % of the target green, ≥ 60 % amber, below red; no target grey; no value blank."""

    def as_decimal(text: str | None) -> Decimal | None:
        return None if text is None else Decimal(text)

    assert band(as_decimal(value), as_decimal(target), direction) == colour


def test_the_scorecard_filters_by_side_and_area(client, as_user, assessed):
    as_user(Role.PROGRAMME_OFFICE, "110000")
    response = client.get(reverse("web:assessment"), {"side": "pairing", "area": "资金支持"})
    assert {r.unit for r in response.context["rows"]} == {KB, HA, FN}
    assert [c.indicator.id for c in response.context["columns"]] == [
        "I08", "I09", "I10", "I11", "I12",
    ]  # fmt: skip
    recipients = client.get(reverse("web:assessment"), {"side": "recipient"}).context
    assert {r.unit for r in recipients["rows"]} == {"130723", "130728", "130826"}
    assert recipients["columns"][-1].indicator.id == "O4"


def test_every_value_links_to_its_drill_down(client, as_user, assessed):
    _, in_year = assessed
    as_user(Role.PROGRAMME_OFFICE, "110000")
    html = client.get(reverse("web:assessment"), {"side": "pairing"}).content.decode()
    for unit in (KB, HA):
        for indicator, (text, _, link) in cells(html, unit).items():
            assert (link is not None) == (text != "—"), (unit, indicator)
    assert cells(html, KB)["I08"][2] == drill_url(in_year, "I08", "pairing", KB)


def test_an_office_sees_every_unit_but_links_only_its_own(client, as_user, assessed):
    as_user(Role.COUNTY_OFFICE, "130723")
    html = client.get(reverse("web:assessment"), {"side": "recipient"}).content.decode()
    assert cells(html, "130723")["I08"][2] is not None
    assert cells(html, "130728")["I08"][2] is None
    assert 'data-action="run"' not in html


def test_the_kept_table_of_one_office_is_not_shown_to_another(client, as_user, assessed):
    """The scorecard's rows and table are kept per run, side, area and reach: a county office
    asking after the programme office still gets links only for its own county."""
    office = as_user(Role.PROGRAMME_OFFICE, "110000")
    first = client.get(reverse("web:assessment"), {"side": "recipient"}).content.decode()
    assert cells(first, "130728")["I08"][2] is not None
    as_user(Role.COUNTY_OFFICE, "130723")
    second = client.get(reverse("web:assessment"), {"side": "recipient"}).content.decode()
    assert cells(second, "130723")["I08"][2] is not None
    assert cells(second, "130728")["I08"][2] is None
    # Asked again, the programme office gets the same table as the first time.
    client.force_login(office)
    again = client.get(reverse("web:assessment"), {"side": "recipient"}).content.decode()
    assert cells(again, "130728") == cells(first, "130728")


def test_a_year_without_a_run_says_so(client, as_user, assessed):
    as_user(Role.PROGRAMME_OFFICE, "110000")
    response = client.get(reverse("web:assessment"), {"year": 2020})
    assert response.context["card"].run is None
    assert "2020 年尚无考核结果" in response.content.decode()


# --- running and drafting -------------------------------------------------------------------


def test_the_programme_office_runs_the_assessment_of_a_year(client, as_user, assessed, settings):
    settings.TASKS = IMMEDIATE
    user = as_user(Role.PROGRAMME_OFFICE, "110000")
    response = client.post(reverse("web:assessment-run"), {"year": 2019, "as_of": "2019-09-30"})
    run = AssessmentRun.objects.latest("created", "id")
    assert (run.year, run.as_of, run.user, run.who) == (
        2019,
        dt.date(2019, 9, 30),
        user,
        f"web:{user.username}",
    )
    assert response.status_code == 302
    assert response.url == f"{reverse('web:assessment')}?year=2019&run={run.pk}"


def test_a_queued_run_is_followed_until_it_is_done(client, as_user, assessed, settings):
    settings.TASKS = DUMMY
    as_user(Role.PROGRAMME_OFFICE, "110000")
    response = client.post(reverse("web:assessment-run"), {"year": 2019})
    assert response.status_code == 302
    task = response.url.split("task=")[1]
    page = client.get(response.url)
    assert f'hx-get="{reverse("web:assessment-run-status", args=[task])}"' in page.content.decode()
    status = client.get(reverse("web:assessment-run-status", args=[task]), HTTP_HX_REQUEST="true")
    assert "排队中" in status.content.decode()


def test_only_the_programme_office_runs_or_drafts(client, as_user, assessed, settings):
    settings.TASKS = IMMEDIATE
    _, in_year = assessed
    as_user(Role.ASSESSOR, "110000")
    before = AssessmentRun.objects.count()
    assert client.post(reverse("web:assessment-run"), {"year": 2019}).status_code == 403
    draft = reverse("web:rectification-draft", args=[in_year.pk])
    assert client.post(draft, {"deadline": "2019-07-31"}).status_code == 403
    assert AssessmentRun.objects.count() == before
    assert not RectificationItem.objects.exists()


def test_drafting_from_the_scorecard_follows_the_alerts_once(client, as_user, assessed):
    _, in_year = assessed
    as_user(Role.PROGRAMME_OFFICE, "110000")
    url = reverse("web:rectification-draft", args=[in_year.pk])
    response = client.post(url, {"deadline": "2019-07-31"})
    assert response.status_code == 302
    assert response.url == f"{reverse('web:rectification')}?run={in_year.pk}"
    assert in_year.rectification_items.count() == in_year.alerts.count()
    page = client.post(url, {"deadline": "2019-08-31"}, follow=True)
    assert in_year.rectification_items.count() == in_year.alerts.count()
    assert "已生成 0 条整改事项" in page.content.decode()


# --- the drill-down -------------------------------------------------------------------------


def test_the_drill_down_lists_exactly_the_records_behind_the_number(client, as_user, assessed):
    year_end, _ = assessed
    as_user(Role.PROGRAMME_OFFICE, "110000")
    for indicator, unit_type, unit in (
        ("I10", "pairing", KB),  # donations and funds
        ("I04", "helper", "110116"),  # one person in two pairings
        ("O1", "recipient", "130723"),  # members and the population row
    ):
        html = client.get(drill_url(year_end, indicator, unit_type, unit)).content.decode()
        shown = set(re.findall(r'data-record="(\w+):(\d+)"', html))
        expected = {
            (d.ledger, str(pk))
            for d in drilldown(
                year_end, indicator, unit_type, unit, access=Access.operator(year_end.programme)
            )
            for pk in d.ids
        }
        assert shown == expected, indicator


def test_the_drill_down_shows_value_target_and_how_it_was_computed(client, as_user, assessed):
    year_end, _ = assessed
    as_user(Role.PROGRAMME_OFFICE, "110000")
    response = client.get(drill_url(year_end, "I11", "pairing", KB))
    html = response.content.decode()

    def fact(name):
        return re.sub(r"<[^>]+>", "", _group(rf'data-fact="{name}">(.*?)</dd>', html)).strip()

    assert fact("value") == "62.5 %"
    assert fact("target") == "80"
    assert fact("numerator") == "500"  # closely linked fiscal aid of KB's projects
    assert fact("denominator") == "800"
    assert "比率 = Σ分子 ÷ Σ分母 × 100" in html
    projects = Project.objects.filter(project_no__startswith="KB-").values_list("pk", flat=True)
    assert set(re.findall(r'data-record="project:(\d+)"', html)) == {str(pk) for pk in projects}


def test_drill_down_records_go_through_access(client, as_user, assessed):
    year_end, _ = assessed
    as_user(Role.COUNTY_OFFICE, "130723")
    assert client.get(drill_url(year_end, "I08", "helper", "110116")).status_code == 403
    assert client.get(drill_url(year_end, "I08", "recipient", "130728")).status_code == 403
    assert client.get(drill_url(year_end, "I08", "pairing", KB)).status_code == 200


def test_the_drill_down_masks_personal_data_for_a_helper_office(client, as_user, assessed):
    year_end, _ = assessed
    (labour,) = drilldown(
        year_end, "I16", "pairing", KB, access=Access.operator(year_end.programme)
    )
    spell = LabourTransfer.objects.get(pk=labour.ids[0])
    url = drill_url(year_end, "I16", "pairing", KB)
    as_user(Role.HELPER_OFFICE, "110105")
    html = client.get(url).content.decode()
    assert mask_id(spell.id_number) in html
    assert spell.id_number not in html
    as_user(Role.COUNTY_OFFICE, "130723")
    assert spell.id_number in client.get(url).content.decode()


@pytest.mark.parametrize(
    ("role", "region"), [(Role.PROGRAMME_OFFICE, "110000"), (Role.ASSESSOR, "110000")]
)
def test_registry_drill_downs_mask_ids_for_the_programme_wide_roles(
    client, as_user, assessed, role, region
):
    """Leak 1: the households behind an outcome show no full ID number to the programme-wide
    roles; a masked number keeps only its first 6 and last 4 characters."""
    from xiezuo.registry.models import Household

    year_end, _ = assessed
    as_user(role, region)
    html = client.get(drill_url(year_end, "O1", "recipient", "130723")).content.decode()
    numbers = list(
        Household.objects.filter(county_id="130723").values_list("householder_id_number", flat=True)
    )
    assert numbers
    assert not [n for n in numbers if n in html]
    assert any(n[:6] + "*" * 8 + n[-4:] in html for n in numbers)


def test_seconded_cadres_ids_are_masked_in_drill_downs(client, as_user, assessed):
    """Leak 5: secondments are in the personal-field table: the county they are posted to and
    the programme office see their ID numbers masked; the district that sent them does not."""
    from xiezuo.ledgers.models import Secondment

    year_end, _ = assessed
    url = drill_url(year_end, "I04", "pairing", KB)
    numbers = set(
        Secondment.objects.filter(pairing__helper_id="110105").values_list("id_number", flat=True)
    )
    for role, region in [(Role.COUNTY_OFFICE, "130723"), (Role.PROGRAMME_OFFICE, "110000")]:
        as_user(role, region)
        html = client.get(url).content.decode()
        assert not {n for n in numbers if n in html}
    as_user(Role.HELPER_OFFICE, "110105")
    html = client.get(url).content.decode()
    assert {n for n in numbers if n in html}


def test_the_drill_down_page_costs_a_fixed_number_of_queries(
    client, as_user, assessed, django_assert_num_queries
):
    """Session, user, programme, grants, pairings, then the page's own reads."""
    year_end, _ = assessed
    as_user(Role.COUNTY_OFFICE, "130723")
    url = drill_url(year_end, "O1", "recipient", "130723")
    client.get(url)  # warm the engine's connection and caches
    with django_assert_num_queries(13):
        assert client.get(url).status_code == 200


def test_the_scorecard_and_unit_pages_cost_a_fixed_number_of_queries(
    client, as_user, assessed, django_assert_num_queries
):
    as_user(Role.COUNTY_OFFICE, "130723")
    with django_assert_num_queries(14):
        assert client.get(reverse("web:assessment")).status_code == 200
    url = reverse("web:assessment-unit", args=["recipient", "130723"])
    with django_assert_num_queries(16):
        assert client.get(url).status_code == 200


# --- the unit page --------------------------------------------------------------------------


def test_the_unit_page_shows_profile_trend_and_lagging_list(client, as_user, assessed):
    year_end, in_year = assessed
    as_user(Role.PROGRAMME_OFFICE, "110000")
    response = client.get(reverse("web:assessment-unit", args=["recipient", "130723"]))
    context = response.context
    html = response.content.decode()
    assert response.status_code == 200
    assert context["label"] == "康保县"
    assert [a.area for a in context["areas"]] == [
        "组织领导", "人才支援", "资金支持", "产业合作", "劳务协作", "携手奔小康",
    ]  # fmt: skip
    unit = in_year.units.get(unit_type="recipient", unit="130723")
    assert sum(a.score for a in context["areas"]) == pytest.approx(unit.score, abs=Decimal("0.01"))
    # 2018 and 2019; 2019 is represented by its year-end run, not the later in-year one.
    assert [(line.year, line.year_end) for line in context["trend"]] == [
        (2018, True),
        (2019, True),
    ]
    assert context["trend"][1].score == year_end.units.get(unit="130723").score
    lagging = {line.indicator.id for line in context["alerts"]}
    assert lagging == set(
        in_year.alerts.filter(unit_type="recipient", unit="130723").values_list(
            "indicator", flat=True
        )
    )
    assert 'id="area-chart"' in html
    assert 'id="unit-chart-data"' in html


def test_a_pairing_unit_page_takes_the_arrow_key(client, as_user, assessed):
    as_user(Role.PROGRAMME_OFFICE, "110000")
    response = client.get(reverse("web:assessment-unit", args=["pairing", KB]))
    assert response.status_code == 200
    assert response.context["label"] == "朝阳区 → 康保县"
    assert client.get("/assessment/pairing/110105%E2%86%92130723/").status_code == 200
    assert client.get(reverse("web:assessment-unit", args=["helper", "999999"])).status_code == 404
    assert client.get(reverse("web:assessment-unit", args=["nonsense", "1"])).status_code == 404


def test_a_pairing_unit_page_lists_its_secondments_both_ways(client, as_user, assessed):
    """A 康保 cadre posted to 朝阳 (接收) shows beside the cadres 朝阳 sent (派出)."""
    from xiezuo.core.ids import make_id
    from xiezuo.ledgers.models import Secondment
    from xiezuo.programs.models import Pairing

    Secondment.objects.create(
        pairing=Pairing.objects.get(helper_id="110105", recipient_id="130723"),
        name="康保干部",
        id_number=make_id("130723", dt.date(1980, 1, 1), 7),
        sender_id="130723",
        posting_id="110105",
        category="党政干部",
        start_date=dt.date(2019, 4, 1),
        end_date=None,
        direction=Secondment.Direction.RECEIVED,
    )
    as_user(Role.PROGRAMME_OFFICE, "110000")
    response = client.get(reverse("web:assessment-unit", args=["pairing", KB]) + "?year=2019")
    found = response.context["secondments"]
    sent = {s.id_number for s in found.records if s.direction == Secondment.Direction.SENT}
    assert (found.sent, found.received) == (len(sent), 1)
    assert found.sent > 0
    html = response.content.decode()
    assert '<tr data-direction="接收"><td>接收</td><td>康保干部</td>' in html
    recipient = client.get(reverse("web:assessment-unit", args=["recipient", "130723"]))
    assert recipient.context["secondments"] is None  # a pairing's page only


# --- rectification --------------------------------------------------------------------------


@pytest.fixture
def items(assessed):
    _, in_year = assessed
    rectification_draft(
        access=Access.operator(in_year.programme), run=in_year, deadline=dt.date(2019, 7, 31)
    )
    return in_year.rectification_items


def test_a_county_office_sees_only_its_countys_items(client, as_user, items):
    as_user(Role.COUNTY_OFFICE, "130723")
    response = client.get(reverse("web:rectification"))
    shown = {(v.item.unit_type, v.item.unit) for v in response.context["items"]}
    assert shown == {("recipient", "130723"), ("pairing", KB)}
    assert response.context["page"].paginator.count == items.filter(unit__in=["130723", KB]).count()


def test_items_past_their_deadline_are_flagged_overdue(client, as_user, items):
    as_user(Role.PROGRAMME_OFFICE, "110000")
    html = client.get(reverse("web:rectification"), {"overdue": "1"}).content.decode()
    assert 'data-overdue="true"' in html
    assert 'data-overdue="false"' not in html


def test_an_office_updates_its_item_with_a_note_and_a_file(
    client, as_user, items, settings, tmp_path
):
    settings.MEDIA_ROOT = tmp_path
    item = items.get(indicator="I08", unit_type="recipient", unit="130728")
    as_user(Role.COUNTY_OFFICE, "130728")
    unit_page = reverse("web:assessment-unit", args=["recipient", "130728"])
    assert f'action="{reverse("web:rectification-update", args=[item.pk])}"' in (
        client.get(unit_page).content.decode()
    )
    response = client.post(
        reverse("web:rectification-update", args=[item.pk]),
        {
            "status": "done",
            "note": "资金已全部拨付",
            "file": SimpleUploadedFile("凭证.pdf", b"%PDF evidence", "application/pdf"),
            "records": f"project:{Project.objects.get(project_no='HA-1').pk}",
            "next": unit_page,
        },
    )
    assert response.status_code == 302
    assert response.url == f"{unit_page}#item-{item.pk}"
    item.refresh_from_db()
    assert (item.status, item.note, item.evidence_name) == ("done", "资金已全部拨付", "凭证.pdf")
    assert item.records[0]["ledger"] == "project"
    download = client.get(reverse("web:rectification-evidence", args=[item.pk]))
    assert b"".join(download.streaming_content) == b"%PDF evidence"
    assert "attachment" in download["Content-Disposition"]


def test_a_helper_office_cannot_update_another_districts_item(client, as_user, items):
    item = items.get(indicator="I08", unit_type="helper", unit="110116")
    as_user(Role.HELPER_OFFICE, "110105")
    url = reverse("web:rectification-update", args=[item.pk])
    assert client.post(url, {"status": "in_progress", "note": "x"}).status_code == 404
    assert client.get(reverse("web:rectification-evidence", args=[item.pk])).status_code == 404
    item.refresh_from_db()
    assert (item.status, item.note) == ("open", "")


def test_an_assessor_reads_items_but_does_not_update_them(client, as_user, items):
    item = items.get(indicator="I08", unit_type="helper", unit="110116")
    as_user(Role.ASSESSOR, "110000")
    page = client.get(reverse("web:rectification")).content.decode()
    assert f'id="item-{item.pk}"' in page
    assert 'class="item-form"' not in page
    url = reverse("web:rectification-update", args=[item.pk])
    assert client.post(url, {"status": "in_progress"}).status_code == 403
