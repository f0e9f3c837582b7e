"""Code-list columns: a label, or the short or old form of one, stored as the label.

Each cell is compared in the code list's normal form (half-width, no spaces, upper case) with
the labels and aliases of `core/data/codelists.toml`; a match stores the label, and the cells
written otherwise are counted for the report's notice. A value that matches nothing is an
error that lists the labels one may write.
"""

import polars as pl
from django.db.models import Field

from xiezuo.core import codelists
from xiezuo.ingest.catalog import Column
from xiezuo.ingest.normalise import (
    bool_expr,
    clean_expr,
    code_expr,
    list_expr,
)
from xiezuo.ingest.validation._base import Context
from xiezuo.ingest.validation._plan import (
    LIST_JOIN,
    Check,
    Plan,
    Rewrite,
    blank,
    by_distinct,
    not_in_codelist,
)

__all__ = ["plan_bool", "plan_code", "plan_codes"]

_YES, _NO = "是", "否"  # what a yes/no cell is stored and exported as


def _to_label(codelist: str, form: pl.Expr) -> pl.Expr:
    """Return the label each normal form stands for; null where it stands for none."""
    return form.replace_strict(codelists.lookup(codelist), default=None, return_dtype=pl.String)


def _normal_form(raw: pl.Expr) -> pl.Expr:
    """`codelists.normal_form` for a column (`code_expr` is half-width without white space)."""
    return code_expr(raw).str.to_uppercase()


def plan_code(plan: Plan, column: Column, model_field: Field, context: Context) -> None:
    """One label of the column's code list."""
    name = column.codelist or ""
    raw = pl.col(column.header)
    typed = pl.col(column.field)
    plan.steps.append(
        by_distinct(column.header, column.field, lambda cell: _to_label(name, _normal_form(cell)))
    )
    plan.checks.append(
        Check(
            column.header,
            _normal_form(raw).is_not_null() & typed.is_null(),
            not_in_codelist("", name, codelists.labels(name)),
        )
    )
    plan.rewrites.append(
        Rewrite(column.header, typed.is_not_null() & clean_expr(raw).ne_missing(typed), typed)
    )


def plan_codes(plan: Plan, column: Column, model_field: Field, context: Context) -> None:
    """Labels of the column's code list separated by 、 (other causes of poverty)."""
    name = column.codelist or ""
    labels = codelists.labels(name)
    forms = list(codelists.lookup(name))
    items = f"__{column.field}_items"
    mapped = f"__{column.field}_labels"
    plan.typed[items] = list_expr(pl.col(column.header))
    plan.typed[mapped] = pl.col(items).list.eval(_to_label(name, pl.element().str.to_uppercase()))
    bad = pl.col(items).list.eval(
        pl.element().filter(~pl.element().str.to_uppercase().is_in(forms))
    )
    plan.checks.append(
        Check(
            column.header,
            bad.list.len() > 0,
            pl.format(not_in_codelist("「{}」", name, labels), bad.list.join(LIST_JOIN)),
        )
    )
    typed = pl.col(column.field)
    limit = getattr(model_field, "max_length", None)
    if limit:
        plan.checks.append(
            Check(column.header, typed.str.len_chars() > limit, f"内容超过 {limit} 个字。")
        )
    plan.typed[column.field] = pl.when(pl.col(mapped).list.len() > 0).then(
        pl.col(mapped).list.join(LIST_JOIN)
    )
    rewritten = pl.col(items).list.join(LIST_JOIN).ne_missing(typed)
    plan.rewrites.append(Rewrite(column.header, typed.is_not_null() & rewritten, typed))


def plan_bool(plan: Plan, column: Column, model_field: Field, context: Context) -> None:
    """是 or 否 (also Y/N, yes/no, true/false, √/×: each means one thing only)."""
    raw = pl.col(column.header)
    typed = pl.col(column.field)
    plan.steps.append(by_distinct(column.header, column.field, bool_expr))
    plan.checks.append(Check(column.header, ~blank(raw) & typed.is_null(), "应填“是”或“否”。"))
    stored = pl.when(typed).then(pl.lit(_YES)).otherwise(pl.lit(_NO))
    plan.rewrites.append(
        Rewrite(column.header, typed.is_not_null() & clean_expr(raw).ne_missing(stored), stored)
    )
