"""The rules of precision work and monitoring for a programme-year, read from
`data/rules.toml` (defaults, then the programme-year's overrides)."""

import tomllib
from dataclasses import dataclass, fields
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from xiezuo.core.errors import CatalogError

RULES_FILE = Path(__file__).with_name("data") / "rules.toml"


@dataclass(frozen=True)
class Rules:
    """Thresholds (percents, days, yuan) and the cause → measure mapping of one programme-year."""

    village_exit_incidence: float
    county_exit_incidence: float
    county_max_missed_rate: float
    county_max_wrong_exit_rate: float
    county_min_approval: float
    monitoring_from_year: int
    monitoring_line_multiple: float
    confirm_within_days: int
    notice_min_days: int
    measure_within_days: int
    cause_measures: dict[str, tuple[str, ...]]
    monitoring_threshold: Decimal | None = None  # yuan per person; else multiple × the line

    def expected_measures(self, cause: str) -> tuple[str, ...]:
        """Return the measure categories that answer `cause` (none for an unknown cause)."""
        return self.cause_measures.get(cause, ())

    def threshold(self, line: Decimal) -> Decimal:
        """Return the monitoring threshold T of a year whose poverty line is `line`."""
        if self.monitoring_threshold is not None:
            return self.monitoring_threshold
        return (line * Decimal(str(self.monitoring_line_multiple))).quantize(Decimal("0.01"))


@cache
def _raw() -> dict[str, Any]:
    with RULES_FILE.open("rb") as f:
        return tomllib.load(f)


def rules_for(programme_key: str, year: int) -> Rules:
    """Return the rules of `programme_key` in `year`: the defaults with its overrides."""
    raw = _raw()
    values: dict[str, Any] = {**raw["default"]}
    override = raw.get("programmes", {}).get(programme_key, {}).get(str(year), {})
    values.update(override)
    known = {f.name for f in fields(Rules)}
    unknown = set(values) - known
    if unknown:
        raise CatalogError(f"rules.toml: unknown keys {sorted(unknown)}")
    values["cause_measures"] = {
        cause: tuple(categories) for cause, categories in values["cause_measures"].items()
    }
    if values.get("monitoring_threshold") is not None:
        values["monitoring_threshold"] = Decimal(str(values["monitoring_threshold"]))
    return Rules(**values)
