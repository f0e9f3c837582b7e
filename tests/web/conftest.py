"""Fixtures of the page tests: users with grants, a small registry, the full 23-county layout."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache

from xiezuo.access import Role
from xiezuo.access.services import grant_give
from xiezuo.core.ids import make_id
from xiezuo.regions.models import Region, RuralPopulation
from xiezuo.registry.models import Household, Income, Member, StatusChange


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Start each test with an empty cache: the overview cache outlives a rolled-back test."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def programme(small_programme, settings):
    """Return the small programme (朝阳→康保, 怀柔→怀安, 怀柔→丰宁 示意) as the site's programme."""
    settings.XIEZUO_DEFAULT_PROGRAMME = small_programme.key
    return small_programme


@pytest.fixture
def make_user(db):
    """Return a function creating a user holding one grant (role over region)."""

    def make(username: str, role: Role | None = None, region: str | None = None) -> User:
        user = User.objects.create_user(username)
        if role is not None:
            grant_give(user=user, role=role, region_code=region)
        return user

    return make


@pytest.fixture
def registry(programme, make_household):
    """Register five households in the small programme, with rural populations.

    康保 130723: A (一村, 3 people, identified 2015, exited 2019), B (一村, 2, identified 2016,
    still poor), C (二村, 4, identified 2017, exited 2018, fell back 2020).
    怀安 130728: D (三村, 5, identified 2015, exited 2020).
    丰宁 130826: E (四村, 1, identified 2018, still poor).
    Rural population 2019 / 2020: 康保 1000 / 1000, 怀安 500 / 500, 丰宁 250 / 200.
    """
    households = {
        "A": make_household("130723100201", people=3, identified_year=2015, exit_year=2019),
        "B": make_household("130723100201", people=2, identified_year=2016),
        "C": make_household(
            "130723100202", people=4, identified_year=2017, exit_year=2018, fallback_year=2020
        ),
        "D": make_household("130728100201", people=5, identified_year=2015, exit_year=2020),
        "E": make_household("130826100201", people=1, identified_year=2018),
    }
    for code, by_year in {
        "130723": {2019: 1000, 2020: 1000},
        "130728": {2019: 500, 2020: 500},
        "130826": {2019: 250, 2020: 200},
    }.items():
        for year, population in by_year.items():
            RuralPopulation.objects.create(region_id=code, year=year, population=population)
    a = households["A"]
    StatusChange.objects.create(household=a, year=2015, kind=StatusChange.Kind.IDENTIFIED)
    StatusChange.objects.create(household=a, year=2019, kind=StatusChange.Kind.EXITED)
    Income.objects.create(
        household=a, year=2019, wages=9000, business=3000, transfers=1200, costs=1500
    )
    return households


# --- the full programme layout: 23 recipient counties, for the browser test ----------------

HELPERS = {
    "110101": "东城区", "110102": "西城区", "110105": "朝阳区", "110106": "丰台区",
    "110107": "石景山区", "110108": "海淀区", "110109": "门头沟区", "110111": "房山区",
    "110112": "通州区", "110113": "顺义区", "110114": "昌平区", "110115": "大兴区",
    "110116": "怀柔区", "110117": "平谷区", "110118": "密云区", "110119": "延庆区",
}  # fmt: skip
CITIES = {"130600": "保定市", "130700": "张家口市", "130800": "承德市"}
RECIPIENTS = {
    "130722": "张北县", "130723": "康保县", "130732": "赤城县", "130709": "崇礼区",
    "130728": "怀安县", "130826": "丰宁满族自治县", "130824": "滦平县", "130724": "沽源县",
    "130725": "尚义县", "130726": "蔚县", "130727": "阳原县", "130708": "万全区",
    "130705": "宣化区", "130731": "涿鹿县", "130624": "阜平县", "130630": "涞源县",
    "130623": "涞水县", "130633": "易县", "130627": "唐县", "130636": "顺平县",
    "130631": "望都县", "130634": "曲阳县", "130637": "博野县",
}  # fmt: skip


@pytest.fixture
def full_programme(transactional_db, settings):
    """Return the Beijing–Hebei programme over its 23 counties, each with a small registry.

    County i (in code order) has i + 2 households of 3 people, identified in 2016; in 2019
    one of them exits, in 2020 one more; its rural population is 1,000 + 100 × i both years.
    """
    from xiezuo.programs.services import programme_load

    regions = [
        Region(code="110000", name="北京市", level=1),
        Region(code="110100", name="市辖区", level=2, parent_id="110000"),
        Region(code="130000", name="河北省", level=1),
    ]
    regions += [Region(code=c, name=n, level=3, parent_id="110100") for c, n in HELPERS.items()]
    regions += [Region(code=c, name=n, level=2, parent_id="130000") for c, n in CITIES.items()]
    for code, name in RECIPIENTS.items():
        regions += [
            Region(code=code, name=name, level=3, parent_id=code[:4] + "00"),
            Region(code=code + "100", name="城关镇", level=4, parent_id=code),
            Region(code=code + "100201", name="一村", level=5, parent_id=code + "100"),
        ]
    Region.objects.bulk_create(regions)
    settings.XIEZUO_DEFAULT_PROGRAMME = "beijing-hebei"
    programme = programme_load(key="beijing-hebei")

    households, populations = [], []
    for i, code in enumerate(sorted(RECIPIENTS)):
        for j in range(i + 2):
            exit_year = {0: 2019, 1: 2020}.get(j)
            households.append(_household(code, j, exit_year=exit_year))
        populations += [
            RuralPopulation(region_id=code, year=year, population=1000 + 100 * i)
            for year in (2019, 2020)
        ]
    Household.objects.bulk_create(households)
    Member.objects.bulk_create(
        _member(household, k) for household in Household.objects.all() for k in range(3)
    )
    RuralPopulation.objects.bulk_create(populations)
    return programme


def _household(county: str, j: int, *, exit_year: int | None) -> Household:
    village = county + "100201"
    return Household(
        household_no=f"{village}{j:05d}",
        village_id=village,
        county_id=county,
        householder_name=f"户主{j}",
        householder_id_number=make_id(county, dt.date(1960, 1, 1), j),
        size=3,
        attribute="一般贫困户",
        standard="国家标准",
        main_cause="因病",
        identified_year=2016,
        status="未脱贫" if exit_year is None else "已脱贫(享受政策)",
        exit_year=exit_year,
    )


def _member(household: Household, k: int) -> Member:
    birth = dt.date(1980 + k, 1, 1)
    return Member(
        household=household,
        name=f"成员{k}",
        id_number=make_id(household.county_id, birth, int(household.household_no[-5:])),
        sex="男",
        birth_date=birth,
        relation="本人" if k == 0 else "之子",
        health="健康",
        labour_skill="普通劳动力",
    )


# --- precision work and monitoring: a small county with every case of the pages ---------------


@pytest.fixture
def precision_registry(programme, make_household):
    """Register households in 康保 (and one in 怀安) covering every list of the precision pages,
    for 2020 (line 4,000 yuan, monitoring threshold T = 1.5 × 4,000 = 6,000 per person).

    康保 130723, 一村 130723100201 (population 250) and 二村 130723100202 (population 100);
    county population 300; county check 漏评率 1.00, 错退率 3.00, 认可度 95.00.

    - G1 一村, 3 people, 因病 (and 缺资金), poor: its 医疗保障 ended 2019-12-31 → a gap.
    - G2 一村, 2 people, 因病, poor, 医疗救助 from 2020-05-01, 3,000 per person → no gap.
    - W1 二村, 4 people, 缺资金, exited 2020, 小额信贷; 5,000 per person but housing 否
      → a wrong exit.
    - R1 二村, 1 person, 缺技术, poor, 技能培训; 4,500 per person, all five 是 → ready to exit.
    - U1 一村, 2 people, 因残, exited 2019, 残疾人补贴; 5,000 per person < 6,000 → 脱贫不稳定户.
    - U2 一村, 3 people, 因病, exited 2019, 医疗保障; 8,000 per person, all five 是; a clue of
      2020-03-01 (因病, 刚性支出 2,000) → 脱贫不稳定户, unconfirmed 16 days on 2020-03-17.
    - M1 一村, monitored outside the register, 3 people, 5,000 per person → 边缘易致贫户.
    - D1 怀安 三村 130728100201, 5 people, 因学, poor, no measure → a gap of 怀安.

    Poor at the end of 2020: 一村 G1 + G2 = 5 of 250 → exactly 2.00 % (fails); 二村 R1 = 1 of
    100 → 1.00 %; 康保 6 of 300 → 2.00 % (fails): one more person must exit, in 一村.
    """
    from xiezuo.precision.models import Assurance, Clue, CountyCheck, Measure
    from xiezuo.registry.services import household_years_refresh

    one, two = "130723100201", "130723100202"
    h = {
        "G1": make_household(one, people=3, identified_year=2016),
        "G2": make_household(one, people=2, identified_year=2016),
        "W1": make_household(two, people=4, identified_year=2016, exit_year=2020),
        "R1": make_household(two, people=1, identified_year=2016),
        "U1": make_household(one, people=2, identified_year=2016, exit_year=2019),
        "U2": make_household(one, people=3, identified_year=2016, exit_year=2019),
        "D1": make_household("130728100201", people=5, identified_year=2016),
    }
    causes = {
        "G1": "因病",
        "G2": "因病",
        "W1": "缺资金",
        "R1": "缺技术",
        "U1": "因残",
        "U2": "因病",
    }
    causes["D1"] = "因学"
    for key, cause in causes.items():
        h[key].main_cause = cause
    h["G1"].other_causes = "缺资金"
    h["U2"].responsible_name = "王干部"
    h["U2"].responsible_phone = "13812345678"
    for household in h.values():
        household.save()
    h["M1"] = Household.objects.create(
        household_no=f"{one}900001",
        village_id=one,
        county_id="130723",
        householder_name="李监测",
        householder_id_number=make_id("130723", dt.date(1970, 5, 6), 31),
        size=3,
        attribute="",
        standard="",
        main_cause="",
        status="",
        registered=False,
        monitored_from=dt.date(2020, 2, 1),
    )
    day = dt.date
    measures = [
        ("G1", "医疗保障", day(2018, 1, 1), day(2019, 12, 31)),
        ("G2", "医疗救助", day(2020, 5, 1), None),
        ("W1", "小额信贷", day(2019, 4, 1), day(2021, 3, 31)),
        ("R1", "技能培训", day(2020, 6, 1), day(2020, 6, 30)),
        ("U1", "残疾人补贴", day(2018, 1, 1), None),
        ("U2", "医疗保障", day(2018, 1, 1), None),
    ]
    for key, category, start, end in measures:
        Measure.objects.create(household=h[key], category=category, start_date=start, end_date=end)
    per_capita = {"G2": 3000, "W1": 5000, "R1": 4500, "U1": 5000, "U2": 8000, "M1": 5000}
    for key, yuan in per_capita.items():
        size = h[key].size
        Income.objects.create(household=h[key], year=2020, wages=yuan * size)
        Income.objects.create(household=h[key], year=2019, wages=yuan * size)
    five = dict.fromkeys(Assurance.FIVE, True)
    for key in ("G2", "R1", "U1", "U2", "M1"):
        Assurance.objects.create(household=h[key], year=2020, **five)
    Assurance.objects.create(household=h["W1"], year=2020, **{**five, "housing": False})
    Clue.objects.create(
        household=h["U2"],
        found_on=day(2020, 3, 1),
        source="干部走访",
        category="因病",
        rigid_spending=2000,
        note="住院",
    )
    for code, population in {one: 250, two: 100, "130723": 300}.items():
        RuralPopulation.objects.create(region_id=code, year=2020, population=population)
    CountyCheck.objects.create(
        region_id="130723", year=2020, missed_rate=1, wrong_exit_rate=3, approval=95
    )
    household_years_refresh()
    return h
