"""Build the demo: a registry of the programme's recipient counties at real scale, the ledgers
of every pairing for every programme year, and accounts.

`demo_build` wipes the ledger rows of the programme's pairings and the registry of its recipient
counties (with their precision and monitoring rows, county checks and village populations), and
writes new ones in one transaction, through the bulk path with explicit primary keys (no ORM
saves, no query per row). `demo_accounts` creates one user per role with a known,
demo-only password.
"""

import time
from dataclasses import dataclass, field
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any, NamedTuple

import numpy as np
from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Count, Model, Q, QuerySet

from xiezuo.access.services import grant_only
from xiezuo.core import codes
from xiezuo.core.bulk import large_sqlite_cache, reset_sequence
from xiezuo.core.errors import XiezuoError
from xiezuo.core.progress import Progress, silent
from xiezuo.core.versions import REGISTRY, version_bump
from xiezuo.demo import bulletins, crosscheck, generate, labour, ledgers, precision
from xiezuo.demo.loading import HOUSEHOLD_FIELDS, INCOME_FIELDS, MEMBER_FIELDS, insert, next_id
from xiezuo.demo.profile import (
    load_accounts,
    load_ledger_profile,
    load_names,
    load_precision_profile,
    load_profile,
)
from xiezuo.programs.models import PovertyLine, Programme
from xiezuo.programs.selectors import programme_get
from xiezuo.regions.models import Region, RuralPopulation
from xiezuo.registry.models import Household, HouseholdYear, Income, Member, StatusChange
from xiezuo.registry.services import household_years_refresh

STAGE_TITLES = (
    {
        "households": "贫困户",
        "members": "家庭成员",
        "incomes": "家庭收入",
        "history": "状态变动",
        "population": "乡村户籍人口",
    }
    | ledgers.STAGE_TITLES
    | precision.STAGE_TITLES
    | {"household_years": "年度户状态"}
)
STAGES = tuple(STAGE_TITLES)
REGISTRY_MODELS: tuple[type[Model], ...] = (
    Household, Member, Income, StatusChange, RuralPopulation,
)  # fmt: skip

# What the wipe deletes, as the refusal to delete names it.
WIPED_TITLES: dict[type[Model], str] = {
    Household: "贫困户",
    Member: "家庭成员",
    Income: "家庭收入",
    StatusChange: "状态变动",
    RuralPopulation: "乡村户籍人口",
} | {model: STAGE_TITLES[stage] for stage, model in ledgers.STAGE_MODELS.items()}
WIPED_TITLES |= precision.WIPED_TITLES

HISTORY_FIELDS = ("id", "household_id", "year", "kind")
POPULATION_FIELDS = ("id", "region_id", "year", "population")


@dataclass(frozen=True)
class DemoSummary:
    """What a demo build wrote, and the programme's outcome it amounts to."""

    programme: str
    scale: float
    seed: int
    last_year: int
    counties: int
    villages: int  # villages holding at least one household
    households: int
    people: int
    rows: dict[str, int]
    exited_households: dict[int, int]  # by exit year
    exited_people: dict[int, int]
    fallback_households: int
    monitored_households: int  # outside the register, watched against falling into poverty
    poor_households: int  # poor at the end of `last_year`
    poor_people: int
    rural_population: int  # of the recipient counties, in `last_year`
    fiscal_aid: Decimal = Decimal(0)  # 万元, over the programme years
    closely_linked_share: float = 0.0  # of project fiscal aid, in percent
    seconds: float = 0.0
    stage_seconds: dict[str, float] = field(default_factory=dict)

    @property
    def people_lifted(self) -> int:
        """Return the people of households that exited, over all years."""
        return sum(self.exited_people.values())

    @property
    def incidence(self) -> float:
        """Return poverty incidence at the end of `last_year`, in percent."""
        return self.poor_people / self.rural_population * 100 if self.rural_population else 0.0


class DemoAccount(NamedTuple):
    """How to sign in as one demo user: the password is demo-only."""

    username: str
    password: str
    role: str
    region: str


def demo_build(
    *,
    scale: float = 1.0,
    seed: int = 2018,
    progress: Progress | None = None,
    programme: str | None = None,
) -> DemoSummary:
    """Replace the demo registry and ledgers of the programme; return a summary.

    Assumes `xiezuo setup` ran (regions and the programme are in the database). The same
    seed and scale always write the same rows. `scale` multiplies every count; money does not
    scale: the fiscal aid always adds up to the programme's envelope.
    """
    if not 0 < scale <= 10:
        raise XiezuoError(f"规模必须大于 0 且不超过 10: {scale}", scale=scale)
    started = time.perf_counter()
    report = progress or silent
    loaded = programme_get(key=programme)
    profile = load_profile()
    names = load_names()
    geography = _geography(loaded)
    ledger_profile = load_ledger_profile()
    precision_profile = load_precision_profile()
    pairings = ledgers.read_pairings(loaded, geography, ledger_profile)
    lines = _poverty_lines(loaded, profile)
    last_year = loaded.end_year
    rng = generate.streams(seed)
    seconds: dict[str, float] = {}
    rows: dict[str, int] = {}

    with large_sqlite_cache(), transaction.atomic():
        _wipe(geography.counties, programme=loaded)
        taken = _taken_ids(geography.counties)
        first_id: dict[type[Model], int] = {model: next_id(model) for model in REGISTRY_MODELS}

        clock = time.perf_counter()
        report("households", 0, None)
        households = generate.make_households(
            rng["households"], geography, profile, names, scale=scale, last_year=last_year
        )
        members = generate.make_members(
            rng["members"],
            households,
            geography,
            profile,
            names,
            reference_year=last_year,
            taken_ids=taken,
        )
        hh_base = first_id[Household]
        columns = households.columns
        rows["households"] = insert(
            Household,
            HOUSEHOLD_FIELDS,
            [range(hh_base, hh_base + households.count)]
            + [columns[name] for name in HOUSEHOLD_FIELDS[1:]],
            stage="households",
            report=report,
        )
        seconds["households"] = time.perf_counter() - clock

        clock = time.perf_counter()
        report("members", 0, members.count)
        columns = members.columns
        rows["members"] = insert(
            Member,
            MEMBER_FIELDS,
            [
                range(first_id[Member], first_id[Member] + members.count),
                (members.household + hh_base).tolist(),
            ]
            + [columns[name] for name in MEMBER_FIELDS[2:]],
            stage="members",
            report=report,
        )
        seconds["members"] = time.perf_counter() - clock

        clock = time.perf_counter()
        report("incomes", 0, None)
        incomes = generate.make_incomes(rng["incomes"], households, members, profile, lines)
        count = len(incomes["year"])
        rows["incomes"] = insert(
            Income,
            INCOME_FIELDS,
            [
                range(first_id[Income], first_id[Income] + count),
                (incomes["household"] + hh_base).tolist(),
            ]
            + [incomes[name] for name in INCOME_FIELDS[2:]],
            stage="incomes",
            report=report,
        )
        seconds["incomes"] = time.perf_counter() - clock

        clock = time.perf_counter()
        report("history", 0, None)
        history = generate.make_history(households)
        count = len(history["year"])
        rows["history"] = insert(
            StatusChange,
            HISTORY_FIELDS,
            [
                range(first_id[StatusChange], first_id[StatusChange] + count),
                (history["household"] + hh_base).tolist(),
                history["year"],
                history["kind"].tolist(),
            ],
            stage="history",
            report=report,
        )
        seconds["history"] = time.perf_counter() - clock

        clock = time.perf_counter()
        report("population", 0, None)
        population = generate.make_population(rng["population"], geography, households, profile)
        count = len(population["year"])
        rows["population"] = insert(
            RuralPopulation,
            POPULATION_FIELDS,
            [range(first_id[RuralPopulation], first_id[RuralPopulation] + count)]
            + [population[name] for name in POPULATION_FIELDS[1:]],
            stage="population",
            report=report,
        )
        seconds["population"] = time.perf_counter() - clock

        money = ledgers.write_ledgers(
            rng,
            loaded,
            geography,
            pairings,
            households,
            members,
            ledger_profile,
            names,
            household_base=hh_base,
            scale=scale,
            report=report,
            rows=rows,
            seconds=seconds,
        )

        monitored = precision.write_precision(
            rng,
            loaded,
            geography,
            households,
            members,
            incomes,
            population,
            profile,
            precision_profile,
            names,
            lines=lines,
            household_base=hh_base,
            scale=scale,
            taken_ids=taken,
            report=report,
            rows=rows,
            seconds=seconds,
        )
        bulletins.write_bulletins(loaded, rows=rows, seconds=seconds, seed=seed)

        written: tuple[type[Model], ...] = (
            *REGISTRY_MODELS,
            *ledgers.STAGE_MODELS.values(),
            *precision.MODELS,
        )
        for model in written:
            reset_sequence(model)
        version_bump(REGISTRY)  # the overview's cache key

        # The assessment's outcomes read the yearly household status: derive it last.
        clock = time.perf_counter()
        report("household_years", 0, None)
        rows["household_years"] = household_years_refresh()
        report("household_years", rows["household_years"], rows["household_years"])
        seconds["household_years"] = time.perf_counter() - clock
        rows.update(crosscheck.write_lists(loaded, seed=seed))  # the outside lists, 2018–2020

    return _summary(
        loaded,
        scale=scale,
        seed=seed,
        geography=geography,
        households=households,
        population=population,
        rows=rows,
        money=money,
        monitored=monitored,
        seconds=time.perf_counter() - started,
        stage_seconds=seconds,
    )


def demo_assess(*, programme: str | None = None) -> list[Any]:
    """Assess every year of the programme at its year end and store the runs, so that the
    assessment, rectification and report pages open on figures; return the runs. A rebuilt
    demo is assessed again: the pages show a year's latest run."""
    from xiezuo.access import Access
    from xiezuo.assessment.services import assessment_run

    loaded = programme_get(key=programme)
    operator = Access.operator(loaded)
    return [
        assessment_run(access=operator, programme=loaded, year=year, who="演示数据")
        for year in loaded.years
    ]


def demo_accounts() -> list[DemoAccount]:
    """Create or reset one demo user per role (idempotent); return how to sign in.

    The cadre is granted one real village of its county (the one with most demo households),
    and that village's households get the cadre as their 帮扶责任人.
    """
    config = load_accounts()
    password = config["password"]
    user_model = get_user_model()
    accounts = []
    with transaction.atomic():
        for entry in config["accounts"]:
            village = _cadre_village(entry["village_in"]) if "village_in" in entry else None
            region = village.code if village else entry["region"]
            user, _ = user_model.objects.get_or_create(username=entry["username"])
            user.first_name = entry["display_name"]
            user.last_name = ""
            user.is_active = True
            user.set_password(password)
            user.save()
            grant_only(user=user, role=entry["role"], region_code=region)
            if village is not None:
                township = village.parent.name if village.parent else ""
                Household.objects.filter(village_id=village.code).update(
                    responsible_name=entry["display_name"],
                    responsible_unit=entry.get("unit", "").format(township=township),
                    responsible_phone=entry.get("phone", ""),
                )
            accounts.append(DemoAccount(entry["username"], password, entry["role"], region))
    return accounts


# --- reading what the build needs ----------------------------------------------------------


def _geography(programme: Programme) -> generate.Geography:
    """Return the programme's recipient counties with their villages, from the database."""
    pairings = list(programme.pairings.select_related("helper").order_by("helper_id"))
    helpers: dict[str, list[str]] = {}
    for pairing in pairings:
        if codes.level_of(pairing.recipient_id) == codes.Level.COUNTY:
            helpers.setdefault(pairing.recipient_id, []).append(pairing.helper.name)
    counties = sorted(helpers)
    if not counties:
        raise XiezuoError(f"项目「{programme.name}」没有县级受援方", programme=programme.key)
    regions = Region.objects.in_bulk(counties)
    below = reduce(or_, (Q(code__gt=c, code__lt=str(int(c) + 1)) for c in counties))
    townships: dict[str, str] = {}
    villages: list[tuple[str, str | None]] = []
    for code, name, level, parent in (
        Region.objects.filter(below, level__in=[codes.Level.TOWNSHIP, codes.Level.VILLAGE])
        .order_by("code")
        .values_list("code", "name", "level", "parent_id")
    ):
        if level == codes.Level.TOWNSHIP:
            townships[code] = name
        else:
            villages.append((code, parent))
    index = {code: i for i, code in enumerate(counties)}
    village_county = np.array([index[code[:6]] for code, _ in villages], dtype=np.int64)
    empty = [c for c in counties if not np.any(village_county == index[c])]
    if empty:
        raise XiezuoError(
            "受援县没有村级区划，请先运行 xiezuo setup 加载区划: " + ", ".join(empty),
            counties=empty,
        )
    return generate.Geography(
        counties=counties,
        county_names=[regions[c].name for c in counties],
        county_helpers=["、".join(helpers[c]) for c in counties],
        county_exit_years=np.array([regions[c].exit_year or 0 for c in counties], dtype=np.int64),
        county_deep=np.array([regions[c].deep_poverty for c in counties], dtype=bool),
        villages=np.array([code for code, _ in villages], dtype=object),
        village_county=village_county,
        village_townships=np.array(
            [townships.get(parent or "", "") for _, parent in villages], dtype=object
        ),
    )


def _poverty_lines(programme: Programme, profile: dict[str, Any]) -> dict[int, float]:
    """Return the national line per year: the programme's, else the profile's default."""
    lines = {int(year): float(value) for year, value in profile["poverty_lines"].items()}
    for year, value in programme.poverty_lines.filter(
        standard=PovertyLine.Standard.NATIONAL
    ).values_list("year", "yuan_per_person"):
        lines[year] = float(value)
    return lines


def _cadre_village(county: str) -> Region:
    busiest = (
        Household.objects.filter(county_id=county)
        .values("village_id")
        .annotate(n=Count("id"))
        .order_by("-n", "village_id")
        .first()
    )
    villages = Region.objects.select_related("parent").filter(level=codes.Level.VILLAGE)
    village = (
        villages.filter(code=busiest["village_id"]).first()
        if busiest
        else villages.filter(code__gt=county, code__lt=str(int(county) + 1))
        .order_by("code")
        .first()
    )
    if village is None:
        raise XiezuoError(f"区划 {county} 下没有村，无法创建村级帮扶责任人账号", region=county)
    return village


# --- writing -------------------------------------------------------------------------------


def _wipe(counties: list[str], *, programme: Programme) -> None:
    """Delete the ledger rows of the programme's pairings, then the registry rows (registered
    and monitored households, with their measures, assurances, clues and monitoring records),
    the county checks and the rural population (county and village rows) of the counties,
    children first.

    Ledger rows of other programmes that refer to the counties' households stop the wipe.
    """
    for rows in [*labour.labour_rows(programme), *ledgers.ledger_rows(programme)]:
        _delete(rows)
    households = Household.objects.filter(county_id__in=counties)
    children: tuple[type[Model], ...] = (
        Member, Income, StatusChange, HouseholdYear, *precision.HOUSEHOLD_MODELS,
    )  # fmt: skip
    for model in children:
        _delete(model._default_manager.filter(household_id__in=households.values("pk")))
    _delete(households)
    for rows in precision.precision_rows(counties):
        _delete(rows)


def _delete(rows: QuerySet) -> None:
    """Delete `rows` in one statement, unless rows of another table refer to them.

    Django's collector would load every row first (150,000 households at full scale). Where
    another table does refer to them, its `on_delete` decides: PROTECT and RESTRICT refuse
    the rebuild with the table named; anything else goes through the collector.
    """
    meta = rows.model._meta
    for relation in meta.related_objects:
        related_meta = relation.related_model._meta
        referring = relation.related_model._base_manager.filter(
            **{f"{relation.field.name}__in": rows.values("pk")}
        )
        if not referring.exists():
            continue
        if relation.on_delete in (models.PROTECT, models.RESTRICT):
            raise XiezuoError(
                f"无法重建演示数据：「{related_meta.verbose_name}」中有 {referring.count()} 条记录"
                f"引用了演示的{WIPED_TITLES.get(rows.model, meta.verbose_name)}，请先删除这些记录",
                table=related_meta.label,
            )
        rows.delete()
        return
    rows._raw_delete(rows.db)


def _taken_ids(counties: list[str]) -> frozenset[str]:
    """Return ID numbers of the counties still in the registry (members of other counties)."""
    starts = reduce(or_, (Q(id_number__startswith=c) for c in counties))
    return frozenset(Member.objects.filter(starts).values_list("id_number", flat=True))


def _summary(
    programme: Programme,
    *,
    scale: float,
    seed: int,
    geography: generate.Geography,
    households: generate.Households,
    population: dict[str, list[Any]],
    rows: dict[str, int],
    money: ledgers.LedgerMoney,
    monitored: int,
    seconds: float,
    stage_seconds: dict[str, float],
) -> DemoSummary:
    exited = households.exit_year > 0
    years = sorted(set(households.exit_year[exited].tolist()))
    poor = households.poor_at_end
    last_year = programme.end_year
    return DemoSummary(
        programme=programme.key,
        scale=scale,
        seed=seed,
        last_year=last_year,
        counties=len(geography.counties),
        villages=int(np.unique(households.village).size),
        households=households.count,
        people=int(households.size.sum()),
        rows=rows,
        exited_households={y: int((households.exit_year == y).sum()) for y in years},
        exited_people={y: int(households.size[households.exit_year == y].sum()) for y in years},
        fallback_households=int((households.fallback_year > 0).sum()),
        monitored_households=monitored,
        poor_households=int(poor.sum()),
        poor_people=int(households.size[poor].sum()),
        rural_population=sum(
            p
            for y, p in zip(population["year"], population["population"], strict=True)
            if y == last_year
        ),
        fiscal_aid=money.fiscal_aid,
        closely_linked_share=money.closely_linked_share,
        seconds=seconds,
        stage_seconds=stage_seconds,
    )
