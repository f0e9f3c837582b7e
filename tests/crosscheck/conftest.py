"""Fixtures of the cross-check tests: a small register in the small programme and a helper
that puts rows on the outside lists.

康保 130723: household K (一村 130723100201), members 甲 (1970-05-06) and 乙 (1975-01-01);
household L (二村 130723100202), member 丙 (1980-02-03).
怀安 130728: household M (三村 130728100201), member 丁 (1985-07-08).
"""

import datetime as dt
from decimal import Decimal

import pytest

from xiezuo.core.ids import make_id
from xiezuo.crosscheck.flags import Flag
from xiezuo.crosscheck.models import LISTS
from xiezuo.registry.models import Household, Member

PEOPLE = {
    # name: (household key, village, birth)
    "甲": ("K", "130723100201", dt.date(1970, 5, 6)),
    "乙": ("K", "130723100201", dt.date(1975, 1, 1)),
    "丙": ("L", "130723100202", dt.date(1980, 2, 3)),
    "丁": ("M", "130728100201", dt.date(1985, 7, 8)),
}
NAMES = {"甲": "张伟", "乙": "李秀英", "丙": "王建国", "丁": "赵敏"}


@pytest.fixture
def register(small_programme):
    """Return {name: Member} of the households above (identified in 2016, not exited)."""
    households: dict[str, Household] = {}
    members = {}
    for n, (key, (household, village, birth)) in enumerate(PEOPLE.items(), start=1):
        if household not in households:
            households[household] = Household.objects.create(
                household_no=f"{village}{len(households) + 1:05d}",
                village_id=village,
                county_id=village[:6],
                householder_name=NAMES[key],
                householder_id_number=make_id(village[:6], birth, n * 2),
                size=2,
                attribute="一般贫困户",
                standard="国家标准",
                main_cause="因病",
                identified_year=2016,
                status="未脱贫",
            )
        members[key] = Member.objects.create(
            household=households[household],
            name=NAMES[key],
            id_number=make_id(village[:6], birth, n * 2),
            sex="男",
            birth_date=birth,
            relation="本人",
            health="健康",
            labour_skill="普通劳动力",
        )
    return members


DEFAULTS = {
    "deaths": {"died_on": dt.date(2020, 3, 1)},
    "vehicles": {
        "plate": "冀G12345",
        "vehicle_type": "小型轿车",
        "price": Decimal("86000"),
        "registered_on": dt.date(2019, 6, 20),
    },
    "properties": {
        "location": "康保县城建设路12号",
        "area": Decimal("96.5"),
        "registered_on": dt.date(2019, 9, 1),
    },
    "businesses": {
        "company": "康保县示例农产品经销部",
        "credit_code": "91110105MA01ABCD5F",
        "capital": Decimal("10"),
        "registered_on": dt.date(2019, 4, 8),
    },
    "payroll": {"employer": "康保县示例镇人民政府", "start_date": dt.date(2016, 8, 1)},
    "cadres": {"post": "村委会委员", "start_date": dt.date(2018, 1, 15)},
}


@pytest.fixture
def listed():
    """Return a function putting `member` (or the person given by fields) on list `key`."""

    def put(key: str, member: Member | None = None, **fields):
        person = {}
        if member is not None:
            person = {
                "id_number": member.id_number,
                "name": member.name,
                "birth_date": member.birth_date,
                "region_id": member.household.village_id,
            }
        values = {"year": 2020, "source": "测试来源", **person, **DEFAULTS[key], **fields}
        return LISTS[key].objects.create(**values)

    return put


# --- the review queue: flags as a run of the checks hands them over ----------------------------
# The small programme: 康保 130723 (一村 …201, 二村 …202), 怀安 130728.

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
