"""Rules across the columns of one row, and `RULES`, the table from a catalog rule to its check.

A rule marks every cell it involves: an error is reported on each involved column, so the
annotated workbook shows all of them red (a date out of order marks both dates). The household
rules follow DOMAIN.md §4: status, exit year, fall-back year and attribute must tell one story.
"""

from collections.abc import Callable

import polars as pl
from django.db.models import Model

from xiezuo.ingest.catalog import Column, Ledger
from xiezuo.ingest.reading import ROW
from xiezuo.ingest.validation import _references
from xiezuo.ingest.validation._base import Context
from xiezuo.ingest.validation._plan import Check, Plan, check_each

__all__ = ["RULES", "plan_duplicates"]

Rule = Callable[[Plan, list[Column], pl.DataFrame, Context, type[Model]], pl.DataFrame]

# household_status: which labels of 脱贫状态 mean what (DOMAIN.md §4).
NOT_EXITED = "未脱贫"
FELL_BACK = "返贫"
EXITED = ("已脱贫(享受政策)", "已脱贫(不再享受政策)")
EXITED_ATTRIBUTE_SUFFIX = "脱贫户"  # 一般脱贫户, 低保脱贫户, 特困供养脱贫户
_YEAR_FIELD = "year"  # a ledger's own 年度 (incomes): no other year of the row may pass it


def _text(column: Column) -> pl.Expr:
    return pl.col(column.field).cast(pl.String)


def _ordered(below: str, above: str, doc: str) -> Rule:
    """Return the rule that the second column may not be less than the first; `below` says
    it of the second cell, `above` of the first (each with the other's header and value)."""

    def rule(
        plan: Plan, columns: list[Column], frame: pl.DataFrame, context: Context, model: type[Model]
    ) -> pl.DataFrame:
        first, second = columns
        reversed_ = pl.col(second.field) < pl.col(first.field)
        plan.checks.append(
            Check(second.header, reversed_, pl.format(below.format(first.header), _text(first)))
        )
        plan.checks.append(
            Check(first.header, reversed_, pl.format(above.format(second.header), _text(second)))
        )
        return frame

    rule.__doc__ = doc
    return rule


# The end (an exit year, an end date) may not come before the start.
dates_in_order = _ordered(
    "早于「{}」（{{}}）。", "晚于「{}」（{{}}）。", "The end may not come before the start."
)
# A lower bound may not exceed its upper bound (年龄下限 ≤ 年龄上限).
in_order = _ordered(
    "小于「{}」（{{}}）。", "大于「{}」（{{}}）。", "A lower bound may not exceed its upper bound."
)


def not_in_future(
    plan: Plan, columns: list[Column], frame: pl.DataFrame, context: Context, model: type[Model]
) -> pl.DataFrame:
    """A year of the row may not be after the current year, nor after the row's own 年度."""
    this_year = context.today.year
    for column in columns:
        value = pl.col(column.field)
        plan.checks.append(
            Check(
                column.header,
                value > this_year,
                f"晚于当前年度（{this_year}年）：年份不能是将来。",
            )
        )
        if _YEAR_FIELD in frame.columns and column.field != _YEAR_FIELD:
            year = pl.col(_YEAR_FIELD)
            plan.checks.append(
                Check(
                    column.header,
                    (value > year) & (value <= this_year),
                    pl.format("晚于本行的「年度」（{}）。", year.cast(pl.String)),
                )
            )
    return frame


def household_status(
    plan: Plan, columns: list[Column], frame: pl.DataFrame, context: Context, model: type[Model]
) -> pl.DataFrame:
    """脱贫状态, 脱贫年度, 返贫年度 and 贫困户属性 of a household agree with each other.

    An exited household has an exit year and a household not exited has none; a household
    that fell back has exited before (an exit year) and says when it fell back; an attribute of
    an exited household (…脱贫户) goes with an exited status. An exited household that still
    carries its 贫困户 attribute is common in county files and accepted.
    """
    status_column, exit_column, fallback_column, attribute_column = columns
    status = pl.col(status_column.field)
    exit_year = pl.col(exit_column.field)
    fallback = pl.col(fallback_column.field)
    attribute = pl.col(attribute_column.field)
    said = f"「{status_column.header}」为「{{}}」"
    check_each(
        plan,
        [status_column, exit_column],
        status.is_in(EXITED) & exit_year.is_null(),
        pl.format(f"{said}，但未填「{exit_column.header}」。", status),
    )
    check_each(
        plan,
        [status_column, exit_column],
        (status == NOT_EXITED) & exit_year.is_not_null(),
        pl.format(
            f"{said}，却填了「{exit_column.header}」（{{}}）：未脱贫户不应有脱贫年度。",
            status,
            exit_year.cast(pl.String),
        ),
    )
    check_each(
        plan,
        [status_column, fallback_column],
        (status == FELL_BACK) & fallback.is_null(),
        pl.format(f"{said}，但未填「{fallback_column.header}」。", status),
    )
    check_each(
        plan,
        [exit_column, fallback_column],
        fallback.is_not_null() & exit_year.is_null(),
        pl.format(
            f"填了「{fallback_column.header}」（{{}}）却没有「{exit_column.header}」："
            "返贫须在脱贫之后。",
            fallback.cast(pl.String),
        ),
    )
    check_each(
        plan,
        [attribute_column, status_column],
        attribute.str.ends_with(EXITED_ATTRIBUTE_SUFFIX) & (status == NOT_EXITED),
        pl.format(
            f"「{attribute_column.header}」为「{{}}」（脱贫户），「{status_column.header}」却是"
            f"「{NOT_EXITED}」。",
            attribute,
        ),
    )
    return frame


RULES: dict[str, Rule] = {
    "dates_in_order": dates_in_order,
    "in_order": in_order,
    "not_in_future": not_in_future,
    "household_status": household_status,
    "pairing": _references.attribute_pairings,
    "member": _references.check_members,
    "not_registered": _references.check_not_registered,
}


def plan_duplicates(plan: Plan, ledger: Ledger, key_columns: list[Column]) -> None:
    """A natural key appears once: a repeat is an error on each of its key cells."""
    keys = [pl.col(c.field) for c in key_columns]
    complete = pl.all_horizontal(k.is_not_null() for k in keys)
    first = pl.col("__first_row")
    shown_key = pl.concat_str([k.cast(pl.String) for k in keys], separator=" ")
    check_each(
        plan,
        key_columns,
        complete & (pl.col(ROW) != first),
        pl.format(f"与第 {{}} 行重复（{'+'.join(ledger.natural_key)}：{{}}）。", first, shown_key),
    )
