"""The query expressions behind the indicators: one function each, written once in Ibis.

An expression takes the table namespace `t` (`xiezuo.assessment.tables.Tables`), the year, the
as-of date and its indicator's parameters, and returns the indicator's **record rows**: one row
per record that makes the number, with

- `pairing_id` (a ledger record) or `county` (a registry record, by its household's county),
- `record_id` and `ledger` (the table the record comes from, a name of `TABLES`),
- `value` (sum, count, flag), `key` (distinct) or `numerator` and `denominator` (rate, growth).

The engine (`evaluation.py`) adds the rows up per unit, and drill-down lists them. The rules of
DOMAIN.md §3 live here: a record belongs to the year of its date (start date for spells and
visits, end date for trainings, the year column for funds, projects and investments); a spell
without an end runs to the as-of date; durations count both ends; dated records after the
as-of date are not known yet and are left out.
"""

import datetime as dt
from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.types as ir

from xiezuo.assessment.tables import Tables

type Expression = Callable[..., ir.Table]

EXPRESSIONS: dict[str, Expression] = {}


def expression(function: Expression) -> Expression:
    """Register a query expression under its function name."""
    EXPRESSIONS[function.__name__] = function
    return function


# --- building blocks -------------------------------------------------------------------------


def period(year: int, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """Return the first day of `year` and the last day of it already known at `as_of`."""
    return dt.date(year, 1, 1), min(dt.date(year, 12, 31), as_of)


def dated_in(column: ir.DateValue, year: int, as_of: dt.date) -> ir.BooleanValue:
    """Return whether a record dated `column` belongs to `year` and is known at `as_of`."""
    first, last = period(year, as_of)
    return column.between(ibis.date(first), ibis.date(last))


def in_force(start: ir.DateValue, end: ir.DateValue, year: int, as_of: dt.date) -> ir.BooleanValue:
    """Return whether a span (end may be empty) overlaps `year` up to `as_of`."""
    first, last = period(year, as_of)
    return (start <= ibis.date(last)) & (end.isnull() | (end >= ibis.date(first)))


def days_between(start: ir.DateValue, end: ir.DateValue) -> ir.IntegerValue:
    """Return the calendar days from `start` to `end`, both included (2 to 31 Dec is 30)."""
    return end.delta(start, unit="day") + 1


def days_in_year(
    start: ir.DateValue, end: ir.DateValue, year: int, as_of: dt.date
) -> ir.IntegerValue:
    """Return the days of a spell inside `year` up to `as_of`; an open spell runs to `as_of`."""
    first, last = period(year, as_of)
    runs_to = end.coalesce(ibis.date(as_of))
    return days_between(
        ibis.greatest(start, ibis.date(first)), ibis.least(runs_to, ibis.date(last))
    )


def province(code: ir.StringValue) -> ir.StringValue:
    """Return a code's province part: its first two digits."""
    return code.substr(0, 2)


def poor_at_end_of(household: ir.Table, year: int) -> ir.BooleanValue:
    """Return whether a household is poor at the end of `year` (DOMAIN.md §3).

    Identified in `year` or before, and not exited by then, or fell back after its exit and by
    `year` (the same rule as `xiezuo.registry.calculations.is_poor_at_end_of`).
    """
    h = household
    not_exited = h.exit_year.isnull() | (h.exit_year > year)
    fell_back = (
        h.fallback_year.notnull() & (h.fallback_year >= h.exit_year) & (h.fallback_year <= year)
    )
    return (h.identified_year <= year) & (not_exited | fell_back)


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


def _members_of(t: Tables, households: ir.Table, **columns: Any) -> ir.Table:
    """Return one row per member of `households`, by the household's county."""
    m = t.member
    joined = m.join(households, m.household_id == households.id)
    return output(joined, county=households.county_id, record_id=m.id, ledger="member", **columns)


# --- 组织领导 -----------------------------------------------------------------------------------


@expression
def principal_leader_visits(
    t: Tables, *, year: int, as_of: dt.date, leader_categories: list[str]
) -> ir.Table:
    """I01: visits in the year led by a principal leader, either direction."""
    v = t.visit
    rows = v.filter(dated_in(v.start_date, year, as_of), v.leader_category.isin(leader_categories))
    return _rows(rows, "visit", value=_one())


@expression
def joint_meetings(t: Tables, *, year: int, as_of: dt.date) -> ir.Table:
    """I02: joint meetings held in the year."""
    m = t.meeting
    return _rows(m.filter(dated_in(m.date, year, as_of)), "meeting", value=_one())


@expression
def agreements_in_force(t: Tables, *, year: int, as_of: dt.date) -> ir.Table:
    """I03: agreements in force at some time of the year."""
    a = t.agreement
    rows = a.filter(in_force(a.effective_date, a.end_date, year, as_of))
    return _rows(rows, "agreement", value=_one())


# --- 人才支援 -----------------------------------------------------------------------------------


@expression
def secondments_in_post(
    t: Tables, *, year: int, as_of: dt.date, min_days: int, categories: list[str]
) -> ir.Table:
    """I04, I05: people of `categories` seconded who were in post ≥ `min_days` of the year."""
    s = t.secondment
    rows = s.filter(
        s.direction == "派出",  # helper → recipient only: a received cadre counts in neither
        s.category.isin(categories),
        in_force(s.start_date, s.end_date, year, as_of),
        days_in_year(s.start_date, s.end_date, year, as_of) >= min_days,
    )
    return _rows(rows, "secondment", key=rows.id_number)


@expression
def trainings_person_times(t: Tables, *, year: int, as_of: dt.date, audience: str) -> ir.Table:
    """I06, I07, I18: person-times of the trainings for `audience` that ended in the year."""
    tr = t.training
    rows = tr.filter(tr.audience == audience, dated_in(tr.end_date, year, as_of))
    return _rows(rows, "training", value=rows.person_times.cast("float64"))


# --- 资金支持 -----------------------------------------------------------------------------------


def _funds(t: Tables, year: int, source: str) -> ir.Table:
    f = t.fund
    return f.filter(f.year == year, f.source == source)


@expression
def fiscal_aid(t: Tables, *, year: int, as_of: dt.date, source: str) -> ir.Table:
    """I08: fiscal aid allocated for the year."""
    rows = _funds(t, year, source)
    return _rows(rows, "fund", value=_money(rows.amount))


@expression
def fiscal_aid_growth(t: Tables, *, year: int, as_of: dt.date, source: str) -> ir.Table:
    """I09: fiscal aid of the year (numerator) against the previous year's (denominator)."""
    current = _funds(t, year, source)
    previous = _funds(t, year - 1, source)
    return _rows(current, "fund", numerator=_money(current.amount), denominator=_zero()).union(
        _rows(previous, "fund", numerator=_zero(), denominator=_money(previous.amount))
    )


@expression
def social_help(t: Tables, *, year: int, as_of: dt.date, source: str) -> ir.Table:
    """I10: donations dated in the year plus the year's funds of source 社会帮扶."""
    d = t.donation
    donations = d.filter(dated_in(d.date, year, as_of))
    funds = _funds(t, year, source)
    return _rows(donations, "donation", value=_money(donations.amount)).union(
        _rows(funds, "fund", value=_money(funds.amount))
    )


@expression
def closely_linked_share(t: Tables, *, year: int, as_of: dt.date) -> ir.Table:
    """I11: fiscal aid of the year's projects closely linked to poor people ÷ all of it."""
    p = t.project
    rows = p.filter(p.year == year)
    aid = _money(rows.fiscal_aid)
    return _rows(
        rows, "project", numerator=rows.closely_linked.ifelse(aid, _zero()), denominator=aid
    )


@expression
def disbursement_rate(t: Tables, *, year: int, as_of: dt.date) -> ir.Table:
    """I12: disbursed ÷ fiscal aid of the year's projects."""
    p = t.project
    rows = p.filter(p.year == year)
    return _rows(
        rows, "project", numerator=_money(rows.disbursed), denominator=_money(rows.fiscal_aid)
    )


# --- 产业合作 -----------------------------------------------------------------------------------


def _investments(t: Tables, year: int) -> ir.Table:
    i = t.investment
    return i.filter(i.year == year)


@expression
def investing_enterprises(t: Tables, *, year: int, as_of: dt.date) -> ir.Table:
    """I13: enterprises (by credit code) with an actual investment in the year."""
    rows = _investments(t, year)
    rows = rows.filter(rows.amount > 0)
    return _rows(rows, "investment", key=rows.credit_code)


@expression
def actual_investment(t: Tables, *, year: int, as_of: dt.date) -> ir.Table:
    """I14: actual investment of the year."""
    rows = _investments(t, year)
    return _rows(rows, "investment", value=_money(rows.amount))


@expression
def poor_people_driven(t: Tables, *, year: int, as_of: dt.date) -> ir.Table:
    """I15: registered poor people driven by the year's investments."""
    rows = _investments(t, year)
    return _rows(rows, "investment", value=rows.poor_people_driven.cast("float64"))


# --- 劳务协作 -----------------------------------------------------------------------------------


@expression
def stable_employment(
    t: Tables, *, year: int, as_of: dt.date, stable_days: int, where: str
) -> ir.Table:
    """I16, I17: people whose job spell started in the year and lasted ≥ `stable_days`.

    `where` is "helper_province" (the workplace lies in the pairing helper's province) or
    "own_province" (in the province of the worker's household). An open spell runs to the
    as-of date.
    """
    lab = t.labour
    spells = lab.filter(
        dated_in(lab.start_date, year, as_of),
        days_between(lab.start_date, lab.end_date.coalesce(ibis.date(as_of))) >= stable_days,
    )
    if where == "helper_province":
        p = t.pairing
        sides = p.select(side_pairing_id=p.id, side_code=p.helper_id)
        joined = spells.join(sides, spells.pairing_id == sides.side_pairing_id)
    elif where == "own_province":
        h = t.household
        sides = h.select(side_household_id=h.id, side_code=h.county_id)
        joined = spells.join(sides, spells.household_id == sides.side_household_id)
    else:
        raise ValueError(f"unknown workplace rule {where!r}")
    rows = joined.filter(province(joined.workplace_code) == province(joined.side_code))
    return _rows(rows, "labour", key=rows.id_number)


# --- 携手奔小康 ---------------------------------------------------------------------------------


@expression
def paired_targets(
    t: Tables,
    *,
    year: int,
    as_of: dt.date,
    target_type: str,
    entity_types: list[str] | None = None,
) -> ir.Table:
    """I19–I21: towns or villages paired by a sub-pairing in force during the year."""
    s = t.subpairing
    rows = s.filter(s.target_type == target_type, in_force(s.start_date, s.end_date, year, as_of))
    if entity_types:
        rows = rows.filter(rows.entity_type.isin(entity_types))
    return _rows(rows, "subpairing", key=rows.target_id)


@expression
def consumption_aid(t: Tables, *, year: int, as_of: dt.date) -> ir.Table:
    """I22: produce of the recipient side bought by the helper side in the year."""
    p = t.purchase
    rows = p.filter(dated_in(p.date, year, as_of))
    return _rows(rows, "purchase", value=_money(rows.amount))


# --- 成效 (by county, from the registry) -------------------------------------------------------


@expression
def poverty_incidence(t: Tables, *, year: int, as_of: dt.date) -> ir.Table:
    """O1: people of households poor at the end of the year ÷ rural registered population."""
    h = t.household
    poor = _members_of(t, h.filter(poor_at_end_of(h, year)), numerator=_one(), denominator=_zero())
    pop = t.population
    population = pop.filter(pop.year == year)
    return poor.union(
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
def people_exited(t: Tables, *, year: int, as_of: dt.date) -> ir.Table:
    """O2: people in households that exited in the year."""
    h = t.household
    return _members_of(t, h.filter(h.exit_year == year), value=_one())


@expression
def people_fell_back(t: Tables, *, year: int, as_of: dt.date) -> ir.Table:
    """O3: people in households that fell back in the year."""
    h = t.household
    return _members_of(t, h.filter(h.fallback_year == year), value=_one())


@expression
def income_growth(t: Tables, *, year: int, as_of: dt.date) -> ir.Table:
    """O4: per-capita net income of the year (numerator) and of the previous year (denominator)
    of the households with an income record in both years, one row per household (its income
    record of the year; the previous year's record of the same household is its comparison).

    Σ numerator ÷ Σ denominator is the ratio of the two years' mean per-capita net incomes
    (the household count cancels), so the growth adds up over any set of counties.
    """
    i, h = t.income, t.household
    net = (i.wages + i.business + i.property_income + i.transfers - i.costs).cast("float64")
    incomes = i.select(income_id=i.id, household_id=i.household_id, year=i.year, net=net)
    current = incomes.filter(incomes.year == year).select(
        "household_id", current_id="income_id", current_net="net"
    )
    previous = incomes.filter(incomes.year == year - 1).select(
        "household_id", previous_id="income_id", previous_net="net"
    )
    households = h.filter(h.size > 0).select(
        panel_household_id=h.id, county_id=h.county_id, size=h.size
    )
    panel = current.join(previous, "household_id").join(
        households, current.household_id == households.panel_household_id
    )
    size = panel.size.cast("float64")
    return output(
        panel,
        county=panel.county_id,
        record_id=panel.current_id,
        ledger="income",
        numerator=panel.current_net / size,
        denominator=panel.previous_net / size,
    )
