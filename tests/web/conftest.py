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
