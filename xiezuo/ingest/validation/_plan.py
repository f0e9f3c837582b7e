"""The plan a validator builds for a table, and the small tools every planner shares.

A plan holds typed columns (Polars expressions over the raw text), steps that need the typed
frame (lookups, once per distinct value), checks (a mask and a message per column) and notices.
Planning builds expressions only; `_validate.validate_table` runs them.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import date

import polars as pl
from django.db.models import Field, Model

from xiezuo.core import codelists
from xiezuo.ingest.catalog import Column
from xiezuo.ingest.errors import RowError, shown
from xiezuo.ingest.reading import ROW
from xiezuo.ingest.validation._base import Context

YEAR_RANGE = (2000, 2035)
DATE_RANGE = (date(1900, 1, 1), date(2100, 12, 31))
LABELS_SHOWN = 8
LIST_JOIN = "、"
EXAMPLES_SHOWN = 3  # rows or values a notice names

Step = Callable[[pl.DataFrame], pl.DataFrame]
Notice = Callable[[pl.DataFrame], str | None]


@dataclass
class Check:
    """Cells of one column that fail: where `mask` holds, `message` is the error."""

    header: str
    mask: pl.Expr
    message: pl.Expr | str
    value: pl.Expr | None = None  # what the report shows; the raw cell by default


@dataclass(frozen=True)
class Rewrite:
    """Cells of one column accepted in another form than the one stored (低保户 → 低保贫困户)."""

    header: str
    mask: pl.Expr  # the cell was rewritten
    stored: pl.Expr  # what is stored, as text


@dataclass
class Plan:
    """What the validator computes: typed columns, then steps and checks that read them."""

    typed: dict[str, pl.Expr] = field(default_factory=dict)
    checks: list[Check] = field(default_factory=list)
    # Column-wise lookups that need the typed frame: run after `typed`, may add columns.
    steps: list[Step] = field(default_factory=list)
    region_fields: list[tuple[str, str]] = field(default_factory=list)  # (field, header)
    parent_fields: list[tuple[str, str]] = field(default_factory=list)
    rewrites: list[Rewrite] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    # Fields the file does not carry but the plan fills (the direction of a secondment).
    derived: list[str] = field(default_factory=list)


# A column type's planner: adds to the plan what the column needs.
Planner = Callable[[Plan, Column, Field, Context], None]


def blank(raw: pl.Expr) -> pl.Expr:
    """Return whether a raw cell is empty or only white space."""
    return raw.is_null() | (raw.str.strip_chars().str.len_bytes() == 0)


def check_each(
    plan: Plan, columns: Sequence[Column], mask: pl.Expr, message: pl.Expr | str
) -> None:
    """Add one check per involved column, so every involved cell is marked with the message."""
    for column in columns:
        plan.checks.append(Check(column.header, mask, message))


def by_distinct(header: str, name: str, normaliser: Callable[[pl.Expr], pl.Expr]) -> Step:
    """Normalise each distinct cell once: dates repeat, and parsing them is the costly part."""

    def step(frame: pl.DataFrame) -> pl.DataFrame:
        distinct = frame.select(pl.col(header).unique())
        distinct = distinct.with_columns(normaliser(pl.col(header)).alias(name))
        return frame.join(distinct, on=header, how="left", nulls_equal=True, maintain_order="left")

    return step


def per_value_step(source: str, target: str, check: Callable[[str], str | None]) -> Step:
    """Run a Python check once per distinct value of a column (few distinct values, or few bad)."""

    def step(frame: pl.DataFrame) -> pl.DataFrame:
        values = frame.get_column(source).drop_nulls().unique().to_list()
        problems = {v: p for v in values if (p := check(v)) is not None}
        return frame.with_columns(
            pl.col(source)
            .replace_strict(problems, default=None, return_dtype=pl.String)
            .alias(target)
        )

    return step


def plan_range(
    plan: Plan, column: Column, typed: pl.Expr, low: float | None, high: float | None
) -> None:
    if low is not None:
        plan.checks.append(Check(column.header, typed < low, f"不能小于 {number_text(low)}。"))
    if high is not None:
        plan.checks.append(Check(column.header, typed > high, f"不能大于 {number_text(high)}。"))


def number_text(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def not_in_codelist(subject: str, codelist: str, labels: Sequence[str]) -> str:
    return f"{subject}不在代码表「{codelists.title(codelist)}」中；可填：{labels_shown(labels)}。"


def labels_shown(labels: Sequence[str]) -> str:
    shown_labels = "、".join(labels[:LABELS_SHOWN])
    return shown_labels + ("等" if len(labels) > LABELS_SHOWN else "")


def rows_shown(rows: Sequence[int]) -> str:
    """Return the first few Excel rows of a list, as a notice names them."""
    text = "、".join(str(r) for r in rows[:EXAMPLES_SHOWN])
    return f"第 {text} 行" + ("等" if len(rows) > EXAMPLES_SHOWN else "")


def collect(frame: pl.DataFrame, checks: list[Check]) -> list[RowError]:
    """Return every failing cell of every check, in one pass of Polars."""
    if not checks:
        return []
    queries = []
    for check in checks:
        message = pl.lit(check.message) if isinstance(check.message, str) else check.message
        value = check.value if check.value is not None else pl.col(check.header)
        queries.append(
            frame.lazy()
            .filter(check.mask.fill_null(False))
            .select(
                pl.col(ROW),
                value.cast(pl.String).alias("value"),
                message.cast(pl.String).alias("message"),
            )
        )
    errors: list[RowError] = []
    for check, found in zip(checks, pl.collect_all(queries), strict=True):
        header = check.header
        errors.extend(
            RowError(row, header, shown(value), message)
            for row, value, message in found.iter_rows()
        )
    return errors


def collect_notices(frame: pl.DataFrame, plan: Plan) -> list[str]:
    """Return the plan's notices: the cells rewritten to their stored form, then the others."""
    found = [notice for notice in [_rewritten(frame, plan.rewrites)] if notice]
    found.extend(text for notice in plan.notices if (text := notice(frame)))
    return found


def _rewritten(frame: pl.DataFrame, rewrites: list[Rewrite]) -> str | None:
    """Say how many cells were rewritten to their code list's label, column by column."""
    if not rewrites:
        return None
    queries = [
        frame.lazy()
        .filter(rewrite.mask.fill_null(False))
        .select(
            pl.len().alias("cells"),
            pl.col(rewrite.header).first().alias("raw"),
            rewrite.stored.cast(pl.String).first().alias("stored"),
        )
        for rewrite in rewrites
    ]
    parts = []
    total = 0
    for rewrite, found in zip(rewrites, pl.collect_all(queries), strict=True):
        cells, raw, stored = found.row(0)
        if cells:
            total += cells
            parts.append(f"「{rewrite.header}」{cells} 处（如「{raw}」→「{stored}」）")
    if not total:
        return None
    return f"已将 {total} 个单元格的简写或旧写法改为代码表的标准写法：{'；'.join(parts)}。"


def model_field(model: type[Model], name: str) -> Field:
    return model._meta.get_field(name)  # type: ignore[return-value]
