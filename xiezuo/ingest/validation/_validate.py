"""`validate_table`: plan every column and rule of a ledger, run the plan over a table."""

import polars as pl
from django.apps import apps

from xiezuo.ingest import hooks
from xiezuo.ingest.catalog import Ledger
from xiezuo.ingest.normalise import unescape_expr
from xiezuo.ingest.reading import ROW, Table
from xiezuo.ingest.validation import _references, _rules, _types
from xiezuo.ingest.validation._base import Context, Validated, m2m_ids
from xiezuo.ingest.validation._plan import Plan, collect, collect_notices, model_field


def validate_table(table: Table, ledger: Ledger, context: Context) -> Validated:
    """Return the table's rows typed and checked; never raises for bad cells."""
    model = apps.get_model(ledger.model)
    plan = Plan()
    present = [c for c in ledger.columns if c.header in table.headers]
    for column in present:
        _types.plan_column(plan, column, model_field(model, column.field), context)
    # A CSV export escapes cells that a spreadsheet would run as formulas ('=…): undo it first.
    # Typed columns may read earlier ones (a list's items, then its text): one lazy chain.
    lazy = table.frame.lazy().with_columns(unescape_expr(pl.col(c.header)) for c in present)
    for name, expr in plan.typed.items():
        lazy = lazy.with_columns(expr.alias(name))
    frame = lazy.collect()
    for step in plan.steps:
        frame = step(frame)
    by_header = {c.header: c for c in ledger.columns}
    attribution = ledger.extra.get("attribution")
    if attribution and all(h in table.headers for h in ledger.extra["attribution_columns"]):
        columns = [by_header[h] for h in ledger.extra["attribution_columns"]]
        frame = _references.attribute(plan, attribution, columns, frame, context)
        if direction := ledger.extra.get("direction"):
            frame = _references.derive_direction(plan, direction, columns[0], frame, context)
    for rule in ledger.rules:
        if rule.rule == "pairing" and attribution:
            continue  # the ledger's own attribution method gives the pairing
        if all(h in table.headers for h in rule.columns):
            columns = [by_header[h] for h in rule.columns]
            frame = _rules.RULES[rule.rule](plan, columns, frame, context, model)
    key_columns = [by_header[h] for h in ledger.natural_key]
    key_fields = tuple(c.field for c in key_columns)
    if all(name in frame.columns for name in key_fields):
        # Materialised before the checks filter rows: a window over the filtered rows would
        # see only the duplicates.
        first_row = pl.col(ROW).first().over(key_fields).alias("__first_row")
        frame = frame.with_columns(first_row)
        _rules.plan_duplicates(plan, ledger, key_columns)
    _references.plan_scope(plan, context.scope)
    _references.plan_pairing_dates(plan, model, context)
    derived = hooks.derived_fields(ledger.model, ledger.extra.get("fixed"))
    frame = frame.with_columns(**{name: expr for name, expr in derived.items()})
    errors = list(table.cell_errors) + collect(frame, plan.checks)
    errors.sort(
        key=lambda e: (
            e.row or 0,
            table.headers.index(e.column) if e.column in table.headers else -1,
        )
    )
    fields = tuple(by_header[h].field for h in table.headers) + tuple(derived)
    if "pairing_id" in frame.columns and "pairing_id" not in fields:
        fields += ("pairing_id",)
    fields += tuple(name for name in plan.derived if name not in fields)
    m2m = tuple(f for f in fields if model._meta.get_field(f).many_to_many)
    return Validated(
        model=model,
        frame=frame.select(ROW, *fields, *(m2m_ids(f) for f in m2m)),
        fields=fields,
        key_fields=key_fields,
        errors=errors,
        bad_rows=frozenset(e.row for e in errors if e.row is not None),
        parent_fields=tuple(plan.parent_fields),
        notices=collect_notices(frame, plan),
    )
