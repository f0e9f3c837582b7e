"""The demo ledgers: every pairing, every programme year, money to the last cent."""

import datetime as dt
import hashlib
from collections import Counter, defaultdict
from decimal import Decimal

import numpy as np
import pytest
from django.db.models import Sum

from xiezuo.core import codelists, codes
from xiezuo.core.ids import parse_id
from xiezuo.demo import generate, ledgers
from xiezuo.demo.profile import load_ledger_profile, load_names
from xiezuo.demo.services import _geography, demo_build
from xiezuo.ledgers.calculations import PairingIndex
from xiezuo.ledgers.models import (
    LEDGER_MODELS,
    Agreement,
    Donation,
    Fund,
    Investment,
    LabourTransfer,
    Meeting,
    Project,
    ProjectBeneficiary,
    Purchase,
    Secondment,
    SubPairing,
    Training,
    Visit,
)
from xiezuo.programs.models import Pairing
from xiezuo.registry.models import Member

SCALE = 0.005
YEARS = (2018, 2019, 2020)
CREDIT_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CREDIT_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def _build(programme, **kwargs):
    return demo_build(programme=programme.key, **{"scale": SCALE, **kwargs})


def _digest() -> str:
    digest = hashlib.sha256()
    for model in (*LEDGER_MODELS, ProjectBeneficiary):
        for row in model.objects.order_by("id").values_list():
            digest.update(repr(row).encode())
    return digest.hexdigest()


def _valid_credit_code(code: str) -> bool:
    """GB 32100-2015, written out independently of the generator."""
    if len(code) != 18 or any(c not in CREDIT_CHARACTERS for c in code):
        return False
    total = sum(CREDIT_CHARACTERS.index(c) * w for c, w in zip(code, CREDIT_WEIGHTS, strict=False))
    return CREDIT_CHARACTERS[(31 - total % 31) % 31] == code[17]


def test_every_ledger_has_rows_in_every_programme_year(ledger_programme):
    _build(ledger_programme)
    for model in LEDGER_MODELS:
        for year in YEARS:
            assert model.objects.filter(model.in_year(year)).exists(), (model.__name__, year)
    assert ProjectBeneficiary.objects.exists()


def test_every_row_is_attributed_to_the_pairing_its_codes_name(ledger_programme):
    """Attribution of DOMAIN.md §5, run over the written rows, finds the pairing they carry."""
    _build(ledger_programme)
    pairings = Pairing.objects.filter(programme=ledger_programme)
    index = PairingIndex.of(pairings)
    by_pair = [
        (Meeting, "helper_id", "recipient_id"),
        (Agreement, "helper_id", "recipient_id"),
        (Secondment, "sender_id", "posting_id"),
        (Training, "host_id", "recipient_id"),
        (Fund, "helper_id", "recipient_id"),
        (Project, "helper_id", "recipient_id"),
        (Investment, "helper_id", "location_id"),
        (Purchase, "buyer_id", "origin_id"),
        (Donation, "helper_id", "recipient_id"),
        (SubPairing, "helper_id", "target_id"),
    ]
    for model, helper, recipient in by_pair:
        for pairing, helper_code, recipient_code in model.objects.values_list(
            "pairing_id", helper, recipient
        ):
            assert index.find(helper_code, recipient_code) == pairing, model.__name__
    for pairing, origin, destination in Visit.objects.values_list(
        "pairing_id", "origin_id", "destination_id"
    ):
        assert index.find_visit(origin, destination) == pairing
    for pairing, county, workplace in LabourTransfer.objects.values_list(
        "pairing_id", "household__county_id", "workplace_code"
    ):
        assert index.find_by_recipient(county, workplace) == pairing
    for model in LEDGER_MODELS:
        assert set(model.objects.values_list("pairing__programme", flat=True)) == {
            ledger_programme.pk
        }


def test_fiscal_aid_adds_up_to_the_envelope_whatever_the_scale(ledger_programme):
    """Money does not scale: 1,000 万元 here, 262,100 万元 (26.21 亿元) for Beijing–Hebei."""
    for scale in (0.002, 0.01):
        summary = _build(ledger_programme, scale=scale)
        fiscal = Fund.objects.filter(source="财政援助")
        assert fiscal.aggregate(total=Sum("amount"))["total"] == Decimal("1000.00")
        assert summary.fiscal_aid == ledger_programme.fund_envelope
        assert set(fiscal.values_list("pairing_id", "year")) == {
            (p, y) for p in ledger_programme.pairings.values_list("pk", flat=True) for y in YEARS
        }
    assert Fund.objects.filter(source="社会帮扶").exists()


def test_projects_spend_each_pairing_years_fiscal_aid_exactly(ledger_programme):
    _build(ledger_programme)
    aid = {
        (pairing, year): amount
        for pairing, year, amount in Fund.objects.filter(source="财政援助").values_list(
            "pairing_id", "year", "amount"
        )
    }
    spent: dict[tuple[int, int], Decimal] = defaultdict(Decimal)
    for pairing, year, amount, disbursed in Project.objects.values_list(
        "pairing_id", "year", "fiscal_aid", "disbursed"
    ):
        spent[(pairing, year)] += amount
        assert Decimal(0) <= disbursed <= amount
    assert spent == aid


def test_most_project_money_is_closely_linked_but_some_pairing_falls_short(ledger_programme):
    summary = _build(ledger_programme)
    total: Counter = Counter()
    linked: Counter = Counter()
    for pairing, year, amount, close in Project.objects.values_list(
        "pairing_id", "year", "fiscal_aid", "closely_linked"
    ):
        total[(pairing, year)] += amount
        linked[(pairing, year)] += amount if close else 0
    programme_share = sum(linked.values()) / sum(total.values()) * 100
    assert programme_share >= 80
    assert summary.closely_linked_share == pytest.approx(float(programme_share))
    below = {key for key in total if linked[key] / total[key] < Decimal("0.8")}
    assert below
    assert {pairing for pairing, _ in below} != set(p for p, _ in total)


def test_beneficiaries_are_registered_households_of_the_projects_site(ledger_programme):
    _build(ledger_programme)
    links = ProjectBeneficiary.objects.select_related("project", "household")
    assert links.exists()
    for link in links:
        project, household = link.project, link.household
        assert project.closely_linked
        assert household.county_id == project.recipient_id
        assert codes.contains(project.site_id, household.village_id)
        assert household.identified_year <= project.year
    assert not ProjectBeneficiary.objects.filter(project__closely_linked=False).exists()


def test_the_april_2018_delegation_is_the_visit_of_its_pairing_with_its_places(ledger_programme):
    """Of the seed report's four counties, only 丰宁 is in this programme (怀柔→丰宁)."""
    _build(ledger_programme)
    visits = Visit.objects.filter(start_date=dt.date(2018, 4, 13), leader="蔡奇")
    assert visits.count() == 1
    visit = visits.get()
    assert visit.end_date == dt.date(2018, 4, 14)
    assert visit.leader_category == "党委书记"
    assert visit.origin_id == "110116"
    assert visit.destination_id == "130826104201"  # 城根营村, found by name under 黄旗镇
    assert visit.pairing.recipient_id == "130826"
    assert "丰宁满族自治县黄旗镇城根营村" in visit.purpose
    assert "全面深化京冀扶贫协作工作三年行动框架协议" in visit.purpose


def test_recorded_visit_goes_to_the_county_when_its_places_are_not_found(ledger_programme):
    geography = _geography(ledger_programme)
    pairings = ledgers.read_pairings(ledger_programme, geography, load_ledger_profile())
    settings = {
        "events": [
            {
                "start_date": dt.date(2019, 5, 6),
                "end_date": dt.date(2019, 5, 6),
                "leader": "某某",
                "leader_category": "其他领导",
                "purpose": "考察{places}",
                "places": [
                    {"county": "130723", "township": "无此镇", "village": "无此村"},
                    {"county": "130723", "name": "某合作社"},
                    {"county": "999999", "name": "不在项目中"},
                ],
            }
        ]
    }
    columns, taken = ledgers.recorded_visits(pairings, settings)
    assert columns["destination_id"] == ["130723"]
    assert columns["origin_id"] == ["110105"]
    assert columns["purpose"] == ["考察康保县无此镇无此村、康保县某合作社"]
    assert list(taken.values()) == [[dt.date(2019, 5, 6)]]


def test_principal_leaders_visit_both_ways_and_pairs_meet_every_year(ledger_programme):
    _build(ledger_programme)
    for pairing in ledger_programme.pairings.all():
        agreement = Agreement.objects.get(pairing=pairing)
        assert agreement.signed_date == agreement.effective_date == dt.date(2018, 4, 14)
        assert agreement.end_date == dt.date(2020, 12, 31)
        for year in YEARS:
            visits = Visit.objects.filter(
                pairing=pairing,
                start_date__year=year,
                leader_category__in=["党委书记", "政府主要负责人"],
            )
            assert visits.filter(origin_id=pairing.helper_id).exists()
            assert visits.filter(origin_id=pairing.recipient_id).exists()
            assert Meeting.objects.filter(pairing=pairing, date__year=year).exists()
            for audience in codelists.labels("training_audience"):
                assert Training.objects.filter(
                    pairing=pairing, end_date__year=year, audience=audience
                ).exists()


def test_labour_spells_are_of_registered_working_members_and_count_for_their_county(
    ledger_programme,
):
    summary = _build(ledger_programme, scale=0.02)
    members = {
        number: (household, birth, skill)
        for number, household, birth, skill in Member.objects.values_list(
            "id_number", "household_id", "birth_date", "labour_skill"
        )
    }
    spells = list(
        LabourTransfer.objects.values_list(
            "id_number", "household_id", "household__county_id", "pairing__recipient_id",
            "workplace_code", "start_date", "end_date",
        )
    )  # fmt: skip
    assert len(spells) > 0.05 * summary.people
    short = running = helper_province = 0
    for number, household, county, recipient, workplace, start, end in spells:
        member_household, birth, skill = members[number]
        assert member_household == household
        assert skill in {"普通劳动力", "技能劳动力"}
        assert 16 <= start.year - birth.year <= 64
        assert county == recipient
        assert workplace[:2] in {"11", "13"}
        assert dt.date(2018, 1, 1) <= start <= dt.date(2020, 12, 31)
        if workplace[:2] == "11":
            helper_province += 1
            assert codes.level_of(workplace) == codes.Level.COUNTY
        elif not codes.contains(county, workplace):
            assert codes.level_of(workplace) == codes.Level.COUNTY  # elsewhere in the province
        if end is None:
            running += 1
        else:
            assert end >= start
            short += (end - start).days + 1 < 90
    assert short
    assert running
    assert helper_province
    assert any(w[:2] == "13" and not w.startswith(c) for _, _, c, _, w, _, _ in spells)


def test_secondments_carry_valid_id_numbers_of_the_helper_province(ledger_programme):
    _build(ledger_programme)
    rows = list(Secondment.objects.values_list("id_number", "start_date", "end_date"))
    assert len({number for number, *_ in rows}) == len(rows)
    for number, start, end in rows:
        parsed = parse_id(number)
        assert parsed.region_code[:2] == "11"
        assert end is None or end >= start


def test_secondments_at_full_rate_cross_years_and_some_stay_under_30_days(ledger_programme):
    """Drawn at scale 1 for the three pairings, without writing: a few hundred a year."""
    geography = _geography(ledger_programme)
    pairings = ledgers.read_pairings(ledger_programme, geography, load_ledger_profile())
    columns = generate.make_secondments(
        generate.streams(1)["secondments"], pairings, geography,
        load_ledger_profile()["secondments"], load_names(),
        scale=1.0, last_day=np.datetime64("2020-12-31"),
    )  # fmt: skip
    starts = [dt.date.fromisoformat(d) for d in columns["start_date"]]
    ends = [dt.date.fromisoformat(d) if d else None for d in columns["end_date"]]
    assert 3 * 3 * 10 <= len(starts) <= 3 * 3 * 18
    assert any(end and end.year > start.year for start, end in zip(starts, ends, strict=True))
    assert any(end and (end - start).days + 1 < 30 for start, end in zip(starts, ends, strict=True))
    assert None in ends
    assert set(columns["category"]) == set(codelists.labels("secondment_category"))


def test_enterprises_have_valid_credit_codes_and_some_invest_in_two_counties(ledger_programme):
    _build(ledger_programme, scale=0.05)
    rows = list(
        Investment.objects.values_list("credit_code", "enterprise", "pairing_id", "helper_id")
    )
    assert all(_valid_credit_code(code) for code, *_ in rows)
    names = defaultdict(set)
    pairings = defaultdict(set)
    for code, enterprise, pairing, helper in rows:
        names[code].add(enterprise)
        pairings[(code, helper)].add(pairing)
    assert all(len(found) == 1 for found in names.values())
    assert any(len(found) == 2 for found in pairings.values())  # 怀柔 helps 怀安 and 丰宁
    entity_codes = SubPairing.objects.filter(
        entity_type__in=["企业", "社会组织", "学校", "医院"]
    ).values_list("entity_code", flat=True)
    assert entity_codes
    assert all(_valid_credit_code(code) for code in entity_codes)


def test_towns_and_villages_are_paired_with_helper_places_and_organisations(ledger_programme):
    _build(ledger_programme)
    rows = list(
        SubPairing.objects.values_list(
            "entity_type", "entity_code", "target_type", "target_id", "helper_id"
        )
    )
    types = {entity_type for entity_type, *_ in rows}
    assert {"乡镇", "村", "企业", "社会组织"} <= types
    for entity_type, entity_code, target_type, target, helper in rows:
        assert codes.level_of(target) == (
            codes.Level.TOWNSHIP if target_type == "乡镇" else codes.Level.VILLAGE
        )
        if entity_type in {"乡镇", "村"}:
            assert codes.contains(helper, entity_code)
    assert not SubPairing.objects.filter(entity_type="村", entity_code="110116100001").exists()


def test_every_coded_field_holds_a_label_of_its_code_list(ledger_programme):
    _build(ledger_programme)
    fields = [
        (Visit, "leader_category", "leader_category"),
        (Secondment, "category", "secondment_category"),
        (Training, "audience", "training_audience"),
        (Fund, "source", "fund_source"),
        (Project, "category", "project_category"),
        (Project, "status", "project_status"),
        (LabourTransfer, "organisation", "labour_organisation"),
        (Donation, "category", "donation_category"),
        (SubPairing, "entity_type", "helper_entity_type"),
        (SubPairing, "target_type", "recipient_target_type"),
    ]
    for model, field, listname in fields:
        found = set(model.objects.values_list(field, flat=True))
        assert found, (model.__name__, field)
        assert found <= set(codelists.labels(listname)), (model.__name__, field)


def test_same_seed_writes_the_same_ledgers_and_another_seed_does_not(ledger_programme):
    _build(ledger_programme, seed=7)
    first = _digest()
    _build(ledger_programme, seed=7)
    assert _digest() == first
    _build(ledger_programme, seed=8)
    assert _digest() != first


def test_rebuild_replaces_the_programmes_ledger_rows_including_hand_entered_ones(
    ledger_programme,
):
    summary = _build(ledger_programme)
    pairing = ledger_programme.pairings.get(recipient_id="130723")
    Meeting.objects.create(
        pairing=pairing, date=dt.date(2019, 1, 2), helper_id="110105", recipient_id="130723",
        name="手工录入的会议",
    )  # fmt: skip
    _build(ledger_programme)
    assert not Meeting.objects.filter(name="手工录入的会议").exists()
    for stage, model in ledgers.STAGE_MODELS.items():
        assert model.objects.count() == summary.rows[stage], stage
