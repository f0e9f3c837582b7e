"""Build the demo's precision work and monitoring: monitored households with their members
and incomes, measures, the five assurances, risk clues, the monitoring board's records, county
checks and the villages' rural population.

`write_precision` draws everything first (later draws read earlier ones: a case's measure
follows its confirmation, which follows its clue), then loads each table through the bulk path
with explicit ids, inside the caller's transaction. `precision_rows` returns what a rebuild
deletes before the registry households go.
"""

import time
from decimal import Decimal
from functools import reduce
from operator import or_
from typing import Any

import numpy as np
from django.db.models import Model, Q, QuerySet

from xiezuo.core.progress import Progress
from xiezuo.demo import generate
from xiezuo.demo.generate import precision as draws
from xiezuo.demo.generate.monitored import Monitored, make_monitored, make_village_population
from xiezuo.demo.loading import (
    HOUSEHOLD_FIELDS,
    INCOME_FIELDS,
    MEMBER_FIELDS,
    insert,
    insert_columns,
    next_id,
)
from xiezuo.demo.profile import Names
from xiezuo.precision.models import Assurance, Clue, CountyCheck, Measure, MonitoringCase
from xiezuo.precision.rules import rules_for
from xiezuo.programs.models import Programme
from xiezuo.regions.models import RuralPopulation
from xiezuo.registry.models import Household, Income, Member

STAGE_TITLES = {
    "monitored": "监测对象",
    "monitored_members": "监测对象家庭成员",
    "monitored_incomes": "监测对象家庭收入",
    "measures": "帮扶措施",
    "assurances": "两不愁三保障",
    "clues": "风险线索",
    "monitoring_cases": "监测记录",
    "county_checks": "县级核查",
    "village_population": "村级乡村户籍人口",
}
# Rows hanging on a household, deleted with the demo households.
HOUSEHOLD_MODELS: tuple[type[Model], ...] = (Measure, Assurance, Clue, MonitoringCase)
# Every table this module writes besides the registry's.
MODELS: tuple[type[Model], ...] = (*HOUSEHOLD_MODELS, CountyCheck)
WIPED_TITLES: dict[type[Model], str] = {
    Measure: "帮扶措施",
    Assurance: "两不愁三保障",
    Clue: "风险线索",
    MonitoringCase: "监测记录",
    CountyCheck: "县级核查",
}
MONITORED_FIELDS = (*HOUSEHOLD_FIELDS, "registered", "monitored_from", "monitored_until")
CASE_FIELDS = (
    "household_id", "year", "confirmed_on", "notice_from", "notice_to", "eliminated_on", "note",
    "updated_at", "updated_by",
)  # fmt: skip


def precision_rows(counties: list[str]) -> list[QuerySet]:
    """Return the county checks and the rural population (county, township and village rows)
    of the counties: what a rebuild deletes besides the households' rows."""
    under = reduce(
        or_, (Q(region_id__gte=code, region_id__lt=str(int(code) + 1)) for code in counties)
    )
    return [
        CountyCheck.objects.filter(region_id__in=counties),
        RuralPopulation.objects.filter(under),
    ]


def write_precision(
    rng: dict[str, np.random.Generator],
    programme: Programme,
    geography: generate.Geography,
    households: generate.Households,
    members: generate.Members,
    incomes: dict[str, Any],
    population: dict[str, list[Any]],
    profile: dict[str, Any],
    settings: dict[str, Any],
    names: Names,
    *,
    lines: dict[int, float],
    household_base: int,
    scale: float,
    taken_ids: frozenset[str],
    report: Progress,
    rows: dict[str, int],
    seconds: dict[str, float],
) -> int:
    """Draw and load precision work and monitoring; fill `rows` and `seconds` per stage;
    return the number of monitored households.

    `household_base` is the id of the first registered household drawn; the monitored ones
    take the ids after the registered ones.
    """
    clock = time.perf_counter()
    report("monitored", 0, None)
    years = list(programme.years)
    last_year = programme.end_year
    rules = {year: rules_for(programme.key, year) for year in years}
    threshold = float(rules[last_year].threshold(Decimal(str(lines[last_year]))))
    monitored = make_monitored(
        rng["monitored"], geography, profile, settings["monitored"], names,
        scale=scale, last_year=last_year, threshold=threshold,
        taken_ids=taken_ids | frozenset(members.columns["id_number"]),
    )  # fmt: skip
    register = draws.Register(
        households=households,
        members=members,
        monitored=monitored,
        geography=geography,
        net=incomes["net"],
        income_years=incomes["years"],
        years=years,
        cause_measures=_answering(rules),
        threshold=threshold,
    )
    measures = draws.make_measures(rng["measures"], register, settings["measures"])
    gaps = measures.gap_households
    assurances, assurance_ok = draws.make_assurances(
        rng["assurances"], register, settings["assurances"]
    )
    clues = draws.make_clues(
        rng["clues"], register, settings["clues"], scale=scale, gap_households=gaps
    )
    cases, case_measures, watched_from, watched_until = draws.make_cases(
        rng["cases"], register, clues, settings["cases"], settings["clues"],
        settings["monitored"], assurance_ok=assurance_ok, gap_households=gaps,
    )  # fmt: skip

    monitored_base = next_id(Household)
    ids = np.concatenate(
        [
            np.arange(household_base, household_base + register.n),
            np.arange(monitored_base, monitored_base + monitored.count),
        ]
    )
    rows["monitored"] = _insert_monitored(
        monitored, watched_from, watched_until, monitored_base, report
    )
    seconds["monitored"] = time.perf_counter() - clock

    clock = time.perf_counter()
    report("monitored_members", 0, None)
    member_base = next_id(Member)
    columns = monitored.members.columns
    rows["monitored_members"] = insert(
        Member,
        MEMBER_FIELDS,
        [
            range(member_base, member_base + monitored.members.count),
            (monitored.members.household + monitored_base).tolist(),
        ]
        + [columns[name] for name in MEMBER_FIELDS[2:]],
        stage="monitored_members",
        report=report,
    )
    seconds["monitored_members"] = time.perf_counter() - clock

    clock = time.perf_counter()
    report("monitored_incomes", 0, None)
    income = monitored.incomes
    income_base = next_id(Income)
    rows["monitored_incomes"] = insert(
        Income,
        INCOME_FIELDS,
        [
            range(income_base, income_base + len(income["year"])),
            (income["household"] + monitored_base).tolist(),
        ]
        + [income[name] for name in INCOME_FIELDS[2:]],
        stage="monitored_incomes",
        report=report,
    )
    seconds["monitored_incomes"] = time.perf_counter() - clock

    clock = time.perf_counter()
    report("measures", 0, None)
    measure = draws.measure_columns(
        rng["measures"], register, settings["measures"], measures.plus(case_measures)
    )
    _, rows["measures"] = insert_columns(
        Measure, _with_ids(measure, ids), stage="measures", report=report
    )
    seconds["measures"] = time.perf_counter() - clock

    for stage, model, columns_ in (
        ("assurances", Assurance, assurances),
        ("clues", Clue, _clue_columns(clues)),
        ("monitoring_cases", MonitoringCase, cases),
    ):
        clock = time.perf_counter()
        report(stage, 0, None)
        _, rows[stage] = insert_columns(model, _with_ids(columns_, ids), stage=stage, report=report)
        seconds[stage] = time.perf_counter() - clock

    clock = time.perf_counter()
    report("county_checks", 0, None)
    checks = draws.make_county_checks(
        rng["county_checks"], geography, years, settings["county_checks"]
    )
    _, rows["county_checks"] = insert_columns(
        CountyCheck, checks, stage="county_checks", report=report
    )
    seconds["county_checks"] = time.perf_counter() - clock

    clock = time.perf_counter()
    report("village_population", 0, None)
    villages = make_village_population(
        rng["villages"], geography, households, population, settings["villages"]
    )
    _, rows["village_population"] = insert_columns(
        RuralPopulation, villages, stage="village_population", report=report
    )
    seconds["village_population"] = time.perf_counter() - clock
    return monitored.count


def _answering(rules: dict[int, Any]) -> dict[str, tuple[str, ...]]:
    """Return, per cause, the categories that answer it in every year (else in the last)."""
    by_year = [r.cause_measures for r in rules.values()]
    answering = {}
    for cause, categories in by_year[-1].items():
        kept = tuple(c for c in categories if all(c in m.get(cause, ()) for m in by_year))
        answering[cause] = kept or categories
    return answering


def _insert_monitored(
    monitored: Monitored,
    watched_from: np.ndarray,
    watched_until: np.ndarray,
    base: int,
    report: Progress,
) -> int:
    columns = monitored.households.columns
    count = monitored.count
    return insert(
        Household,
        MONITORED_FIELDS,
        [range(base, base + count)]
        + [columns[name] for name in HOUSEHOLD_FIELDS[1:]]
        + [[False] * count, draws.texts(watched_from), draws.texts(watched_until)],
        stage="monitored",
        report=report,
    )


def _with_ids(columns: dict[str, Any], ids: np.ndarray) -> dict[str, Any]:
    """Return `columns` with household indexes made household ids."""
    rest = {key: value for key, value in columns.items() if key != "household"}
    return {"household_id": ids[columns["household"]].tolist(), **rest}


def _clue_columns(clues: dict[str, Any]) -> dict[str, Any]:
    rigid = clues["rigid_spending"].astype(object)
    rigid[np.isnan(clues["rigid_spending"])] = None
    return {
        "household": clues["household"],
        "found_on": draws.texts(clues["found_on"]),
        "source": clues["source"].tolist(),
        "category": clues["category"].tolist(),
        "rigid_spending": rigid.tolist(),
        "note": clues["note"].tolist(),
    }
