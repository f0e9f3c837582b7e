"""The engine: evaluate the catalog's expressions and add their rows up per unit.

Units are the programme's pairings (helper → recipient) active in the year, its helper
districts, its recipient counties and the programme itself (DOMAIN.md §3).

All indicators of a year go to the engine as **one** query: for each indicator, its record rows
grouped at their grain (pairing, or county for registry outcomes) — or, for a distinct count,
recounted at every unit type, since distinct keys do not add up. The small result comes back
and is rolled up here: sums and counts add over a unit's pairings (over its distinct counties for
county rows, so a county with two helpers is counted once for the programme); a rate is
recomputed from the summed numerator and denominator, never averaged, and has no value when
the denominator is zero; a flag holds when every pairing of the unit has a record.

Building and compiling that query is Python work (≈ 0.7 s a year for the 26 expressions,
whatever the data size). On the live database (the db engine) the compiled SQL is kept in
the process, per dialect, programme, year, as-of date and indicator definitions (`COMPILED`),
so a run asked again — the same year after the data changed, the scorecard refreshed — only
runs it. The SQL reads the programme's pairings through a sub-query, not a list of ids, so
it does not depend on the data.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import OrderedDict
from collections.abc import Hashable, Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import cache, cached_property
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xiezuo.assessment import catalog
from xiezuo.assessment.calculations import Figure, period_bounds
from xiezuo.assessment.catalog import Indicator
from xiezuo.assessment.tables import TABLES, Tables, quiet
from xiezuo.core.errors import XiezuoError
from xiezuo.programs.keys import pairing_key

if TYPE_CHECKING:
    import ibis.expr.types as ir

    from xiezuo.assessment.expressions import Period

# Parameters the engine uses itself; the others go to the expression.
ENGINE_PARAMS = frozenset({"factor"})
PLACES = 6  # values are rounded to this many decimals, so engines agree to the last digit
COMPILED_MAX = 64  # compiled plans kept per process (≈ 40 kB of SQL each)
STORE_PLANS = True  # keep compiled plans in the data directory too, for later processes


class EvaluationError(XiezuoError):
    """The programme or a unit asked for is not in the data the engine reads."""


@dataclass(frozen=True)
class PairingUnit:
    id: int
    helper: str
    recipient: str

    @property
    def key(self) -> str:
        return pairing_key(self.helper, self.recipient)


@dataclass(frozen=True)
class Units:
    """The units of a programme-year."""

    programme: str
    pairings: tuple[PairingUnit, ...]
    programme_id: int = 0
    year: int = 0

    def table(self, t: Tables, period: Period | None = None) -> ir.Table:
        """Return the units' pairings as a table of the engine (a filter, not a list of ids:
        a programme of 800 pairings would otherwise put 800 literals in every query)."""
        # A view: an expression may read the pairing table itself (ledger rows are cut to
        # their pairing's dates), and Ibis needs the two uses to be distinct relations.
        from xiezuo.assessment.expressions import Period

        period = period or Period.of(self.year, default_as_of(self.year))
        return _active_pairings(t, self.programme_id, period).view()

    @cached_property
    def _members(self) -> dict[tuple[str, str], list[PairingUnit]]:
        found: dict[tuple[str, str], list[PairingUnit]] = {("programme", self.programme): []}
        for p in self.pairings:
            found[("pairing", p.key)] = [p]
            found.setdefault(("helper", p.helper), []).append(p)
            found.setdefault(("recipient", p.recipient), []).append(p)
            found[("programme", self.programme)].append(p)
        return found

    @property
    def helpers(self) -> list[str]:
        return sorted({p.helper for p in self.pairings})

    @property
    def recipients(self) -> list[str]:
        return sorted({p.recipient for p in self.pairings})

    def keys(self, unit_type: str) -> list[str]:
        """Return the unit keys of one unit type."""
        if unit_type == "pairing":
            return [p.key for p in self.pairings]
        if unit_type == "helper":
            return self.helpers
        if unit_type == "recipient":
            return self.recipients
        return [self.programme]

    def pairings_of(self, unit_type: str, unit: str) -> list[PairingUnit]:
        """Return the pairings that make up a unit."""
        found = self._members.get((unit_type, unit))
        if not found:
            raise EvaluationError(
                f"没有考核单位 {unit_type} {unit}", unit_type=unit_type, unit=unit
            )
        return found


@dataclass
class _Sums:
    n: int = 0
    value: float = 0.0
    numerator: float = 0.0
    denominator: float = 0.0

    def add(self, other: _Sums) -> None:
        self.n += other.n
        self.value += other.value
        self.numerator += other.numerator
        self.denominator += other.denominator


@dataclass
class _Grains:
    """What came back from the engine for one indicator."""

    by_pairing: dict[str, _Sums] = field(default_factory=dict)
    by_county: dict[str, _Sums] = field(default_factory=dict)
    distinct: dict[tuple[str, str], int] = field(default_factory=dict)


def fetch(table: ir.Table) -> list[dict]:
    """Run a query on its engine and return its rows as dicts."""
    with quiet():
        return table.to_pyarrow().to_pylist()


def default_as_of(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def programme_units(t: Tables, *, programme: str, year: int) -> Units:
    """Return the pairings of `programme` in force during `year` (one query)."""
    if t.borrowed:
        return _programme_units_orm(programme=programme, year=year)
    from xiezuo.assessment.expressions import Period

    prog = t.programme
    found = [row["id"] for row in fetch(prog.filter(prog.key == programme).select("id"))]
    if not found:
        raise EvaluationError(f"数据中没有项目 {programme}", programme=programme)
    period = Period.of(year, default_as_of(year))
    active = _active_pairings(t, found[0], period).order_by("helper_id", "recipient_id")
    rows = fetch(active.select("id", "helper_id", "recipient_id"))
    return Units(
        programme=programme,
        pairings=tuple(PairingUnit(r["id"], r["helper_id"], r["recipient_id"]) for r in rows),
        programme_id=found[0],
        year=year,
    )


def _programme_units_orm(*, programme: str, year: int) -> Units:
    """`programme_units` on Django's own connection: the same rule, without Ibis."""
    from django.db.models import Q

    from xiezuo.programs.models import Pairing, Programme

    found = Programme.objects.filter(key=programme).values_list("id", flat=True).first()
    if found is None:
        raise EvaluationError(f"数据中没有项目 {programme}", programme=programme)
    rows = (
        Pairing.objects.filter(programme_id=found, start_date__lte=dt.date(year, 12, 31))
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=dt.date(year, 1, 1)))
        .order_by("helper_id", "recipient_id")
        .values_list("id", "helper_id", "recipient_id")
    )
    return Units(
        programme=programme,
        pairings=tuple(PairingUnit(*row) for row in rows),
        programme_id=found,
        year=year,
    )


def _active_pairings(t: Tables, programme_id: int, period: Period) -> ir.Table:
    p = t.pairing
    return p.filter(
        p.programme_id == programme_id,
        p.start_date <= period.end,
        p.end_date.isnull() | (p.end_date >= period.first),
    )


def record_rows(
    t: Tables,
    indicator: Indicator,
    *,
    year: int | None = None,
    as_of: dt.date | None = None,
    period: Period | None = None,
) -> ir.Table:
    """Return the record rows of one indicator (its expression, with its parameters), for
    `year` known at `as_of` or for a `period` (parameters bound when the query runs)."""
    from xiezuo.assessment.expressions import EXPRESSIONS, Period

    if period is None:
        if year is None:
            raise ValueError("record_rows needs a year or a period")
        period = Period.of(year, as_of or default_as_of(year))
    params = {k: v for k, v in indicator.params.items() if k not in ENGINE_PARAMS}
    return EXPRESSIONS[indicator.expression](t, period, **params)


@dataclass(frozen=True)
class Plan:
    """The one query of a programme-year, and the grain of each indicator's rows."""

    table: ir.Table
    grains: dict[str, str]


def plan(t: Tables, *, period: Period, indicators: Sequence[Indicator], units: Units) -> Plan:
    """Return the query that sums every indicator's rows at its grain (one union)."""
    grains: dict[str, str] = {}
    parts = []
    for ind in indicators:
        rows = record_rows(t, ind, period=period)
        rows, grains[ind.id] = restrict(t, rows, units, period=period)
        parts.append(_aggregate(t, ind, rows, grains[ind.id], units, period))
    return Plan(parts[0].union(*parts[1:]) if len(parts) > 1 else parts[0], grains)


@dataclass(frozen=True)
class CompiledPlan:
    """A plan compiled to the SQL of a live database, with its period as named parameters."""

    sql: str
    grains: dict[str, str]
    labels: dict[str, str]  # Period field → the placeholder's name in `sql`


class CompiledPlans:
    """Compiled SQL of plans on the live database, most recently used kept (`COMPILED_MAX`)."""

    def __init__(self, size: int = COMPILED_MAX) -> None:
        self.size = size
        self._plans: OrderedDict[Hashable, CompiledPlan] = OrderedDict()
        self.compiled = 0  # plans compiled since the start (or `clear`)

    def get(self, key: Hashable) -> CompiledPlan | None:
        found = self._plans.get(key)
        if found is not None:
            self._plans.move_to_end(key)
        return found

    def put(self, key: Hashable, plan: CompiledPlan) -> None:
        self._plans[key] = plan
        self._plans.move_to_end(key)
        while len(self._plans) > self.size:
            self._plans.popitem(last=False)

    def clear(self) -> None:
        self._plans.clear()
        self.compiled = 0

    def __len__(self) -> int:
        return len(self._plans)


COMPILED = CompiledPlans()


def plan_key(t: Tables, *, indicators: Sequence[Indicator], units: Units) -> Hashable | None:
    """Return what a plan's SQL depends on, or None when it is not kept (snapshot engines).

    Not the year nor the as-of date: they are parameters of the SQL, bound when it runs.
    """
    if t.dialect is None:
        return None
    definitions = tuple(
        (i.id, i.kind, i.expression, repr(sorted(i.params.items())), tuple(i.unit_types))
        for i in indicators
    )
    return (t.dialect, units.programme, units.programme_id, definitions)


def plan_rows(
    t: Tables, *, year: int, as_of: dt.date, indicators: Sequence[Indicator], units: Units
) -> tuple[list[dict], dict[str, str]]:
    """Run the plan of a programme-year; return its rows and each indicator's grain.

    On the live database the SQL is compiled once per `plan_key` — for every year and as-of
    date, which are bound as parameters — and kept in `COMPILED` and in the data directory
    (`stored_plan`), so that a later process runs it without building it. A snapshot engine
    builds the query with the period's values.
    """
    key = plan_key(t, indicators=indicators, units=units)
    if key is None:
        from xiezuo.assessment.expressions import Period

        query = plan(t, period=Period.of(year, as_of), indicators=indicators, units=units)
        return fetch(query.table), query.grains
    found = COMPILED.get(key)
    if found is None:
        found = stored_plan(key) if STORE_PLANS else None
        if found is None:
            found = compile_plan(t, indicators=indicators, units=units)
            COMPILED.compiled += 1
            if STORE_PLANS:
                store_plan(key, found)
        COMPILED.put(key, found)
    values = period_bounds(year, as_of)
    bound = {found.labels[name]: value for name, value in values.items()}
    return run_sql(t, found.sql, bound), found.grains


def compile_plan(t: Tables, *, indicators: Sequence[Indicator], units: Units) -> CompiledPlan:
    """Build the plan with its period as parameters and compile it to the database's SQL."""
    from xiezuo.assessment.expressions import Period

    period = Period.parameters()
    query = plan(t, period=period, indicators=indicators, units=units)
    backend = t.backend
    assert backend is not None
    with quiet():
        sql = str(backend.compile(query.table))
    if t.dialect == "postgres":  # psycopg reads every other % as a placeholder
        sql = re.sub(r"%(?!\(param_\d+\)s)", "%%", sql)
    labels = {name: getattr(period, name).op().name for name in Period.FIELDS}
    return CompiledPlan(sql, query.grains, labels)


def run_sql(t: Tables, sql: str, params: dict[str, Any]) -> list[dict]:
    """Run a compiled plan on the live database, with its named parameters: on Django's own
    connection when the namespace borrows it, else on the Ibis backend's."""
    if t.dialect == "sqlite":
        # Dates as ISO text, which is how SQLite holds them (no deprecated default adapter).
        params = {k: v.isoformat() if isinstance(v, dt.date) else v for k, v in params.items()}
    if t.borrowed:
        from django.db import connection

        connection.ensure_connection()
        raw = connection.connection
    else:
        raw = t.backend.con  # type: ignore[union-attr]
    cursor = raw.cursor()
    try:
        cursor.execute(sql, params)
        names = [column[0] for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        cursor.close()


# --- compiled plans kept on disk ------------------------------------------------------------


def stored_plan(key: Hashable) -> CompiledPlan | None:
    """Return the plan compiled for `key` by an earlier process, None when there is none."""
    path = _plan_path(key)
    if path is None or not path.exists():
        return None
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        return CompiledPlan(data["sql"], data["grains"], data["labels"])
    except (OSError, ValueError, KeyError):
        return None  # unreadable or from another layout: compile again


def store_plan(key: Hashable, compiled: CompiledPlan) -> None:
    """Keep a compiled plan in the data directory (written whole, then renamed into place)."""
    path = _plan_path(key)
    if path is None:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_text(json.dumps(asdict(compiled), ensure_ascii=False), encoding="utf-8")
        partial.replace(path)
    except OSError:
        pass  # a read-only data directory: the plan is kept in the process only


def _plan_path(key: Hashable) -> Path | None:
    from django.conf import settings

    directory = getattr(settings, "DATA_DIR", None)
    if not directory:
        return None
    digest = hashlib.sha256(repr((key, _code_fingerprint())).encode()).hexdigest()[:32]
    return Path(directory) / "cache" / "assessment" / f"plan-{digest}.json"


@cache
def _code_fingerprint() -> tuple[str, ...]:
    """Return what a compiled plan depends on besides its key: the source of the modules that
    build it, the tables' columns, and the versions of Ibis and sqlglot."""
    here = Path(__file__).parent
    sources = hashlib.sha256()
    for name in ("expressions.py", "evaluation.py", "tables.py", "_compilers.py"):
        sources.update((here / name).read_bytes())
    columns = repr([(n, s.db_table, s.columns) for n, s in TABLES.items()])
    return (
        sources.hexdigest(),
        hashlib.sha256(columns.encode()).hexdigest(),
        metadata.version("ibis-framework"),
        metadata.version("sqlglot"),
    )


def evaluate(
    t: Tables,
    *,
    programme: str,
    year: int,
    as_of: dt.date | None = None,
    indicators: Sequence[Indicator] | None = None,
    units: Units | None = None,
) -> list[Figure]:
    """Return every indicator's value for every unit of the programme-year."""
    as_of = as_of or default_as_of(year)
    indicators = list(indicators or catalog.indicators())
    units = units or programme_units(t, programme=programme, year=year)
    if not units.pairings:
        return []
    rows, grains = plan_rows(t, year=year, as_of=as_of, indicators=indicators, units=units)
    sums: dict[str, _Grains] = {ind.id: _Grains() for ind in indicators}
    for row in rows:
        grain = sums[row["indicator"]]
        level, unit = row["level"], row["unit"]
        if row["keys"] is not None:
            grain.distinct[(level, unit)] = int(row["keys"])
            continue
        (grain.by_pairing if level == "pairing_id" else grain.by_county)[unit] = _Sums(
            int(row["n"]), row["value"] or 0.0, row["numerator"] or 0.0, row["denominator"] or 0.0
        )
    return [
        value
        for ind in indicators
        for value in _roll_up(ind, sums[ind.id], units, by_county=grains[ind.id] == "county")
    ]


def restrict(
    t: Tables, rows: ir.Table, units: Units, *, period: Period | None = None
) -> tuple[ir.Table, str]:
    """Return the record rows of the programme's units, and their grain column."""
    active = units.table(t, period)
    if "pairing_id" in rows.columns:
        return rows.filter(rows.pairing_id.isin(active.id)), "pairing_id"
    return rows.filter(rows.county.isin(active.recipient_id)), "county"


def with_sides(
    t: Tables, rows: ir.Table, grain: str, units: Units, period: Period | None = None
) -> ir.Table:
    """Return record rows with the pairing, helper and recipient each row counts for.

    A county row counts for every pairing of its county (for distinct counts and drill-down,
    where counting a row twice does not matter).
    """
    p = units.table(t, period)
    sides = p.select(unit_pairing=p.id, unit_helper=p.helper_id, unit_recipient=p.recipient_id)
    on = rows.pairing_id if grain == "pairing_id" else rows.county
    target = sides.unit_pairing if grain == "pairing_id" else sides.unit_recipient
    return rows.join(sides, on == target)


def _aggregate(
    t: Tables, ind: Indicator, rows: ir.Table, grain: str, units: Units, period: Period
) -> ir.Table:
    import ibis

    label = ibis.literal(ind.id)
    if ind.kind == "distinct":
        joined = with_sides(t, rows, grain, units, period)
        levels = [
            joined.group_by(unit=joined.unit_pairing.cast("string")).agg(keys=joined.key.nunique()),
            joined.group_by(unit=joined.unit_helper.cast("string")).agg(keys=joined.key.nunique()),
            joined.group_by(unit=joined.unit_recipient.cast("string")).agg(
                keys=joined.key.nunique()
            ),
            joined.aggregate(keys=joined.key.nunique()).mutate(unit=ibis.literal(units.programme)),
        ]
        names = ("pairing", "helper", "recipient", "programme")
        parts = [
            level.select(
                indicator=label,
                level=ibis.literal(name),
                unit=level.unit,
                n=ibis.literal(0, type="int64"),
                value=ibis.null("float64"),
                numerator=ibis.null("float64"),
                denominator=ibis.null("float64"),
                keys=level["keys"].cast("int64"),
            )
            for name, level in zip(names, levels, strict=True)
        ]
        return parts[0].union(*parts[1:])
    columns = set(rows.columns)

    def total(name: str) -> ir.Value:
        if name in columns:
            return rows[name].cast("float64").sum()
        return ibis.literal(0).cast("float64")  # not a bare 0.0: numeric on PostgreSQL

    grouped = rows.group_by(unit=rows[grain].cast("string")).agg(
        n=rows.count(),
        value=total("value"),
        numerator=total("numerator"),
        denominator=total("denominator"),
    )
    return grouped.select(
        indicator=label,
        level=ibis.literal(grain),
        unit=grouped.unit,
        n=grouped.n.cast("int64"),
        value=grouped.value.cast("float64"),
        numerator=grouped.numerator.cast("float64"),
        denominator=grouped.denominator.cast("float64"),
        keys=ibis.null("int64"),
    )


def _roll_up(ind: Indicator, grains: _Grains, units: Units, *, by_county: bool) -> Iterable[Figure]:
    for unit_type in ind.unit_types:
        for unit in units.keys(unit_type):
            if ind.kind == "distinct":
                level = unit_type
                key = str(units.pairings_of("pairing", unit)[0].id) if level == "pairing" else unit
                yield Figure(ind.id, unit_type, unit, float(grains.distinct.get((level, key), 0)))
                continue
            pairings = units.pairings_of(unit_type, unit)
            if ind.kind == "flag":
                has = [_grain_of(grains, p, by_county).n > 0 for p in pairings]
                yield Figure(ind.id, unit_type, unit, 1.0 if all(has) else 0.0)
                continue
            sums = _Sums()
            if by_county:
                for county in sorted({p.recipient for p in pairings}):
                    sums.add(grains.by_county.get(county, _Sums()))
            else:
                for p in pairings:
                    sums.add(grains.by_pairing.get(str(p.id), _Sums()))
            yield _value(ind, unit_type, unit, sums)


def _grain_of(grains: _Grains, pairing: PairingUnit, by_county: bool) -> _Sums:
    if by_county:
        return grains.by_county.get(pairing.recipient, _Sums())
    return grains.by_pairing.get(str(pairing.id), _Sums())


def _value(ind: Indicator, unit_type: str, unit: str, sums: _Sums) -> Figure:
    if ind.kind == "sum":
        return Figure(ind.id, unit_type, unit, _round(sums.value))
    if ind.kind == "count":
        return Figure(ind.id, unit_type, unit, float(sums.n))
    numerator, denominator = _round(sums.numerator), _round(sums.denominator)
    if denominator == 0:
        value = None
    elif ind.kind == "rate":
        value = _round(sums.numerator / sums.denominator * float(ind.params.get("factor", 1)))
    else:  # growth
        value = _round((sums.numerator / sums.denominator - 1) * 100)
    return Figure(ind.id, unit_type, unit, value, numerator, denominator)


def _round(number: float) -> float:
    rounded = round(number, PLACES)
    return 0.0 if rounded == 0 else rounded  # no -0.0
