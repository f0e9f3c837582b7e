"""Fixtures of the review queue's tests: flags as a run of the checks hands them over.

The small programme (tests/conftest.py): 康保 130723 (一村 …201, 二村 …202), 怀安 130728.
"""

import datetime as dt

import pytest

from xiezuo.crosscheck.flags import Flag

KANGBAO, HUAIAN = "130723", "130728"
ONE, TWO, THREE = "130723100201", "130723100202", "130728100201"
YEAR = 2020


@pytest.fixture
def review_world(small_programme, make_household, settings):
    """Three households: two in 康保 (一村, 二村), one in 怀安, each with two members."""
    settings.XIEZUO_DEFAULT_PROGRAMME = small_programme.key
    return {
        "programme": small_programme,
        "k1": make_household(ONE, people=2),
        "k2": make_household(TWO, people=2),
        "h1": make_household(THREE, people=2),
    }


def flag_of(household, *, rule: str = "vehicle", member: int = 0, **changes) -> Flag:
    """Return a flag on a member of `household` as the checks make one: its list row beside."""
    person = household.members.order_by("id")[member]
    evidence = {
        "证件号码": person.id_number,
        "姓名": person.name,
        "出生日期": person.birth_date.isoformat(),
        "区划代码": household.village_id,
        "号牌号码": f"冀G{person.pk:05d}",
        "购置价格(元)": "85000",
        "登记日期": "2019-05-01",
    }
    evidence |= changes.pop("evidence", {})
    values = {
        "household": household.household_no,
        "person": person.id_number,
        "rule": rule,
        "source": {"vehicle": "vehicles", "payroll": "payroll"}.get(rule, rule),
        "match": "exact",
        "score": 1.0,
        "evidence": evidence,
        "year": YEAR,
        "member_id": person.pk,
        "household_id": household.pk,
        "severity": "high",
    }
    return Flag(**(values | changes))


@pytest.fixture
def stored(review_world):
    """Store one run over 康保 (a vehicle flag on each of its households, a payroll flag on
    一村's second member) and over 怀安 (one vehicle flag); return the stored rows by name."""
    from xiezuo.access import Access
    from xiezuo.crosscheck.models import CrossCheckFlag
    from xiezuo.crosscheck.services import flags_store

    operator = Access.operator(review_world["programme"])
    k1, k2, h1 = review_world["k1"], review_world["k2"], review_world["h1"]
    flags_store(
        access=operator,
        year=YEAR,
        region=KANGBAO,
        flags=[flag_of(k1), flag_of(k2), flag_of(k1, rule="payroll", member=1)],
    )
    flags_store(access=operator, year=YEAR, region=HUAIAN, flags=[flag_of(h1)])
    by = CrossCheckFlag.objects.get
    return {
        "k1": by(household=k1, rule="vehicle"),
        "k2": by(household=k2, rule="vehicle"),
        "k1_payroll": by(household=k1, rule="payroll"),
        "h1": by(household=h1, rule="vehicle"),
    }


FUTURE = dt.date(2099, 6, 30)


@pytest.fixture
def make_flag():
    """Return `flag_of` (the test modules cannot import this module)."""
    return flag_of
