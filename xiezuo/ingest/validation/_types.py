"""One planner per column type, and `PLANNERS`, the table from a catalog type to its planner.

A planner adds to the plan the typed column of its cells and the checks of its type; a new
column type is a new planner and a row of the table (the catalog refuses unknown types).
"""

from datetime import date

import polars as pl
from django.db import connection
from django.db.models import Field

from xiezuo.core.ids import PROVINCE_PREFIXES, IdNumberError, parse_id
from xiezuo.ingest.catalog import COLUMN_TYPES, Column
from xiezuo.ingest.normalise import (
    clean_expr,
    code_expr,
    date_expr,
    int_expr,
    number_expr,
    year_expr,
)
from xiezuo.ingest.validation import _codelists, _references
from xiezuo.ingest.validation._base import Context, credit_code_problem
from xiezuo.ingest.validation._plan import (
    DATE_RANGE,
    YEAR_RANGE,
    Check,
    Plan,
    Planner,
    blank,
    by_distinct,
    per_value_step,
    plan_range,
)

__all__ = ["PLANNERS", "plan_column"]

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_QUOTES = "'\"‘’“”＇＂`"


def plan_column(plan: Plan, column: Column, model_field: Field, context: Context) -> None:
    """Plan one column: required cells, then its type's planner."""
    if column.required:
        plan.checks.append(Check(column.header, blank(pl.col(column.header)), "必填，不能为空。"))
    PLANNERS[column.type](plan, column, model_field, context)


def _unreadable(column: Column) -> pl.Expr:
    return ~blank(pl.col(column.header)) & pl.col(column.field).is_null()


def plan_text(plan: Plan, column: Column, model_field: Field, context: Context) -> None:
    plan.typed[column.field] = clean_expr(pl.col(column.header))
    limit = column.max_length or getattr(model_field, "max_length", None)
    if limit:
        length = pl.col(column.field).str.len_chars()
        plan.checks.append(
            Check(
                column.header,
                length > limit,
                pl.format(f"长度为 {{}} 个字，超过上限 {limit} 个字。", length),
            )
        )


def _plan_whole(plan: Plan, column: Column, model_field: Field, *, year: bool) -> None:
    plan.steps.append(by_distinct(column.header, column.field, year_expr if year else int_expr))
    what = "年份（如 2019 或 2019年）" if year else "整数"
    plan.checks.append(Check(column.header, _unreadable(column), f"不是{what}。"))
    low, high = column.min, column.max
    if year:
        low = YEAR_RANGE[0] if low is None else low
        high = YEAR_RANGE[1] if high is None else high
    field_low, field_high = connection.ops.integer_field_range(model_field.get_internal_type())
    bounds_low = [v for v in (low, field_low) if v is not None]
    bounds_high = [v for v in (high, field_high) if v is not None]
    plan_range(
        plan,
        column,
        pl.col(column.field),
        max(bounds_low) if bounds_low else None,
        min(bounds_high) if bounds_high else None,
    )


def plan_int(plan: Plan, column: Column, model_field: Field, context: Context) -> None:
    _plan_whole(plan, column, model_field, year=False)


def plan_year(plan: Plan, column: Column, model_field: Field, context: Context) -> None:
    _plan_whole(plan, column, model_field, year=True)


def plan_decimal(plan: Plan, column: Column, model_field: Field, context: Context) -> None:
    plan.typed[column.field] = number_expr(pl.col(column.header)).round(column.places)
    plan.checks.append(Check(column.header, _unreadable(column), "不是数字。"))
    high = column.max
    digits = getattr(model_field, "max_digits", None)
    places = getattr(model_field, "decimal_places", column.places)
    if digits:
        ceiling = 10 ** (digits - places) - 10**-places
        high = ceiling if high is None else min(high, ceiling)
    plan_range(plan, column, pl.col(column.field), column.min, high)


def plan_date(plan: Plan, column: Column, model_field: Field, context: Context) -> None:
    typed = pl.col(column.field)
    plan.steps.append(by_distinct(column.header, column.field, date_expr))
    plan.checks.append(
        Check(
            column.header,
            _unreadable(column),
            "不是有效日期（可写 2019-03-05、2019/3/5、2019.3.5、2019年3月5日、"
            "20190305 或 Excel 日期）。",
        )
    )
    first_date, last_date = DATE_RANGE
    plan.checks.append(
        Check(
            column.header,
            (typed < first_date) | (typed > last_date),
            f"日期应在 {first_date.year} 年至 {last_date.year} 年之间。",
        )
    )


def plan_credit_code(plan: Plan, column: Column, model_field: Field, context: Context) -> None:
    plan.typed[column.field] = code_expr(pl.col(column.header)).str.to_uppercase()
    problem = f"__{column.field}_problem"
    plan.steps.append(per_value_step(column.field, problem, credit_code_problem))
    plan.checks.append(Check(column.header, pl.col(problem).is_not_null(), pl.col(problem)))


def plan_id_number(plan: Plan, column: Column, model_field: Field, context: Context) -> None:
    """Check ID numbers column-wise; only cells that fail go through `parse_id` for the reason."""
    today = context.today
    raw = pl.col(column.header)
    text = code_expr(raw).str.strip_chars(_QUOTES).str.to_uppercase()
    candidate = f"__{column.field}_text"
    problem = f"__{column.field}_problem"
    plan.typed[candidate] = text
    body = pl.col(candidate).str.slice(0, 18)
    total = pl.sum_horizontal(
        body.str.slice(i, 1).cast(pl.Int32, strict=False) * weight
        for i, weight in enumerate(_ID_WEIGHTS)
    )
    check = (total % 11).replace_strict(
        dict(enumerate(_ID_CHECK)), default=None, return_dtype=pl.String
    )
    birth = body.str.slice(6, 8).str.to_date("%Y%m%d", strict=False)
    clean = (
        pl.col(candidate).str.contains(r"^\d{17}[\dX](?:\d{2}){0,2}$")
        & (check == body.str.slice(17, 1))
        & body.str.slice(0, 2).is_in(sorted(PROVINCE_PREFIXES))
        & (birth >= date(1900, 1, 1))
        & (birth <= today)
    ).fill_null(False)

    def step(frame: pl.DataFrame) -> pl.DataFrame:
        frame = frame.with_columns(clean.alias("__id_clean"))
        suspects = frame.filter(~pl.col("__id_clean") & pl.col(column.header).is_not_null())
        fixed: dict[str, str] = {}
        problems: dict[str, str] = {}
        for value in suspects.get_column(column.header).unique().to_list():
            if not value.strip():
                continue
            try:
                fixed[value] = parse_id(value, today=today).full
            except IdNumberError as error:
                problems[value] = error.message
        return frame.with_columns(
            pl.when(pl.col("__id_clean"))
            .then(pl.col(candidate))
            .otherwise(
                pl.col(column.header).replace_strict(fixed, default=None, return_dtype=pl.String)
            )
            .alias(column.field),
            pl.when(~pl.col("__id_clean"))
            .then(
                pl.col(column.header).replace_strict(problems, default=None, return_dtype=pl.String)
            )
            .alias(problem),
        ).drop("__id_clean")

    plan.steps.append(step)
    plan.checks.append(Check(column.header, pl.col(problem).is_not_null(), pl.col(problem)))


PLANNERS: dict[str, Planner] = {
    "text": plan_text,
    "int": plan_int,
    "decimal": plan_decimal,
    "year": plan_year,
    "date": plan_date,
    "bool": _codelists.plan_bool,
    "code": _codelists.plan_code,
    "codes": _codelists.plan_codes,
    "region": _references.plan_region,
    "id_number": plan_id_number,
    "credit_code": plan_credit_code,
    "household": _references.plan_household,
    "households": _references.plan_households,
}
assert set(PLANNERS) == COLUMN_TYPES, "every catalog column type needs a planner"
