"""The cross-check rules as data (`data/rules.toml`): which list, which condition, which
severity, and the Chinese label and explanation of each.

`rules()` reads and checks the file; `Rule.condition_expr(year)` is the rule's condition as a
Polars expression over a frame of linked list rows (the list's fields by model field name,
`list_year`, and the household's `village`).
"""

import tomllib
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from xiezuo.core.errors import CatalogError

if TYPE_CHECKING:
    import polars as pl

__all__ = ["KEYS", "Rule", "rule", "rules"]

DATA = Path(__file__).with_name("data") / "rules.toml"
KEYS = (
    "payroll",
    "village_cadre",
    "vehicle",
    "property",
    "business",
    "deceased",
    "duplicate",
)
SEVERITIES = frozenset({"high", "medium"})
CONDITIONS = frozenset(
    {"lists", "dated", "active", "at_least", "outside_village", "same_id_elsewhere"}
)


@dataclass(frozen=True)
class Rule:
    """One rule: a flag's `rule` key, the list it reads and when a linked row counts."""

    key: str
    list: str  # an outside list's ledger key, or "registry"
    severity: str
    label: str
    explanation: str
    condition: dict[str, Any] = field(default_factory=dict)

    @property
    def on_registry(self) -> bool:
        return self.list == "registry"

    def condition_expr(self, year: int) -> "pl.Expr":
        """Return the condition on a linked list row, for the year `year` checked."""
        import polars as pl

        first, last = date(year, 1, 1), date(year, 12, 31)
        condition = self.condition
        parts: list[pl.Expr] = []
        if condition.get("lists") == "year":
            parts.append(pl.col("list_year") == year)
        else:
            parts.append(pl.col("list_year") <= year)
        if dated := condition.get("dated"):
            parts.append(pl.col(dated) <= last)
        if active := condition.get("active"):
            start, end = active
            parts.append((pl.col(start) <= last) & (pl.col(end).is_null() | (pl.col(end) >= first)))
        if at_least := condition.get("at_least"):
            parts.append(pl.col(at_least["field"]) >= float(at_least["value"]))
        if condition.get("outside_village"):
            parts.append(pl.col("region_record") != pl.col("village"))
        return pl.all_horizontal(parts).fill_null(False)


@cache
def rules() -> tuple[Rule, ...]:
    """Return the rules of `data/rules.toml`, in file order; CatalogError when the file does
    not hold exactly the seven keys, or names an unknown list, severity or condition."""
    from xiezuo.crosscheck.models import LISTS

    with DATA.open("rb") as handle:
        raw = tomllib.load(handle)
    found = tuple(Rule(**entry) for entry in raw["rules"])
    if sorted(r.key for r in found) != sorted(KEYS):
        raise CatalogError(f"rules.toml: the rules must be exactly {', '.join(KEYS)}")
    for item in found:
        if item.list != "registry" and item.list not in LISTS:
            raise CatalogError(f"rules.toml: {item.key}: unknown list {item.list}")
        if item.severity not in SEVERITIES:
            raise CatalogError(f"rules.toml: {item.key}: unknown severity {item.severity}")
        if unknown := set(item.condition) - CONDITIONS:
            raise CatalogError(f"rules.toml: {item.key}: unknown condition {sorted(unknown)}")
    return found


def rule(key: str) -> Rule:
    """Return the rule `key`."""
    for item in rules():
        if item.key == key:
            return item
    raise KeyError(key)
