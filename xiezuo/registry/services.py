"""Writes of the household registry that other writes must call: the yearly household status.

`HouseholdYear` holds, per household and year, what the assessment's outcomes (O1–O4) count,
so that a year's outcomes read one narrow slice of one table instead of joining every member
and two years of incomes. It is derived data: **every write to households, members or
incomes must end with `household_years_refresh`** (the import loader and the demo builder
do). A refresh is set-based SQL on the database (a few seconds for the full demo).
"""

from collections.abc import Iterable

from django.db import connection, transaction
from django.db.models import QuerySet

from xiezuo.programs.models import Programme
from xiezuo.registry.models import Household, HouseholdYear, Income, Member


def programme_years() -> list[int]:
    """Return the years of every programme: the years the assessment may ask for."""
    years: set[int] = set()
    for start, end in Programme.objects.values_list("start_year", "end_year"):
        years.update(range(start, end + 1))
    return sorted(years)


@transaction.atomic
def household_years_refresh(
    *, households: QuerySet[Household] | None = None, years: Iterable[int] | None = None
) -> int:
    """Recompute the yearly status of `households` (default: all) for `years` (default: the
    programmes' years); return the rows written.

    A row is kept where the household counts for an outcome of the year: poor at the end of
    it (identified by then and not exited, or fell back after its exit and by then; the rule
    of `registry.calculations.is_poor_at_end_of`), exited or fell back in it, or with an
    income record in it and in the year before. People are the member records.
    """
    years = sorted(set(years if years is not None else programme_years()))
    if not years:
        return 0
    table = connection.ops.quote_name(HouseholdYear._meta.db_table)
    chosen, chosen_params = _chosen(households)
    in_years = ", ".join(["%s"] * len(years))
    with connection.cursor() as cursor:
        delete = f"DELETE FROM {table} WHERE year IN ({in_years})"  # noqa: S608
        if households is None:  # all: rows of households deleted since go too
            cursor.execute(delete, years)
        else:
            cursor.execute(f"{delete} AND household_id IN ({chosen})", [*years, *chosen_params])
        cursor.execute(
            _insert_sql(table, chosen, len(years)), [*years, *chosen_params, *chosen_params]
        )
        return max(cursor.rowcount, 0)


def household_years_ensure(*, year: int) -> None:
    """Fill `year` when the table has no row of it yet (a programme year added since the
    last refresh); a year with rows is taken as kept up to date by the writes."""
    if HouseholdYear.objects.filter(year=year).exists():
        return
    if Household.objects.exists():
        household_years_refresh(years=[year])


def _chosen(households: QuerySet[Household] | None) -> tuple[str, list]:
    """Return the SQL (and parameters) of the ids of the households to refresh."""
    if households is None:
        households = Household.objects.all()
    sql, params = households.order_by().values("id").query.sql_with_params()
    return sql, list(params)


def _insert_sql(table: str, chosen: str, n_years: int) -> str:
    """Return the INSERT … SELECT of the yearly rows (parameters: the years, then the chosen
    households' twice).

    The arithmetic of the income per capita is the one the assessment always used: the net
    (wages + business + property + transfers − costs) cast to a float, divided by the size.
    """
    q = connection.ops.quote_name
    household, member, income = (q(m._meta.db_table) for m in (Household, Member, Income))
    real = "REAL" if connection.vendor == "sqlite" else "DOUBLE PRECISION"
    net = (
        "CAST(({t}.wages + {t}.business + {t}.property_income + {t}.transfers) - {t}.costs"
        " AS {real})"
    )
    per_capita = f"CASE WHEN h.size > 0 THEN {net} / CAST(h.size AS {real}) END"
    years = " UNION ALL ".join(["SELECT %s AS year"] * n_years)
    # Booleans through CASE: a comparison with an empty year is NULL, the column is NOT NULL.
    poor = (
        "h.identified_year <= y.year AND (h.exit_year IS NULL OR h.exit_year > y.year"
        " OR (h.fallback_year IS NOT NULL AND h.fallback_year >= h.exit_year"
        " AND h.fallback_year <= y.year))"
    )
    return f"""
        INSERT INTO {table} (household_id, county_id, year, people, poor, exited, fell_back,
                             income_per_capita, income_per_capita_before)
        SELECT household_id, county_id, year, people, poor, exited, fell_back,
               income_per_capita, income_per_capita_before
        FROM (
            SELECT h.id AS household_id, h.county_id AS county_id, y.year AS year,
                   COALESCE(m.people, 0) AS people,
                   CASE WHEN {poor} THEN TRUE ELSE FALSE END AS poor,
                   CASE WHEN h.exit_year = y.year THEN TRUE ELSE FALSE END AS exited,
                   CASE WHEN h.fallback_year = y.year THEN TRUE ELSE FALSE END AS fell_back,
                   {per_capita.format(t="i", real=real)} AS income_per_capita,
                   {per_capita.format(t="b", real=real)} AS income_per_capita_before
            FROM ({years}) AS y
            CROSS JOIN {household} AS h
            LEFT JOIN (
                SELECT household_id, COUNT(*) AS people FROM {member}
                WHERE household_id IN ({chosen}) GROUP BY household_id
            ) AS m ON m.household_id = h.id
            LEFT JOIN {income} AS i ON i.household_id = h.id AND i.year = y.year
            LEFT JOIN {income} AS b ON b.household_id = h.id AND b.year = y.year - 1
            WHERE h.id IN ({chosen}) AND h.registered
        ) AS status
        WHERE poor OR exited OR fell_back
           OR (income_per_capita IS NOT NULL AND income_per_capita_before IS NOT NULL)
        ORDER BY year, county_id, household_id
    """  # noqa: S608  (identifiers from the models; every value is a parameter)
