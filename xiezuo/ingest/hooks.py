"""Declared hooks: the few model fields a ledger fills that no column carries.

A hook is an expression over the typed columns (attribute names), keyed by the model the ledger
loads into. Everything else about a ledger comes from its catalog file.
"""

import polars as pl

__all__ = ["derived_fields"]

_DERIVED: dict[str, dict[str, pl.Expr]] = {
    # A household's county is its village's (the first six digits of a village code).
    "registry.Household": {"county_id": pl.col("village_id").str.slice(0, 6)},
}


def derived_fields(model: str, fixed: dict | None = None) -> dict[str, pl.Expr]:
    """Return {field: expression} of the fields derived for rows of `model` ("app.Model"),
    with a ledger's `fixed` values (catalog key `fixed`) as constants."""
    derived = dict(_DERIVED.get(model, {}))
    derived.update({name: pl.lit(value) for name, value in (fixed or {}).items()})
    return derived
