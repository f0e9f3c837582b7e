"""The query expressions behind the indicators: one function each, written once in Ibis.

An expression takes the table namespace `t` (`xiezuo.assessment.tables.Tables`), the period
`p` (the year and the as-of date as Ibis values, literals or parameters: `Period`) and its
indicator's parameters, and returns the indicator's **record rows**: one row per record that
makes the number, with

- `pairing_id` (a ledger record) or `county` (a registry record, by its household's county),
- `record_id` and `ledger` (the table the record comes from, a name of `TABLES`),
- `value` (sum, count, flag), `key` (distinct) or `numerator` and `denominator` (rate, growth).

The engine (`evaluation.py`) adds the rows up per unit, and drill-down lists them. The rules of
DOMAIN.md §3 live here: a record belongs to the year of its date (start date for spells and
visits, end date for trainings, the year column for funds, projects and investments); a spell
without an end runs to the as-of date; durations count both ends; dated records after the
as-of date are not known yet and are left out; a ledger record counts only inside its
pairing's start and end dates (`attributed`). The outcomes read the registry's yearly
household status (`registry.HouseholdYear`), one row per household and year.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

import ibis
import ibis.expr.types as ir

from xiezuo.assessment.calculations import period_bounds
from xiezuo.assessment.tables import Tables

type Expression = Callable[..., ir.Table]

EXPRESSIONS: dict[str, Expression] = {}


def expression(function: Expression) -> Expression:
    """Register a query expression under its function name."""
    EXPRESSIONS[function.__name__] = function
    return function


# --- building blocks -------------------------------------------------------------------------


@dataclass(frozen=True)
class Period:
    """The year an expression computes, as Ibis values: literals, or parameters bound per run.

    `first` is 1 January, `end` 31 December, `last` the last day already known (31 December,
    or the as-of date when earlier), `as_of` the day an open spell runs to. As parameters
    (`Period.parameters()`), one compiled query serves every year and as-of date: `bind`
    gives the values of a run.
    """

    year: ir.IntegerValue
    first: ir.DateValue
    last: ir.DateValue
    end: ir.DateValue
    as_of: ir.DateValue

    FIELDS: ClassVar[tuple[str, ...]] = ("year", "first", "last", "end", "as_of")

    @classmethod
    def of(cls, year: int, as_of: dt.date) -> "Period":
        """Return the period of `year` known at `as_of`, as literals."""
        return cls(**{name: ibis.literal(value) for name, value in cls.values(year, as_of).items()})

    @staticmethod
    def values(year: int, as_of: dt.date) -> dict[str, Any]:
        """Return the values of the period's fields for `year` known at `as_of`."""
        return period_bounds(year, as_of)

    @classmethod
    def parameters(cls) -> "Period":
        """Return the period as unbound parameters (`bind` gives their values)."""
        return cls(
            year=ibis.param("int64"),
            first=ibis.param("date"),
            last=ibis.param("date"),
            end=ibis.param("date"),
            as_of=ibis.param("date"),
        )

    def bind(self, year: int, as_of: dt.date) -> dict[ir.Scalar, Any]:
        """Return the parameters' values for `year` known at `as_of`."""
        return {getattr(self, name): value for name, value in self.values(year, as_of).items()}


def attributed(t: Tables, rows: ir.Table, p: Period) -> ir.Table:
    """Return ledger rows with the part of the period inside their pairing's dates.

    `span_first`/`span_last` are the period cut to the pairing's start and end dates (an
    open pairing runs on), `span_helper` the pairing's helper; rows of a pairing with no day
    in the period are left out. A record dated outside its pairing's dates counts for it in
    no year: the pairing did not exist yet, or no longer did.
    """
    pairing = t.pairing
    spans = pairing.select(
        span_pairing_id=pairing.id,
        span_helper=pairing.helper_id,
        span_first=ibis.greatest(p.first, pairing.start_date),
        span_last=ibis.least(p.last, pairing.end_date.coalesce(p.last)),
    )
    joined = rows.join(spans, rows.pairing_id == spans.span_pairing_id)
    return joined.filter(joined.span_first <= joined.span_last)


def dated_in(rows: ir.Table, column: ir.DateValue) -> ir.BooleanValue:
    """Return whether a record dated `column` falls inside its pairing's part of the period."""
    return column.between(rows.span_first, rows.span_last)


def in_force(rows: ir.Table, start: ir.DateValue, end: ir.DateValue) -> ir.BooleanValue:
    """Return whether a span (end may be empty) overlaps its pairing's part of the period."""
    return (start <= rows.span_last) & (end.isnull() | (end >= rows.span_first))


def days_between(start: ir.DateValue, end: ir.DateValue) -> ir.IntegerValue:
    """Return the calendar days from `start` to `end`, both included (2 to 31 Dec is 30)."""
    return end.delta(start, unit="day") + 1


def days_within(
    rows: ir.Table, start: ir.DateValue, end: ir.DateValue, p: Period
) -> ir.IntegerValue:
    """Return the days of a spell inside its pairing's part of the period; an open spell runs
    to the as-of date."""
    runs_to = end.coalesce(p.as_of)
    return days_between(ibis.greatest(start, rows.span_first), ibis.least(runs_to, rows.span_last))


def province(code: ir.StringValue) -> ir.StringValue:
    """Return a code's province part: its first two digits."""
    return code.substr(0, 2)


# The types of the output columns: the same on every engine, so that parts of an expression
# (and the engine's sums of all of them) can be stacked with a union.
OUTPUT_TYPES = {
    "pairing_id": "int64",
    "county": "string",
    "record_id": "int64",
    "ledger": "string",
    "value": "float64",
    "key": "string",
    "numerator": "float64",
    "denominator": "float64",
}


def output(table: ir.Table, **columns: Any) -> ir.Table:
    """Return record rows: `columns` (names of OUTPUT_TYPES) cast to their output types."""
    return table.select(
        **{
            name: ibis.literal(value).cast(OUTPUT_TYPES[name])
            if not isinstance(value, ir.Value)
            else value.cast(OUTPUT_TYPES[name])
            for name, value in columns.items()
        }
    )


def _rows(table: ir.Table, ledger: str, **columns: Any) -> ir.Table:
    return output(table, pairing_id=table.pairing_id, record_id=table.id, ledger=ledger, **columns)


# Float constants are cast from integers: PostgreSQL reads a bare `1.0` as numeric and would
# hand back Decimals where the schema promises floats.
def _one() -> ir.Value:
    return ibis.literal(1).cast("float64")


def _zero() -> ir.Value:
    return ibis.literal(0).cast("float64")


def _money(column: ir.Value) -> ir.FloatingValue:
    return column.cast("float64")


# --- 组织领导 -----------------------------------------------------------------------------------


@expression
def principal_leader_visits(t: Tables, p: Period, *, leader_categories: list[str]) -> ir.Table:
    """I01: visits in the year led by a principal leader, either direction."""
    v = attributed(t, t.visit, p)
    rows = v.filter(dated_in(v, v.start_date), v.leader_category.isin(leader_categories))
    return _rows(rows, "visit", value=_one())


@expression
def joint_meetings(t: Tables, p: Period) -> ir.Table:
    """I02: joint meetings held in the year."""
    m = attributed(t, t.meeting, p)
    return _rows(m.filter(dated_in(m, m.date)), "meeting", value=_one())


@expression
def agreements_in_force(t: Tables, p: Period) -> ir.Table:
    """I03: agreements in force at some time of the year."""
    a = attributed(t, t.agreement, p)
    rows = a.filter(in_force(a, a.effective_date, a.end_date))
    return _rows(rows, "agreement", value=_one())


# --- 人才支援 -----------------------------------------------------------------------------------


@expression
def secondments_in_post(t: Tables, p: Period, *, min_days: int, categories: list[str]) -> ir.Table:
    """I04, I05: people of `categories` seconded who were in post ≥ `min_days` of the year
    (days while their pairing existed)."""
    s = attributed(t, t.secondment, p)
    rows = s.filter(
        s.direction == "派出",  # helper → recipient only: a received cadre counts in neither
        s.category.isin(categories),
        in_force(s, s.start_date, s.end_date),
        days_within(s, s.start_date, s.end_date, p) >= min_days,
    )
    return _rows(rows, "secondment", key=rows.id_number)


@expression
def trainings_person_times(t: Tables, p: Period, *, audience: str) -> ir.Table:
    """I06, I07, I18: person-times of the trainings for `audience` that ended in the year."""
    tr = attributed(t, t.training, p)
    rows = tr.filter(tr.audience == audience, dated_in(tr, tr.end_date))
    return _rows(rows, "training", value=rows.person_times.cast("float64"))


# --- 资金支持 -----------------------------------------------------------------------------------


def _funds(t: Tables, year: ir.IntegerValue, source: str) -> ir.Table:
    f = t.fund
    return f.filter(f.year == year, f.source == source)


@expression
def fiscal_aid(t: Tables, p: Period, *, source: str) -> ir.Table:
    """I08: fiscal aid allocated for the year."""
    rows = _funds(t, p.year, source)
    return _rows(rows, "fund", value=_money(rows.amount))


@expression
def fiscal_aid_growth(t: Tables, p: Period, *, source: str) -> ir.Table:
    """I09: fiscal aid of the year (numerator) against the previous year's (denominator)."""
    current = _funds(t, p.year, source)
    previous = _funds(t, p.year - 1, source)
    return _rows(current, "fund", numerator=_money(current.amount), denominator=_zero()).union(
        _rows(previous, "fund", numerator=_zero(), denominator=_money(previous.amount))
    )


@expression
def social_help(t: Tables, p: Period, *, source: str) -> ir.Table:
    """I10: donations dated in the year plus the year's funds of source 社会帮扶."""
    d = attributed(t, t.donation, p)
    donations = d.filter(dated_in(d, d.date))
    funds = _funds(t, p.year, source)
    return _rows(donations, "donation", value=_money(donations.amount)).union(
        _rows(funds, "fund", value=_money(funds.amount))
    )


@expression
def closely_linked_share(t: Tables, p: Period) -> ir.Table:
    """I11: fiscal aid of the year's projects closely linked to poor people ÷ all of it."""
    pr = t.project
    rows = pr.filter(pr.year == p.year)
    aid = _money(rows.fiscal_aid)
    return _rows(
        rows, "project", numerator=rows.closely_linked.ifelse(aid, _zero()), denominator=aid
    )


@expression
def disbursement_rate(t: Tables, p: Period) -> ir.Table:
    """I12: disbursed ÷ fiscal aid of the year's projects."""
    pr = t.project
    rows = pr.filter(pr.year == p.year)
    return _rows(
        rows, "project", numerator=_money(rows.disbursed), denominator=_money(rows.fiscal_aid)
    )


# --- 产业合作 -----------------------------------------------------------------------------------


def _investments(t: Tables, year: ir.IntegerValue) -> ir.Table:
    i = t.investment
    return i.filter(i.year == year)


@expression
def investing_enterprises(t: Tables, p: Period) -> ir.Table:
    """I13: enterprises (by credit code) with an actual investment in the year."""
    rows = _investments(t, p.year)
    rows = rows.filter(rows.amount > 0)
    return _rows(rows, "investment", key=rows.credit_code)


@expression
def actual_investment(t: Tables, p: Period) -> ir.Table:
    """I14: actual investment of the year."""
    rows = _investments(t, p.year)
    return _rows(rows, "investment", value=_money(rows.amount))


@expression
def poor_people_driven(t: Tables, p: Period) -> ir.Table:
    """I15: registered poor people driven by the year's investments."""
    rows = _investments(t, p.year)
    return _rows(rows, "investment", value=rows.poor_people_driven.cast("float64"))


# --- 劳务协作 -----------------------------------------------------------------------------------


@expression
def stable_employment(t: Tables, p: Period, *, stable_days: int, where: str) -> ir.Table:
    """I16, I17: people whose job spell started in the year and lasted ≥ `stable_days`.

    `where` is "helper_province" (the workplace lies in the pairing helper's province) or
    "own_province" (in the province of the worker's household). An open spell runs to the
    as-of date. The spell must start while its pairing exists; its length is the job's.
    """
    lab = attributed(t, t.labour, p)
    spells = lab.filter(
        dated_in(lab, lab.start_date),
        days_between(lab.start_date, lab.end_date.coalesce(p.as_of)) >= stable_days,
    )
    if where == "helper_province":
        rows = spells.filter(province(spells.workplace_code) == province(spells.span_helper))
    elif where == "own_province":
        h = t.household
        sides = h.select(side_household_id=h.id, side_code=h.county_id)
        joined = spells.join(sides, spells.household_id == sides.side_household_id)
        rows = joined.filter(province(joined.workplace_code) == province(joined.side_code))
    else:
        raise ValueError(f"unknown workplace rule {where!r}")
    return _rows(rows, "labour", key=rows.id_number)


# --- 携手奔小康 ---------------------------------------------------------------------------------


@expression
def paired_targets(
    t: Tables, p: Period, *, target_type: str, entity_types: list[str] | None = None
) -> ir.Table:
    """I19–I21: towns or villages paired by a sub-pairing in force during the year."""
    s = attributed(t, t.subpairing, p)
    rows = s.filter(s.target_type == target_type, in_force(s, s.start_date, s.end_date))
    if entity_types:
        rows = rows.filter(rows.entity_type.isin(entity_types))
    return _rows(rows, "subpairing", key=rows.target_id)


@expression
def consumption_aid(t: Tables, p: Period) -> ir.Table:
    """I22: produce of the recipient side bought by the helper side in the year."""
    pu = attributed(t, t.purchase, p)
    rows = pu.filter(dated_in(pu, pu.date))
    return _rows(rows, "purchase", value=_money(rows.amount))


# --- 成效 (by county, from the registry's yearly household status) -----------------------------


def _household_years(t: Tables, p: Period) -> ir.Table:
    y = t.household_year
    return y.filter(y.year == p.year)


def _households(rows: ir.Table, **columns: Any) -> ir.Table:
    return output(
        rows, county=rows.county_id, record_id=rows.household_id, ledger="household", **columns
    )


@expression
def poverty_incidence(t: Tables, p: Period) -> ir.Table:
    """O1: people of households poor at the end of the year ÷ rural registered population."""
    years = _household_years(t, p)
    poor = years.filter(years.poor)
    pop = t.population
    population = pop.filter(pop.year == p.year)
    return _households(poor, numerator=poor.people.cast("float64"), denominator=_zero()).union(
        output(
            population,
            county=population.region_id,
            record_id=population.id,
            ledger="population",
            numerator=_zero(),
            denominator=population.population,
        )
    )


@expression
def people_exited(t: Tables, p: Period) -> ir.Table:
    """O2: people in households that exited in the year."""
    years = _household_years(t, p)
    rows = years.filter(years.exited)
    return _households(rows, value=rows.people.cast("float64"))


@expression
def people_fell_back(t: Tables, p: Period) -> ir.Table:
    """O3: people in households that fell back in the year."""
    years = _household_years(t, p)
    rows = years.filter(years.fell_back)
    return _households(rows, value=rows.people.cast("float64"))


@expression
def income_growth(t: Tables, p: Period) -> ir.Table:
    """O4: per-capita net income of the year (numerator) and of the previous year (denominator)
    of the households with an income record in both years, one row per household.

    Σ numerator ÷ Σ denominator is the ratio of the two years' mean per-capita net incomes
    (the household count cancels), so the growth adds up over any set of counties.
    """
    years = _household_years(t, p)
    rows = years.filter(years.income_per_capita.notnull(), years.income_per_capita_before.notnull())
    return _households(
        rows, numerator=rows.income_per_capita, denominator=rows.income_per_capita_before
    )
