"""A small programme whose ledgers and registry touch every indicator, and its expected values.

Pairings of the small programme (tests/conftest.py): 朝阳 110105 → 康保 130723 (KB), and
怀柔 110116 → 怀安 130728 (HA) and → 丰宁 130826 (FN). The records below are chosen so that each
figure of `EXPECTED_2019` can be worked out by hand; the comments say how.
"""

import datetime as dt
import itertools
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import pytest

from xiezuo.core.ids import make_id
from xiezuo.ledgers.models import (
    Agreement,
    Donation,
    Fund,
    Investment,
    LabourTransfer,
    Meeting,
    Project,
    Purchase,
    Secondment,
    SubPairing,
    Training,
    Visit,
)
from xiezuo.programs.models import Pairing
from xiezuo.regions.models import RuralPopulation
from xiezuo.registry.models import Income
from xiezuo.registry.services import household_years_refresh

D = dt.date
KB, HA, FN = "110105→130723", "110116→130728", "110116→130826"
BEIJING_TARGETS = (
    Path(__file__).parents[2] / "xiezuo" / "assessment" / "data" / "targets" / "beijing-hebei.toml"
)

# Expected 2019 values, indicator →
# (KB, HA, FN | 110105, 110116 | 130723, 130728, 130826 | programme).
# None where a unit has no value.
_ROWS = {
    "I01": (2, 1, 0, 2, 1, 2, 1, 0, 3),
    "I02": (1, 2, 0, 1, 2, 1, 2, 0, 3),
    "I03": (1, 1, 0, 1, 0, 1, 1, 0, 0),  # a helper or the programme: every pairing has one
    "I04": (1, 2, 1, 1, 2, 1, 2, 1, 3),  # one person in two of 怀柔's pairings counts once
    "I05": (1, 1, 0, 1, 1, 1, 1, 0, 2),
    "I06": (90, 30, 0, 90, 30, 90, 30, 0, 120),
    "I07": (25, 0, 35, 25, 35, 25, 0, 35, 60),
    "I08": (1500.5, 800, 0, 1500.5, 800, 1500.5, 800, 0, 2300.5),
    "I09": (50.05, None, -100, 50.05, 100, 50.05, None, -100, 64.321429),
    "I10": (150, 0, 55.25, 150, 55.25, 150, 0, 55.25, 205.25),
    "I11": (62.5, 100, None, 62.5, 100, 62.5, 100, None, 70),
    "I12": (81.25, 0, None, 81.25, 0, 81.25, 0, None, 65),
    "I13": (1, 1, 1, 1, 1, 1, 1, 1, 2),  # enterprise Y invests in 怀安 and 丰宁
    "I14": (100, 200, 300, 100, 500, 100, 200, 300, 600),
    "I15": (10, 25, 30, 10, 55, 10, 25, 30, 65),
    "I16": (1, 1, 1, 1, 2, 1, 1, 1, 3),
    "I17": (1, 1, 0, 1, 1, 1, 1, 0, 2),
    "I18": (0, 100, 60, 0, 160, 0, 100, 60, 160),
    "I19": (1, 1, 0, 1, 1, 1, 1, 0, 2),
    "I20": (2, 1, 1, 2, 2, 2, 1, 1, 4),
    "I21": (1, 1, 0, 1, 1, 1, 1, 0, 2),
    "I22": (250, 0, 75.5, 250, 75.5, 250, 0, 75.5, 325.5),
    # Outcomes by county; a helper district's over the union of its counties: 怀柔's O1 is
    # (2 poor in 怀安 + 3 in 丰宁) ÷ (500 + no population of 丰宁) = 1.0 %, its O4 is
    # (1,200 + 1,000) ÷ (1,000 + 1,000) − 1 = 10 %.
    "O1": (0.7, 0.4, None, 0.7, 1.0, 0.7, 0.4, None, 0.8),
    "O2": (2, 5, 0, 2, 5, 2, 5, 0, 7),
    "O3": (4, 0, 0, 4, 0, 4, 0, 0, 4),
    "O4": (-26.666667, 20, 0, -26.666667, 10, -26.666667, 20, 0, -12),
}
_UNITS = (
    ("pairing", KB),
    ("pairing", HA),
    ("pairing", FN),
    ("helper", "110105"),
    ("helper", "110116"),
    ("recipient", "130723"),
    ("recipient", "130728"),
    ("recipient", "130826"),
    ("programme", "small"),
)
EXPECTED_2019: dict[tuple[str, str, str], float | None] = {
    (indicator, unit_type, unit): None if value is None else float(value)
    for indicator, values in _ROWS.items()
    for (unit_type, unit), value in zip(_UNITS, values, strict=True)
    if value != "-"
}


@pytest.fixture
def expected_2019() -> dict[tuple[str, str, str], float | None]:
    """Return the hand-computed 2019 value of every (indicator, unit type, unit)."""
    return dict(EXPECTED_2019)


@pytest.fixture
def beijing_targets() -> Path:
    return BEIJING_TARGETS


@pytest.fixture
def assessment_data(small_programme, make_household):
    """Build the records behind `EXPECTED_2019` through the ORM; return the pairings."""
    p = {x.key: x for x in Pairing.objects.filter(programme=small_programme)}
    kb, ha, fn = p[KB], p[HA], p[FN]
    person = itertools.count(1, 2)

    def visit(pairing, start, category="党委书记", reverse=False, leader="李明"):
        origin, destination = pairing.helper_id, pairing.recipient_id
        if reverse:
            origin, destination = destination, origin
        Visit.objects.create(
            pairing=pairing,
            origin_id=origin,
            destination_id=destination,
            start_date=start,
            end_date=start,
            leader=leader,
            leader_category=category,
            purpose="调研",
        )

    # I01: principal leaders' visits, either direction; 其他领导 and 2018 do not count.
    visit(kb, D(2019, 3, 10))
    visit(kb, D(2019, 8, 1), "政府主要负责人", reverse=True, leader="张华")
    visit(kb, D(2019, 5, 5), "其他领导", leader="王五")
    visit(kb, D(2018, 12, 31))
    visit(ha, D(2019, 6, 1))

    # I02: meetings dated in 2019.
    for pairing, date in ((kb, D(2019, 4, 1)), (ha, D(2019, 4, 2)), (ha, D(2019, 10, 2))):
        Meeting.objects.create(
            pairing=pairing,
            date=date,
            helper_id=pairing.helper_id,
            recipient_id=pairing.recipient_id,
            name=f"联席会议{date}",
        )
    Meeting.objects.create(
        pairing=fn, date=D(2020, 1, 5), helper_id="110116", recipient_id="130826", name="2020会"
    )

    # I03: KB's and HA's agreements are in force in 2019, FN's ended in 2018.
    for pairing, start, end in (
        (kb, D(2018, 5, 10), D(2020, 12, 31)),
        (ha, D(2019, 6, 1), None),
        (fn, D(2018, 5, 10), D(2018, 12, 31)),
    ):
        Agreement.objects.create(
            pairing=pairing,
            name=f"协议{pairing.recipient_id}",
            helper_id=pairing.helper_id,
            recipient_id=pairing.recipient_id,
            signed_date=start,
            effective_date=start,
            end_date=end,
        )

    def second(pairing, category, start, end, id_number=None):
        number = id_number or make_id(pairing.helper_id, D(1975, 1, 1), next(person))
        Secondment.objects.create(
            pairing=pairing,
            name="挂职干部",
            id_number=number,
            sender_id=pairing.helper_id,
            posting_id=pairing.recipient_id,
            category=category,
            start_date=start,
            end_date=end,
        )
        return number

    # I04 (党政干部, ≥ 30 days inside the year):
    # A crosses into 2019 with 20 days (counts in 2018 with 214); B has exactly 30 days of 2019
    # (2 to 31 Dec); C has 29 (counts in 2020); D is open-ended; E serves 怀安 then 丰宁 and
    # counts once for 怀柔 and once for the programme.
    second(kb, "党政干部", D(2018, 6, 1), D(2019, 1, 20))
    second(kb, "党政干部", D(2019, 12, 2), D(2020, 6, 30))
    second(kb, "党政干部", D(2019, 12, 3), D(2020, 3, 1))
    second(ha, "党政干部", D(2019, 3, 1), None)
    e = second(ha, "党政干部", D(2019, 1, 1), D(2019, 6, 30))
    second(fn, "党政干部", D(2019, 7, 1), D(2019, 12, 31), id_number=e)
    # I05: professionals; 28 days do not count, 30 do.
    second(kb, "专业技术人才-教育", D(2019, 9, 1), D(2019, 12, 31))
    second(kb, "专业技术人才-医疗", D(2019, 2, 1), D(2019, 2, 28))
    second(ha, "专业技术人才-农业科技", D(2019, 1, 1), D(2019, 1, 30))

    # I06, I07, I18: person-times of trainings that ended in the year.
    for pairing, audience, start, end, times in (
        (kb, "党政干部", D(2019, 5, 6), D(2019, 5, 10), 50),
        (kb, "党政干部", D(2018, 12, 28), D(2019, 1, 5), 40),
        (ha, "党政干部", D(2019, 7, 1), D(2019, 7, 5), 30),
        (fn, "党政干部", D(2018, 10, 28), D(2018, 11, 1), 20),
        (kb, "专业技术人员", D(2019, 3, 1), D(2019, 3, 3), 25),
        (fn, "专业技术人员", D(2019, 4, 1), D(2019, 4, 3), 35),
        (ha, "贫困劳动力", D(2019, 5, 1), D(2019, 5, 20), 100),
        (fn, "贫困劳动力", D(2019, 6, 1), D(2019, 6, 10), 60),
    ):
        Training.objects.create(
            pairing=pairing,
            name=f"{audience}培训{start}",
            host_id=pairing.helper_id,
            recipient_id=pairing.recipient_id,
            audience=audience,
            start_date=start,
            end_date=end,
            person_times=times,
        )

    # I08–I10: funds. 怀安 had no fiscal aid in 2018 (growth: no value); 丰宁 none in 2019.
    for pairing, year, source, amount, paid in (
        (kb, 2019, "财政援助", "1000.00", D(2019, 5, 1)),
        (kb, 2019, "财政援助", "500.50", D(2019, 9, 1)),
        (ha, 2019, "财政援助", "800.00", D(2019, 5, 1)),
        (kb, 2018, "财政援助", "1000.00", D(2018, 6, 1)),
        (fn, 2018, "财政援助", "400.00", D(2018, 6, 1)),
        (kb, 2019, "社会帮扶", "30.00", D(2019, 7, 1)),
    ):
        Fund.objects.create(
            pairing=pairing,
            year=year,
            helper_id=pairing.helper_id,
            recipient_id=pairing.recipient_id,
            source=source,
            amount=Decimal(amount),
            paid_date=paid,
        )
    for pairing, date, amount in (
        (kb, D(2019, 9, 9), "120.00"),
        (ha, D(2018, 12, 31), "10.00"),
        (fn, D(2019, 2, 2), "55.25"),
    ):
        Donation.objects.create(
            pairing=pairing,
            date=date,
            donor="爱心企业",
            helper_id=pairing.helper_id,
            recipient_id=pairing.recipient_id,
            category="资金",
            amount=Decimal(amount),
        )

    # I11, I12: the year's projects; 丰宁 has none (a rate with a zero denominator);
    # 怀安's project sits in a village and counts for its county through the pairing.
    for number, pairing, site, aid, paid, linked in (
        ("KB-1", kb, "130723", "500.00", "350.00", True),
        ("KB-2", kb, "130723", "300.00", "300.00", False),
        ("HA-1", ha, "130728100201", "200.00", "0.00", True),
    ):
        Project.objects.create(
            pairing=pairing,
            project_no=number,
            name=f"项目{number}",
            helper_id=pairing.helper_id,
            recipient_id=pairing.recipient_id,
            site_id=site,
            year=2019,
            category="产业",
            fiscal_aid=Decimal(aid),
            disbursed=Decimal(paid),
            status="在建",
            closely_linked=linked,
        )

    # I13–I15: enterprise Y invests in 怀安 (at a village) and 丰宁; Z invested nothing.
    for pairing, location, code, amount, driven in (
        (kb, "130723", "91110105X", "100.00", 10),
        (ha, "130728100201", "91110116Y", "200.00", 20),
        (ha, "130728", "91110116Z", "0.00", 5),
        (fn, "130826", "91110116Y", "300.00", 30),
    ):
        Investment.objects.create(
            pairing=pairing,
            enterprise=f"企业{code[-1]}",
            credit_code=code,
            helper_id=pairing.helper_id,
            location_id=location,
            year=2019,
            amount=Decimal(amount),
            poor_people_driven=driven,
        )

    # Registry: households by county (O1–O4) and the workers of the labour ledger.
    hk1 = make_household("130723100201", people=3, identified_year=2015)
    hk2 = make_household("130723100202", people=2, identified_year=2015, exit_year=2019)
    hk3 = make_household(  # exited in 2018 and fell back in 2019
        "130723100201", people=4, identified_year=2016, exit_year=2018, fallback_year=2019
    )
    make_household("130723100202", people=1, identified_year=2020)
    ha1 = make_household("130728100201", people=2, identified_year=2014, exit_year=2020)
    ha2 = make_household("130728100201", people=5, identified_year=2014, exit_year=2019)
    fn1 = make_household("130826100201", people=3, identified_year=2015)

    # I16, I17: stable job spells (≥ 90 days, both ends counted) that started in 2019.
    def job(pairing, household, member, workplace, start, end):
        LabourTransfer.objects.create(
            pairing=pairing,
            id_number=household.members.all()[member].id_number,
            household=household,
            workplace_code=workplace,
            employer="用工单位",
            start_date=start,
            end_date=end,
            organisation="有组织",
        )

    job(kb, hk1, 0, "110105", D(2019, 3, 1), D(2019, 5, 29))  # 90 days: stable
    job(kb, hk1, 1, "110105", D(2019, 3, 1), D(2019, 5, 28))  # 89 days: not
    job(kb, hk1, 0, "110105", D(2019, 7, 1), D(2019, 12, 31))  # the same person again
    job(kb, hk1, 2, "130723", D(2019, 10, 1), None)  # own county, open: 92 days to 31 Dec
    job(kb, hk3, 0, "110105", D(2018, 3, 1), D(2018, 12, 31))  # 2018
    job(ha, ha1, 0, "110116", D(2019, 1, 10), D(2019, 12, 31))
    job(ha, ha1, 1, "120101", D(2019, 2, 1), D(2019, 12, 31))  # Tianjin: neither province
    job(ha, ha2, 0, "130100", D(2019, 4, 1), D(2019, 9, 30))  # elsewhere in Hebei
    job(fn, fn1, 0, "130826", D(2019, 11, 15), None)  # 47 days to 31 Dec, 90 to 12 Feb 2020
    job(fn, fn1, 1, "110105", D(2019, 5, 1), D(2019, 10, 31))  # Beijing, not 怀柔: still counts

    # I19–I21: sub-pairings in force in 2019.
    for pairing, entity_type, code, target_type, target, start, end in (
        (kb, "区", "110105", "乡镇", "130723100", D(2018, 5, 1), None),
        (kb, "企业", "91110105K", "乡镇", "130723100", D(2019, 1, 1), None),
        (kb, "村", "110105001001", "村", "130723100201", D(2018, 5, 1), None),
        (kb, "企业", "91110105K", "村", "130723100202", D(2019, 3, 1), D(2020, 3, 1)),
        (ha, "乡镇", "110116100", "乡镇", "130728100", D(2019, 1, 1), D(2019, 12, 31)),
        (ha, "社会组织", "51110116S", "村", "130728100201", D(2018, 1, 1), None),
        (fn, "乡镇", "110116101", "乡镇", "130826100", D(2017, 1, 1), D(2018, 12, 31)),
        (fn, "学校", "12110116E", "村", "130826100201", D(2019, 6, 1), None),
    ):
        SubPairing.objects.create(
            pairing=pairing,
            helper_id=pairing.helper_id,
            entity_type=entity_type,
            entity_name=f"{entity_type}{code}",
            entity_code=code,
            target_type=target_type,
            target_id=target,
            start_date=start,
            end_date=end,
        )

    # I22: purchases dated in 2019.
    for pairing, date, amount in (
        (kb, D(2019, 1, 15), "200.00"),
        (kb, D(2019, 11, 15), "50.00"),
        (fn, D(2019, 8, 8), "75.50"),
        (ha, D(2018, 8, 8), "10.00"),
    ):
        Purchase.objects.create(
            pairing=pairing,
            date=date,
            buyer_id=pairing.helper_id,
            origin_id=pairing.recipient_id,
            purchaser="机关食堂",
            product=f"农产品{date}",
            amount=Decimal(amount),
        )

    # O1: rural population; 丰宁 has none for 2019 (no value); the province's row is no county.
    for region, year, population in (
        ("130723", 2019, 1000),
        ("130728", 2019, 500),
        ("130826", 2018, 800),
        ("130000", 2019, 9_000_000),
    ):
        RuralPopulation.objects.create(region_id=region, year=year, population=population)

    # O4: per-capita net income; hk2 and ha2 lack one of the two years.
    for household, year, wages, business, prop, transfers, costs in (
        (hk1, 2018, 3000, 0, 0, 0, 0),
        (hk1, 2019, 3000, 600, 200, 300, 500),  # 3,600 ÷ 3 = 1,200 (was 1,000)
        (hk2, 2019, 5000, 0, 0, 0, 0),
        (hk3, 2018, 8000, 0, 0, 0, 0),  # ÷ 4 = 2,000
        (hk3, 2019, 4000, 0, 0, 0, 0),  # ÷ 4 = 1,000
        (ha1, 2018, 2000, 0, 0, 0, 0),  # ÷ 2 = 1,000
        (ha1, 2019, 2400, 0, 0, 0, 0),  # ÷ 2 = 1,200
        (ha2, 2018, 9000, 0, 0, 0, 0),
        (fn1, 2018, 3000, 0, 0, 0, 0),  # ÷ 3 = 1,000
        (fn1, 2019, 3000, 0, 0, 0, 0),  # ÷ 3 = 1,000: no growth
    ):
        Income.objects.create(
            household=household,
            year=year,
            wages=Decimal(wages),
            business=Decimal(business),
            property_income=Decimal(prop),
            transfers=Decimal(transfers),
            costs=Decimal(costs),
        )

    household_years_refresh()
    return SimpleNamespace(programme=small_programme, kb=kb, ha=ha, fn=fn, households=[hk1, hk3])


@pytest.fixture
def by_key():
    """Return a function keying engine figures like EXPECTED_2019."""

    def key(figures) -> dict[tuple[str, str, str], float | None]:
        return {(f.indicator, f.unit_type, f.unit): f.value for f in figures}

    return key
