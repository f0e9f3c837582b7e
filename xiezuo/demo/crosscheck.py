"""The demo's outside lists (deaths, vehicles, properties, businesses, payroll, village
cadres) of 2018–2020 for the programme's recipient counties, with planted hits of every
cross-check rule and many rows that hit nothing.

Per county and list year, a few dozen registered members at most are planted (exact ID
matches, a homophone name without ID number, near-misses: a vehicle under 30,000 yuan, a
spell ended before the year, a record dated after the year, a property in the household's own
village, the same name with another birth day); every list also carries people who are not on
the register. In each county one person is registered twice (in a second household under
their disability certificate number): a duplicate. Deterministic (a seeded generator, members in id
order) and written through the bulk path.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

import numpy as np

from xiezuo.core.bulk import bulk_insert, reset_sequence
from xiezuo.core.ids import make_ids
from xiezuo.crosscheck.models import LISTS
from xiezuo.programs.models import Programme
from xiezuo.regions.models import Region
from xiezuo.registry.models import Member

YEARS = (2018, 2019, 2020)
OUTSIDERS = 60  # people off the register, per county, list and year
SOURCES = {
    "deaths": "民政局",
    "vehicles": "公安局交通警察大队",
    "properties": "不动产登记中心",
    "businesses": "市场监督管理局",
    "payroll": "财政局",
    "cadres": "委组织部",
}
# A surname and one that sounds the same (张伟 / 章伟).
HOMOPHONES = {"张": "章", "李": "黎", "王": "汪", "刘": "柳", "杨": "阳", "赵": "召", "周": "舟"}
SURNAMES = ("张", "王", "李", "赵", "刘", "陈", "杨", "黄", "吴", "周")
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰"

type Person = tuple[str, str, dt.date, str]  # id number, name, birth date, village


def write_lists(programme: Programme, *, seed: int = 2018) -> dict[str, int]:
    """Replace the outside lists of the programme's recipient counties; return rows per list."""
    from django.db.models import Q

    rng = np.random.default_rng(seed + 14)
    counties = sorted(set(programme.pairings.values_list("recipient_id", flat=True)))
    inside = Q(pk__in=[])
    for county in counties:
        inside |= Q(region__code__startswith=county)
    for model in LISTS.values():
        model._default_manager.filter(inside).delete()
    rows: dict[str, list[dict[str, Any]]] = {key: [] for key in LISTS}
    names = dict(Region.objects.filter(code__in=counties).values_list("code", "name"))
    members: dict[str, list[tuple[Any, ...]]] = {}
    for county in counties:
        members[county] = _members(county)
        if len(members[county]) < 40:
            continue
        # Planted rows name adults of the first 300 (a car, a flat, a post come after the
        # birth); a duplicate is made among the others.
        people: list[Person] = [m[:4] for m in members[county][:300] if m[2].year <= 1998]
        if len(people) < 40:
            continue
        sources = {key: names.get(county, county) + suffix for key, suffix in SOURCES.items()}
        _plant(rows, people, county, sources, rng)
        _outsiders(rows, county, sources, rng)
    _duplicates(members)
    counts = {}
    for key, model in LISTS.items():
        if not rows[key]:
            counts[key] = 0
            continue
        fields = list(rows[key][0])
        counts[key] = bulk_insert(model, fields, ([r[f] for f in fields] for r in rows[key]))
        reset_sequence(model)
    return counts


def _members(county: str) -> list[tuple[Any, ...]]:
    """The first members (by id) of the county's registered households: id number, name,
    birth date, village, then id, household, relation and sex."""
    return list(
        Member.objects.filter(household__county_id=county, household__registered=True)
        .order_by("id")
        .values_list(
            "id_number", "name", "birth_date", "household__village_id",
            "id", "household_id", "relation", "sex",
        )[:400]
    )  # fmt: skip


def _row(person: Person, year: int, source: str, **fields: Any) -> dict[str, Any]:
    id_number, name, birth, village = person
    return {
        "year": year,
        "source": source,
        "id_number": id_number,
        "name": name,
        "birth_date": birth,
        "region_id": village,
        **fields,
    }


def _plant(
    rows: dict[str, list[dict[str, Any]]],
    people: list[Person],
    county: str,
    sources: dict[str, str],
    rng: np.random.Generator,
) -> None:
    """Plant hits and near-misses of every list rule on members of the county."""
    picked = [people[i] for i in rng.choice(len(people), size=40, replace=False)]
    take = iter(picked)
    s = sources
    for year in YEARS:
        # payroll and cadres: in post some day of the year (hit), ended the year before (miss).
        rows["payroll"].append(
            _row(next(take), year, s["payroll"], employer=f"{year}年示例镇人民政府",
                 start_date=dt.date(year - 3, 8, 1), end_date=None)
        )  # fmt: skip
        rows["payroll"].append(
            _row(next(take), year, s["payroll"], employer="示例县事业单位",
                 start_date=dt.date(year - 5, 1, 1), end_date=dt.date(year - 1, 6, 30))
        )  # fmt: skip
        rows["cadres"].append(
            _row(next(take), year, s["cadres"], post="村委会委员",
                 start_date=dt.date(year, 3, 1), end_date=dt.date(year, 6, 30))
        )  # fmt: skip
    # vehicles: ≥ 30,000 yuan (hit), under (miss), registered after the year (miss in 2018).
    rows["vehicles"].append(
        _row(next(take), 2018, s["vehicles"], plate=f"冀G{county[-3:]}01", vehicle_type="小型轿车",
             price=Decimal("86000.00"), registered_on=dt.date(2017, 6, 20))
    )  # fmt: skip
    rows["vehicles"].append(
        _row(next(take), 2019, s["vehicles"], plate=f"冀G{county[-3:]}02", vehicle_type="三轮汽车",
             price=Decimal("12000.00"), registered_on=dt.date(2019, 4, 2))
    )  # fmt: skip
    rows["vehicles"].append(
        _row(next(take), 2020, s["vehicles"], plate=f"冀G{county[-3:]}03",
             vehicle_type="小型越野客车", price=Decimal("168000.00"),
             registered_on=dt.date(2021, 1, 8))
    )  # fmt: skip
    # properties: in the county town (hit), in the household's own village (miss).
    town = next(take)
    rows["properties"].append(
        _row(town, 2019, s["properties"], region_id=county, location="县城建设路12号2单元301",
             area=Decimal("96.50"), registered_on=dt.date(2019, 9, 1))
    )  # fmt: skip
    rows["properties"].append(
        _row(next(take), 2019, s["properties"], location="本村宅基地",
             area=Decimal("120.00"), registered_on=dt.date(2016, 3, 1))
    )  # fmt: skip
    # businesses: registered (hit), registered after 2020 (miss for 2020).
    rows["businesses"].append(
        _row(next(take), 2019, s["businesses"], company="示例农产品经销部",
             credit_code="91110105MA01ABCD5F", capital=Decimal("10.00"),
             registered_on=dt.date(2019, 4, 8))
    )  # fmt: skip
    rows["businesses"].append(
        _row(next(take), 2020, s["businesses"], company="示例养殖专业合作社",
             credit_code="91110105MA01ABCD5F", capital=Decimal("50.00"),
             registered_on=dt.date(2021, 2, 1))
    )  # fmt: skip
    # deaths: before the end of the year (hits), and after it (miss for 2020).
    rows["deaths"].append(_row(next(take), 2019, s["deaths"], died_on=dt.date(2019, 11, 3)))
    rows["deaths"].append(_row(next(take), 2020, s["deaths"], died_on=dt.date(2021, 1, 2)))
    # A homophone name without ID number (a fuzzy hit) and the same name with another birth
    # day (a near-miss).
    sounding = [p for p in picked[20:] if p[1][:1] in HOMOPHONES]
    if sounding:
        _, name, birth, village = sounding[0]
        rows["deaths"].append(
            _row(("", HOMOPHONES[name[0]] + name[1:], birth, village), 2020, s["deaths"],
                 died_on=dt.date(2020, 8, 9))
        )  # fmt: skip
    if len(sounding) > 1:
        _, name, birth, village = sounding[1]
        rows["vehicles"].append(
            _row(("", name, birth + dt.timedelta(days=3), village), 2020, s["vehicles"],
                 plate=f"冀G{county[-3:]}04", vehicle_type="小型轿车",
                 price=Decimal("45000.00"), registered_on=dt.date(2020, 5, 5))
        )  # fmt: skip


def _outsiders(
    rows: dict[str, list[dict[str, Any]]],
    county: str,
    sources: dict[str, str],
    rng: np.random.Generator,
) -> None:
    """People off the register on every list: they hit nothing."""
    villages = list(
        Region.objects.filter(code__startswith=county, level=5)
        .order_by("code")
        .values_list("code", flat=True)[:50]
    ) or [county]
    size = OUTSIDERS * len(YEARS)
    drawn = {}
    for key in LISTS:
        days = rng.integers(0, 60 * 365, size=size)
        births = [dt.date(1940, 1, 1) + dt.timedelta(days=int(d)) for d in days]
        drawn[key] = (births, make_ids(county, births, rng.integers(900, 999, size)))
    numbers = [n for _, ids in drawn.values() for n in ids]
    taken = set(Member.objects.filter(id_number__in=numbers).values_list("id_number", flat=True))
    for key, (births, ids) in drawn.items():
        surnames = rng.integers(len(SURNAMES), size=size).tolist()
        given = rng.integers(len(GIVEN), size=(size, 2)).tolist()
        places = rng.integers(len(villages), size=size).tolist()
        for i in range(size):
            if ids[i] in taken:
                continue
            name = SURNAMES[surnames[i]] + GIVEN[given[i][0]] + GIVEN[given[i][1]]
            year = YEARS[i % len(YEARS)]
            person = (str(ids[i]), name, births[i], villages[places[i]])
            rows[key].append(_row(person, year, sources[key], **_extra(key, county, year, i)))


def _extra(key: str, county: str, year: int, i: int) -> dict[str, Any]:
    if key == "deaths":
        return {"died_on": dt.date(year, 1 + i % 12, 1 + i % 28)}
    if key == "vehicles":
        return {
            "plate": f"冀G{county[-3:]}{i:03d}X",
            "vehicle_type": "小型轿车",
            "price": Decimal(20000 + 1000 * (i % 90)),
            "registered_on": dt.date(year, 1 + i % 12, 1 + i % 28),
        }
    if key == "properties":
        return {
            "location": f"县城幸福路{i}号",
            "area": Decimal(60 + i % 80),
            "registered_on": dt.date(year, 1 + i % 12, 1 + i % 28),
        }
    if key == "businesses":
        return {
            "company": f"示例商贸有限公司{i}",
            "credit_code": "91110105MA01ABCD5F",
            "capital": Decimal(5 + i % 100),
            "registered_on": dt.date(year, 1 + i % 12, 1 + i % 28),
        }
    if key == "payroll":
        return {"employer": "示例县人民政府", "start_date": dt.date(2010, 1, 1), "end_date": None}
    return {"post": "村民委员会委员", "start_date": dt.date(year, 1, 15), "end_date": None}


def _duplicates(members: dict[str, list[tuple[Any, ...]]]) -> None:
    """Register one person of each county twice: a member of another household of the county
    becomes them, written with their disability certificate number (the ID number and two
    digits) — the same normalised ID number in two households.

    The member rewritten is of the same sex and birth year, not a householder, and named by no
    ledger row (labour, measures, proposals), so every other ledger still holds.
    """
    from xiezuo.labour.models import Proposal
    from xiezuo.ledgers.models import LabourTransfer
    from xiezuo.precision.models import Measure

    numbers = [m[0] for people in members.values() for m in people]
    named: set[str] = set()
    for model in (LabourTransfer, Measure, Proposal):
        for start in range(0, len(numbers), 5000):
            chunk = numbers[start : start + 5000]
            named |= set(
                model._default_manager.filter(id_number__in=chunk).values_list(
                    "id_number", flat=True
                )
            )
    for people in members.values():
        if any(len(m[0]) > 18 for m in people):
            continue  # the county already holds its duplicate (lists written again)
        free = [m for m in people[300:] if m[6] != "本人" and m[0] not in named and len(m[0]) == 18]
        pair = next(
            (
                (a, x)
                for a in free
                for x in free
                if a[5] != x[5] and a[7] == x[7] and a[2].year == x[2].year
            ),
            None,
        )
        if pair is not None:
            a, x = pair
            Member.objects.filter(pk=x[4]).update(id_number=a[0] + "11", name=a[1], birth_date=a[2])
