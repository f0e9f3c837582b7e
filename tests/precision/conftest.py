"""A small, hand-computed world for precision work and monitoring (docs/precision.md).

The small programme (tests/conftest.py): 康保 130723 (villages 一村 …201 and 二村 …202),
怀安 130728, 丰宁 130826. Lines: 2019 3,218 and 2020 4,000 yuan; T(2020) = 6,000.
"""

import datetime as dt
from decimal import Decimal

import pytest

V1, V2 = "130723100201", "130723100202"  # 康保 一村, 二村
V3 = "130728100201"  # 怀安 三村
V4 = "130826100201"  # 丰宁 四村

ALL_MET = dict.fromkeys(("food_clothing", "education", "medical", "housing", "water"), True)


@pytest.fixture
def programme(small_programme):
    from xiezuo.programs.models import PovertyLine

    PovertyLine.objects.create(programme=small_programme, year=2019, yuan_per_person="3218")
    return small_programme


@pytest.fixture
def household(make_household):
    """Return a function that makes a household (registered unless `registered=False`): the
    shared `make_household` with its number, causes and watch given."""

    def make(
        number: str,
        village: str,
        *,
        people: int = 3,
        cause: str = "因病",
        other_causes: str = "",
        identified_year: int | None = 2015,
        exit_year: int | None = None,
        fallback_year: int | None = None,
        status: str | None = None,
        registered: bool = True,
        monitored_from: dt.date | None = None,
        monitored_until: dt.date | None = None,
    ):
        return make_household(
            village,
            people=people,
            identified_year=identified_year if registered else None,
            exit_year=exit_year,
            fallback_year=fallback_year,
            health="患有大病",
            born=1970,
            household_no=number,
            householder_name=f"户主{number[-2:]}",
            main_cause=cause,
            other_causes=other_causes,
            status=status or ("未脱贫" if exit_year is None else "已脱贫(享受政策)"),
            responsible_phone="13800000000",
            registered=registered,
            monitored_from=monitored_from,
            monitored_until=monitored_until,
        )

    return make


def income(household, year: int, net: str) -> None:
    """Give `household` a net income of `net` yuan in `year` (wages + transfers − costs)."""
    from xiezuo.registry.models import Income

    amount = Decimal(net)
    Income.objects.create(
        household=household,
        year=year,
        wages=amount - Decimal("100.10"),
        transfers=Decimal("300.30"),
        costs=Decimal("200.20"),
    )


def assured(household, year: int, **unmet: bool) -> None:
    from xiezuo.precision.models import Assurance

    Assurance.objects.create(household=household, year=year, **{**ALL_MET, **unmet})


def measure(household, category: str, start: dt.date, end: dt.date | None = None, **extra):
    from xiezuo.precision.models import Measure

    return Measure.objects.create(
        household=household, category=category, start_date=start, end_date=end, **extra
    )


def clue(household, found_on: dt.date, rigid: str | None = None) -> None:
    from xiezuo.precision.models import Clue

    Clue.objects.create(
        household=household,
        found_on=found_on,
        source="干部走访",
        category="因病",
        rigid_spending=None if rigid is None else Decimal(rigid),
        note="住院治疗",
    )


@pytest.fixture
def precision_world(programme, household):
    """Households of 2020 in 康保 with every precision rule's edge (see each line)."""
    from xiezuo.precision.models import CountyCheck
    from xiezuo.regions.models import RuralPopulation

    covered = dt.date(2020, 3, 1)
    # 一村: two causes; its medical measure ended the day before 2020 → gap on 因病 only.
    h1 = household("K01", V1, cause="因病", other_causes="缺资金、缺技术")
    measure(h1, "医疗保障", dt.date(2018, 1, 1), dt.date(2019, 12, 31))
    measure(h1, "小额信贷", dt.date(2020, 1, 1))  # answers the other cause: not counted
    # 一村: a measure starting on the last day of 2020 covers the year.
    h2 = household("K02", V1)
    measure(h2, "医疗救助", dt.date(2020, 12, 31))
    # 二村: exited 2020, income above the line (4,001/person) but housing unsafe → wrong exit.
    h3 = household("K03", V2, exit_year=2020)
    measure(h3, "保险", covered)
    income(h3, 2020, "12003")
    assured(h3, 2020, housing=False)
    # 二村: exited 2020 with income exactly at the line (4,000/person) → wrong exit.
    h4 = household("K04", V2, exit_year=2020)
    measure(h4, "保险", covered)
    income(h4, 2020, "12000")
    assured(h4, 2020)
    # 二村: exited 2020, 4,000.01/person and all five → passes.
    h5 = household("K05", V2, people=1, exit_year=2020)
    measure(h5, "保险", covered)
    income(h5, 2020, "4000.01")
    assured(h5, 2020)
    # 一村: poor, 4,500/person and all five → ready to exit. 缺劳力 answered by 低保.
    h6 = household("K06", V1, people=2, cause="缺劳力")
    measure(h6, "低保", dt.date(2016, 5, 1))
    income(h6, 2020, "9000")
    assured(h6, 2020)
    # 一村: poor, enough income but no assurance record → not ready. 因学 has no measure → gap.
    h7 = household("K07", V1, cause="因学")
    income(h7, 2020, "15000")
    # 二村: exited 2019 and no longer in policy: never a gap, not poor.
    household("K08", V2, exit_year=2019, status="已脱贫(不再享受政策)")
    # 二村: poor, 4 people; its measure is answered.
    h9 = household("K09", V2, people=4)
    measure(h9, "医疗保障", covered)
    # 一村: fell back in 2020 after exiting in 2019 → poor at the end of 2020.
    h10 = household("K10", V1, people=1, exit_year=2019, fallback_year=2020)
    measure(h10, "医疗保障", covered)
    # identified in 2021: not yet in 2020.
    household("K11", V1, identified_year=2021)
    # 怀安 三村: a poor household of another county.
    h12 = household("H01", V3, people=2)
    measure(h12, "医疗保障", covered)

    # Poor at the end of 2020: 一村 K01 3 + K02 3 + K06 2 + K07 3 + K10 1 = 12; 二村 K09 4.
    RuralPopulation.objects.create(region_id=V1, year=2020, population=300)  # 4.00 %
    RuralPopulation.objects.create(region_id=V2, year=2020, population=200)  # exactly 2 %
    RuralPopulation.objects.create(region_id="130723", year=2020, population=600)  # 16 → 2.67 %
    RuralPopulation.objects.create(region_id="130826", year=2020, population=1000)
    CountyCheck.objects.create(
        region_id="130723", year=2020, missed_rate="1.50", wrong_exit_rate="2.00", approval="89.99"
    )
    CountyCheck.objects.create(
        region_id="130826", year=2020, missed_rate="0.50", wrong_exit_rate="0.50", approval="95"
    )
    return programme


AS_OF = dt.date(2020, 6, 30)


@pytest.fixture
def monitoring_world(programme, household):
    """Households watched in 2020 (T = 6,000 yuan per person), as of 30 June 2020."""
    from xiezuo.precision.models import MonitoringCase

    # M01 exited 2019, 5,000/person → 脱贫不稳定户 on income; no clue, nothing recorded.
    m1 = household("M01", V1, people=2, exit_year=2019)
    income(m1, 2020, "10000")
    # M02 exited 2019, 7,000/person, clue 14 June (16 days by 30 June) with 20,000 of rigid
    # spending against 15,000 of net income in 2019 → both 脱贫不稳定户 and 突发严重困难户.
    m2 = household("M02", V1, people=2, exit_year=2019)
    income(m2, 2019, "15000")
    income(m2, 2020, "14000")
    clue(m2, dt.date(2020, 6, 14), "20000")
    # M03 exited 2019, 7,000/person, clue 15 June (15 days) with small spending → 脱贫不稳定户.
    m3 = household("M03", V1, people=2, exit_year=2019)
    income(m3, 2019, "15000")
    income(m3, 2020, "14000")
    clue(m3, dt.date(2020, 6, 15), "1000")
    assured(m3, 2020)
    # M04 monitored from 1 March to 31 May, 5,000/person → 边缘易致贫户, risk eliminated.
    m4 = household(
        "M04",
        V2,
        people=2,
        registered=False,
        monitored_from=dt.date(2020, 3, 1),
        monitored_until=dt.date(2020, 5, 31),
    )
    income(m4, 2020, "10000")
    # M05 monitored from 1 Feb, no income of 2020 → 边缘易致贫户 (counted as below); notice of
    # five days; its first measure starts 5 March, after the 2 March deadline → measure overdue.
    m5 = household("M05", V2, people=3, registered=False, monitored_from=dt.date(2020, 2, 1))
    MonitoringCase.objects.create(
        household=m5, year=2020, notice_from=dt.date(2020, 2, 3), notice_to=dt.date(2020, 2, 7)
    )
    measure(m5, "就业帮扶", dt.date(2020, 3, 5))
    # M06 monitored from 1 Feb, 5,500/person; a four-day notice → notice overdue; its measure
    # starts on the deadline (2 March) → in time.
    m6 = household("M06", V2, people=2, registered=False, monitored_from=dt.date(2020, 2, 1))
    income(m6, 2020, "11000")
    MonitoringCase.objects.create(
        household=m6, year=2020, notice_from=dt.date(2020, 2, 3), notice_to=dt.date(2020, 2, 6)
    )
    measure(m6, "公益岗位", dt.date(2020, 3, 2))
    # M07 poor (never exited), no income of 2019 (counts 0), clue with 5,000 → 突发严重困难户.
    m7 = household("M07", V1, people=3)
    clue(m7, dt.date(2020, 4, 1), "5000")
    # Not cases: M08 exited 2019 at 6,000/person exactly (not below T); its clue comes after
    # the as-of day. M09 monitored, 6,500/person. M10 monitored from 2021.
    m8 = household("M08", V1, people=1, exit_year=2019)
    income(m8, 2020, "6000")
    clue(m8, dt.date(2020, 7, 15), "90000")
    m9 = household("M09", V2, people=1, registered=False, monitored_from=dt.date(2020, 1, 5))
    income(m9, 2020, "6500")
    household("M10", V2, registered=False, monitored_from=dt.date(2021, 1, 5))
    # 怀安: an exited household at 1,000/person.
    m11 = household("H11", V3, people=1, exit_year=2018)
    income(m11, 2020, "1000")
    return programme


@pytest.fixture
def operator(programme):
    from xiezuo.access import Access

    return Access.operator(programme)
