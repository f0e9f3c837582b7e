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


def derived_fields(model: str) -> dict[str, pl.Expr]:
    """Return {field: expression} of the fields derived for rows of `model` ("app.Model")."""
    return dict(_DERIVED.get(model, {}))
