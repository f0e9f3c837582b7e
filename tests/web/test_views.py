"""The pages: the public overview, the scoped household list and the household page."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.urls import reverse

from xiezuo.access import Role
from xiezuo.core.ids import mask_id
from xiezuo.precision.models import Assurance, Clue, Measure
from xiezuo.registry.models import Household
from xiezuo.web.views import HOUSEHOLDS_PER_PAGE


def tile(html: str, name: str) -> str:
    """Return the text of the overview tile `name`."""
    match = re.search(rf'data-tile="{name}">.*?<span class="tile-value">(.*?)</span>', html, re.S)
    assert match, f"tile {name} not found"
    return match.group(1).strip()


def county_row(html: str, code: str) -> list[str]:
    """Return the cell texts of a county's row in the overview table."""
    row = re.search(rf'<tr data-code="{code}">(.*?)</tr>', html, re.S)
    assert row, f"row {code} not found"
    cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
    return [re.sub(r"<[^>]+>|\s+", " ", cell).strip() for cell in cells]


def login(client, user):
    client.force_login(user)
    return client


# --- overview ---------------------------------------------------------------------------


def test_overview_is_public_and_shows_the_last_year_by_default(client, registry):
    """An anonymous reader sees the programme's last year, figures summed from the registry."""
    response = client.get(reverse("web:overview"))
    html = response.content.decode()
    assert response.status_code == 200
    assert response.context["year"] == 2020
    assert tile(html, "households") == str(5)
    assert tile(html, "people") == str(3 + 2 + 4 + 5 + 1)
    assert tile(html, "exited") == str(5)  # D exited in 2020
    assert tile(html, "poor") == str(2 + 4 + 1)  # B, C (fell back 2020), E
    assert tile(html, "incidence") == f"{(2 + 4 + 1) / (1000 + 500 + 200) * 100:.2f}"


def test_overview_year_from_query_string(client, registry):
    """?year= picks the year of the tiles and the table."""
    html = client.get(reverse("web:overview"), {"year": 2019}).content.decode()
    assert tile(html, "exited") == str(3)  # A exited in 2019
    assert tile(html, "poor") == str(2 + 5 + 1)  # B, D, E (C exited 2018, not yet fallen back)
    assert tile(html, "incidence") == f"{(2 + 5 + 1) / (1000 + 500 + 250) * 100:.2f}"


def test_overview_without_a_year_shows_the_last_year(client, registry):
    response = client.get(reverse("web:overview"))
    assert response.status_code == 200
    assert response.context["year"] == 2020


def test_overview_of_an_unknown_year_is_not_found(client, registry):
    """A year outside the programme is not quietly swapped for another one."""
    assert client.get(reverse("web:overview"), {"year": "1999"}).status_code == 404


def test_overview_county_table(client, registry):
    """Each county row shows its helpers, its figures of the year and its incidence."""
    html = client.get(reverse("web:overview"), {"year": 2020}).content.decode()
    kangbao = county_row(html, "130723")
    assert kangbao[:3] == ["张家口市", "康保县", "朝阳区"]
    # households, people, exited in 2020, remaining poor, rural population, incidence
    assert kangbao[3:] == ["3", str(3 + 2 + 4), "0", str(2 + 4), "1,000", f"{6 / 1000 * 100:.2f}"]
    assert county_row(html, "130728")[5:] == ["5", "0", "500", "0.00"]


def test_overview_marks_illustrative_pairs(client, registry):
    """Only the county whose pairing is illustrative carries the 示意 badge."""
    html = client.get(reverse("web:overview")).content.decode()
    assert "示意" in county_row(html, "130826")[2]
    assert "示意" not in county_row(html, "130723")[2]


def test_overview_emits_map_data_by_adcode(client, registry):
    """The map's data is one entry per county, named by its 6-digit code, valued by incidence."""
    response = client.get(reverse("web:overview"))
    entries = {entry["name"]: entry for entry in response.context["map_counties"]}
    assert set(entries) == {"130723", "130728", "130826"}
    assert entries["130826"]["value"] == pytest.approx(1 / 200 * 100)
    assert entries["130826"]["helpers"] == ["怀柔区"]
    assert 'id="county-data"' in response.content.decode()


def test_overview_exits_per_year(client, registry):
    """The exits tile lists each year after the baseline with the people who exited in it."""
    response = client.get(reverse("web:overview"))
    bars = {bar.year: bar.people for bar in response.context["exit_bars"]}
    assert bars == {2017: 0, 2018: 4, 2019: 3, 2020: 5}


def test_overview_without_programme_is_friendly(client, db):
    """An empty database answers with a page that says how to load a programme, not a 500."""
    response = client.get(reverse("web:overview"))
    assert response.status_code == 200
    assert "xiezuo setup" in response.content.decode()
    assert "make demo" in response.content.decode()


def test_overview_is_cached_until_the_registry_changes(client, registry, programme, tmp_path):
    """A second view reuses the cached overview; a household imported since shows up at once."""
    from tests.ingest.conftest import HOUSEHOLD_HEADERS, household_row, write_xlsx
    from xiezuo.access import Access
    from xiezuo.ingest.services import import_file

    client.get(reverse("web:overview"))
    path = write_xlsx(
        tmp_path / "h.xlsx", [HOUSEHOLD_HEADERS, household_row(9, village="130826100201")]
    )
    report = import_file(
        ledger_key="households",
        path=path,
        access=Access.operator(programme),
        programme=programme,
    )
    assert report.inserted == 1
    html = client.get(reverse("web:overview")).content.decode()
    assert tile(html, "households") == str(5 + 1)


# --- household list ---------------------------------------------------------------------


def test_household_list_requires_login(client, registry):
    response = client.get(reverse("web:households"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_household_list_without_grant_is_forbidden(client, registry, make_user):
    login(client, make_user("nobody"))
    response = client.get(reverse("web:households"))
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_county_office_lists_only_its_county(client, registry, make_user):
    """A 康保 county office lists 康保's households and never another county's 户编号."""
    login(client, make_user("kangbao", Role.COUNTY_OFFICE, "130723"))
    html = client.get(reverse("web:households")).content.decode()
    for key in "ABC":
        assert registry[key].household_no in html
    for key in "DE":
        assert registry[key].household_no not in html


def test_county_office_gets_404_for_another_county(client, registry, make_user):
    login(client, make_user("kangbao", Role.COUNTY_OFFICE, "130723"))
    response = client.get(reverse("web:household", args=[registry["D"].household_no]))
    assert response.status_code == 404
    assert registry["D"].householder_name not in response.content.decode()


def test_household_list_filters_by_village_and_status(client, registry, make_user):
    login(client, make_user("kangbao", Role.COUNTY_OFFICE, "130723"))
    html = client.get(reverse("web:households"), {"village": "130723100202"}).content.decode()
    assert registry["C"].household_no in html
    assert registry["A"].household_no not in html
    html = client.get(reverse("web:households"), {"status": "未脱贫"}).content.decode()
    assert registry["B"].household_no in html
    assert registry["A"].household_no not in html


def test_household_list_region_outside_scope_is_forbidden(client, registry, make_user):
    login(client, make_user("kangbao", Role.COUNTY_OFFICE, "130723"))
    response = client.get(reverse("web:households"), {"village": "130728100201"})
    assert response.status_code == 403


def test_helper_office_sees_its_paired_counties(client, registry, make_user):
    """怀柔's office lists the households of 怀安 and 丰宁, not those of 康保."""
    login(client, make_user("huairou", Role.HELPER_OFFICE, "110116"))
    html = client.get(reverse("web:households")).content.decode()
    assert registry["D"].household_no in html
    assert registry["E"].household_no in html
    assert registry["A"].household_no not in html


def test_programme_office_lists_every_county(client, registry, make_user):
    """The programme office reads the whole programme (province-level scope)."""
    login(client, make_user("office", Role.PROGRAMME_OFFICE, "110000"))
    html = client.get(reverse("web:households")).content.decode()
    for household in registry.values():
        assert household.household_no in html


def test_household_page_masks_ids_for_helper_office(client, registry, make_user):
    """A helper office sees its county's members with ID numbers and health masked."""
    household = registry["A"]
    login(client, make_user("chaoyang", Role.HELPER_OFFICE, "110105"))
    html = client.get(reverse("web:household", args=[household.household_no])).content.decode()
    for member in household.members.all():
        assert member.name in html
        assert member.id_number not in html
        assert mask_id(member.id_number) in html
    assert "长期慢性病" not in html


def test_household_page_shows_ids_to_county_office(client, registry, make_user):
    household = registry["A"]
    login(client, make_user("kangbao", Role.COUNTY_OFFICE, "130723"))
    html = client.get(reverse("web:household", args=[household.household_no])).content.decode()
    for member in household.members.all():
        assert member.id_number in html
    assert "长期慢性病" in html


@pytest.mark.parametrize(
    ("role", "region"),
    [
        (Role.HELPER_OFFICE, "110105"),
        (Role.PROGRAMME_OFFICE, "110000"),
        (Role.ASSESSOR, "110000"),
    ],
)
def test_household_page_hides_birth_dates_where_ids_are_masked(
    client, registry, make_user, role, region
):
    """Leak 1: a masked ID joined with the birth date would rebuild the number; the birth
    date gives way to the age, and the masked ID keeps only its first 6 and last 4."""
    household = registry["C"]
    login(client, make_user("reader", role, region))
    html = client.get(reverse("web:household", args=[household.household_no])).content.decode()
    for member in household.members.all():
        assert member.birth_date.isoformat() not in html
        assert member.id_number[:6] + "*" * 8 + member.id_number[-4:] in html
    assert "年龄" in html


def test_household_page_shows_birth_dates_to_county_office(client, registry, make_user):
    household = registry["C"]
    login(client, make_user("kangbao", Role.COUNTY_OFFICE, "130723"))
    html = client.get(reverse("web:household", args=[household.household_no])).content.decode()
    for member in household.members.all():
        assert member.birth_date.isoformat() in html


@pytest.mark.parametrize(
    ("role", "region", "shown"),
    [
        (Role.CADRE, "130723100201", {"贫困户", "监测"}),
        (
            Role.ASSESSOR,
            "110000",
            {"贫困户", "精准帮扶", "监测", "考核", "整改", "自评报告", "比对", "劳务"},
        ),
        (
            Role.COUNTY_OFFICE,
            "130723",
            {"贫困户", "精准帮扶", "监测", "导入", "考核", "整改", "自评报告", "比对", "劳务"},
        ),
        (
            Role.HELPER_OFFICE,
            "110105",
            {"贫困户", "精准帮扶", "监测", "导入", "考核", "整改", "自评报告", "劳务"},
        ),
    ],
)
def test_the_nav_offers_only_what_the_user_may_use(
    client, registry, make_user, role, region, shown
):
    """Cadres no longer see 导入 (nor the assessment); the offices do (概览 and 工作动态 are
    public)."""
    login(client, make_user("someone", role, region))
    html = client.get(reverse("web:overview")).content.decode()
    nav = re.search(r'<nav class="site-nav".*?</nav>', html, re.S).group(0)
    offered = set(re.findall(r"<a href=\"[^\"]*\"[^>]*>([^<]+)</a>", nav)) - {"概览", "工作动态"}
    assert offered == shown


def test_household_page_incomes_and_history(client, registry, make_user):
    """Incomes show net (sum − costs) and per-capita net (net ÷ size); the history its steps."""
    login(client, make_user("kangbao", Role.COUNTY_OFFICE, "130723"))
    response = client.get(reverse("web:household", args=[registry["A"].household_no]))
    (income,) = response.context["incomes"]
    net = 9000 + 3000 + 1200 - 1500
    assert income.net == net
    assert float(income.per_capita) == pytest.approx(net / 3, abs=0.005)
    html = response.content.decode()
    assert f"{net:,}" in html
    assert [(c.year, c.kind) for c in response.context["history"]] == [
        (2015, "identified"),
        (2019, "exited"),
    ]


def test_household_page_requires_login(client, registry):
    response = client.get(reverse("web:household", args=[registry["A"].household_no]))
    assert response.status_code == 302


# --- paging and query count -------------------------------------------------------------


@pytest.fixture
def many_households(programme, make_household):
    """Register 60 households in 康保 一村 — more than one page."""
    return [make_household("130723100201", people=1) for _ in range(60)]


def test_household_list_pages_by_household_no(client, many_households, make_user):
    """The first page holds 50 households in 户编号 order; the next page holds the rest."""
    login(client, make_user("kangbao", Role.COUNTY_OFFICE, "130723"))
    numbers = sorted(h.household_no for h in many_households)
    first = client.get(reverse("web:households"))
    assert [h.household_no for h in first.context["page"].items] == numbers[:HOUSEHOLDS_PER_PAGE]
    assert first.context["count"] == 60
    after = first.context["page"].after
    second = client.get(reverse("web:households"), {"after": after})
    assert [h.household_no for h in second.context["page"].items] == numbers[HOUSEHOLDS_PER_PAGE:]
    assert second.context["page"].is_last
    back = client.get(reverse("web:households"), {"before": second.context["page"].before})
    assert [h.household_no for h in back.context["page"].items] == numbers[:HOUSEHOLDS_PER_PAGE]
    last = client.get(reverse("web:households"), {"last": "1"})
    assert [h.household_no for h in last.context["page"].items] == numbers[-HOUSEHOLDS_PER_PAGE:]


def test_household_list_query_count_is_bounded(
    client, many_households, make_user, django_assert_max_num_queries
):
    """The list costs the same few queries however many households the page shows."""
    login(client, make_user("kangbao", Role.COUNTY_OFFICE, "130723"))
    with django_assert_max_num_queries(10):
        response = client.get(reverse("web:households"))
    assert len(response.context["page"].items) == HOUSEHOLDS_PER_PAGE
    assert Household.objects.count() == 60


def test_household_page_query_count_is_bounded(
    client, registry, make_user, django_assert_max_num_queries
):
    """A fixed number of queries: one per section (members, incomes, history, measures with
    their members' names, assurances, clues), whatever each holds."""
    _precision_records(registry["C"])
    login(client, make_user("kangbao", Role.COUNTY_OFFICE, "130723"))
    with django_assert_max_num_queries(16):
        response = client.get(reverse("web:household", args=[registry["C"].household_no]))
    assert response.status_code == 200


# --- login and header -------------------------------------------------------------------


def test_login_page_signs_in_and_header_names_user_and_role(client, programme, make_user):
    """The login form signs a user in; the header then shows their name, role and 贫困户."""
    user = make_user("kangbao", Role.COUNTY_OFFICE, "130723")
    user.set_password("a long test password")
    user.save()
    page = client.get(reverse("login"))
    assert page.status_code == 200
    assert "用户名" in page.content.decode()
    response = client.post(
        reverse("login"), {"username": "kangbao", "password": "a long test password"}
    )
    assert response.status_code == 302
    html = client.get(reverse("web:overview")).content.decode()
    assert "kangbao" in html
    assert Role.COUNTY_OFFICE.label in html
    assert reverse("web:households") in html
    assert "退出" in html


def test_anonymous_header_offers_login_not_households(client, programme):
    html = client.get(reverse("web:overview")).content.decode()
    assert "登录" in html
    assert f'href="{reverse("web:households")}"' not in html


def _precision_records(household):
    """A household-level and a member's measure, a failed assurance and a clue."""
    member = household.members.order_by("id").first()
    Measure.objects.create(household=household, category="小额信贷", start_date=dt.date(2019, 3, 1))
    Measure.objects.create(
        household=household,
        id_number=member.id_number,
        category="医疗保障",
        start_date=dt.date(2019, 1, 1),
        amount=Decimal("1200"),
    )
    Assurance.objects.create(
        household=household,
        year=2019,
        food_clothing=True,
        education=True,
        medical=True,
        housing=False,
        water=True,
    )
    Clue.objects.create(
        household=household,
        found_on=dt.date(2020, 4, 10),
        source="干部走访",
        category="因病",
        note="住院手术",
    )
    return member


def test_household_page_lists_measures_assurances_and_clues(client, registry, make_user):
    household = registry["A"]
    member = _precision_records(household)
    login(client, make_user("kangbao", Role.COUNTY_OFFICE, "130723"))
    html = client.get(reverse("web:household", args=[household.household_no])).content.decode()
    assert "帮扶措施（2 项）" in html
    title = re.search(r"<title>(.*?)</title>", html, re.S).group(1)  # type: ignore[union-attr]
    assert title.startswith(f"户 {household.household_no}")
    assert "<" not in title
    assert html.count('id="measures"') == 1
    assert "全户" in html
    assert member.id_number in html
    assert '<td class="bad">否</td>' in html  # 住房安全 of 2019
    assert "住院手术" in html


def test_household_page_masks_a_measures_id_number_for_a_helper(client, registry, make_user):
    household = registry["A"]
    member = _precision_records(household)
    login(client, make_user("chaoyang", Role.HELPER_OFFICE, "110105"))
    html = client.get(reverse("web:household", args=[household.household_no])).content.decode()
    assert "医疗保障" in html
    assert member.id_number not in html
    assert mask_id(member.id_number) in html


def test_a_monitored_household_has_a_page_but_is_not_on_the_register(client, registry, make_user):
    watched = Household.objects.create(
        household_no="130723100201900001",
        village_id="130723100201",
        county_id="130723",
        householder_name="李春生",
        householder_id_number="130723197005060314",
        size=4,
        registered=False,
        monitored_from=dt.date(2020, 5, 20),
    )
    login(client, make_user("kangbao", Role.COUNTY_OFFICE, "130723"))
    assert watched.household_no not in client.get(reverse("web:households")).content.decode()
    html = client.get(reverse("web:household", args=[watched.household_no])).content.decode()
    assert "监测对象" in html
    assert "2020-05-20" in html
    login(client, make_user("huaian", Role.COUNTY_OFFICE, "130728"))
    assert client.get(reverse("web:household", args=[watched.household_no])).status_code == 404
