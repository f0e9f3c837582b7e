"""Pure arithmetic of the assessment: targets per unit, scores, grades, ranks and alerts.

No database and no engine: values come in, Decimals go out (DOMAIN.md §3).
"""

import calendar
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from xiezuo.assessment.catalog import ADDITIVE_KINDS, GradeBand, Indicator

RED_BELOW = Decimal("0.6")
AMBER_BELOW = Decimal("0.9")
SCORE_PLACES = Decimal("0.0001")
TOTAL_PLACES = Decimal("0.01")

type TargetKey = tuple[str, str, str]  # (indicator, unit type, unit or "")


@dataclass(frozen=True)
class Target:
    """The target (None: no target) and weight of an indicator for one unit."""

    target: Decimal | None
    weight: Decimal | None


NO_TARGET = Target(None, None)


def target_for(
    targets: Mapping[TargetKey, Target],
    indicator: Indicator,
    unit_type: str,
    unit: str,
    *,
    pairings: int,
) -> Target:
    """Return the target and weight that apply to one unit.

    A row for the unit wins, then the default of its unit type, then the per-pairing default,
    which a helper, recipient or programme takes × its number of pairings (`pairings`) for a
    count or sum and as it is for a rate, growth or flag.
    """
    for key in ((indicator.id, unit_type, unit), (indicator.id, unit_type, "")):
        if key in targets:
            return targets[key]
    base = targets.get((indicator.id, "pairing", ""))
    if base is None:
        return NO_TARGET
    if base.target is None or unit_type == "pairing" or indicator.kind not in ADDITIVE_KINDS:
        return base
    return Target(base.target * pairings, base.weight)


def score(value: Decimal | None, target: Target, *, direction: str = "higher") -> Decimal | None:
    """Return weight × min(value ÷ target, 1) (never below 0); None without target or value.

    For a lower-is-better indicator the ratio is target ÷ value (a value of 0 is full marks).
    """
    if target.target is None or value is None:
        return None
    weight = target.weight or Decimal(0)
    if direction == "lower":
        ratio = Decimal(1) if value <= 0 else target.target / value
    else:
        ratio = value / target.target
    ratio = min(max(ratio, Decimal(0)), Decimal(1))
    return (weight * ratio).quantize(SCORE_PLACES, ROUND_HALF_UP)


def total(scores: Iterable[Decimal | None]) -> Decimal:
    """Return a unit's total: the sum of its scores (indicators without a score add nothing)."""
    return sum((s for s in scores if s is not None), Decimal(0)).quantize(
        TOTAL_PLACES, ROUND_HALF_UP
    )


def grade(total_score: Decimal, bands: Sequence[GradeBand]) -> str:
    """Return the first grade (highest minimum first) whose minimum the total reaches."""
    for band in sorted(bands, key=lambda b: b.min_score, reverse=True):
        if total_score >= band.min_score:
            return band.grade
    return ""


def ranks(totals: Mapping[str, Decimal]) -> dict[str, int]:
    """Return each unit's rank among its peers: 1 for the highest total, ties share a rank
    and the next rank skips (1, 2, 2, 4)."""
    ordered = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    found: dict[str, int] = {}
    for position, (unit, value) in enumerate(ordered, start=1):
        previous = ordered[position - 2] if position > 1 else None
        found[unit] = found[previous[0]] if previous and previous[1] == value else position
    return found


def elapsed_share(year: int, as_of: dt.date) -> Decimal | None:
    """Return the share of `year` elapsed at `as_of` (day of year ÷ days in year) when the
    as-of date lies inside the year before its last day; None otherwise (no alerts)."""
    if not dt.date(year, 1, 1) <= as_of < dt.date(year, 12, 31):
        return None
    days = 366 if calendar.isleap(year) else 365
    return Decimal(as_of.timetuple().tm_yday) / Decimal(days)


def expected(indicator: Indicator, target: Decimal, share: Decimal) -> Decimal:
    """Return the value a unit should have reached: the target pro-rated to the as-of date
    for an indicator that grows through the year, the full target otherwise."""
    return target * share if indicator.cumulative else target


def alert_level(value: Decimal | None, expected_value: Decimal) -> str | None:
    """Return "red" below 60 % of the expected value, "amber" below 90 %, None otherwise."""
    if value is None:
        return None
    if value < expected_value * RED_BELOW:
        return "red"
    if value < expected_value * AMBER_BELOW:
        return "amber"
    return None


# --- a whole run --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultRow:
    indicator: str
    unit_type: str
    unit: str
    value: Decimal | None
    numerator: Decimal | None
    denominator: Decimal | None
    target: Decimal | None
    weight: Decimal | None
    score: Decimal | None


@dataclass(frozen=True)
class UnitRow:
    unit_type: str
    unit: str
    score: Decimal
    grade: str
    rank: int


@dataclass(frozen=True)
class AlertRow:
    indicator: str
    unit_type: str
    unit: str
    level: str
    value: Decimal
    expected: Decimal


@dataclass(frozen=True)
class Assessment:
    results: list[ResultRow]
    units: list[UnitRow]
    alerts: list[AlertRow]


@dataclass(frozen=True)
class Figure:
    """An indicator's value for one unit, as the engine gives it."""

    indicator: str
    unit_type: str
    unit: str
    value: float | None
    numerator: float | None = None
    denominator: float | None = None


def assemble(
    figures: Iterable[Figure],
    *,
    indicators: Sequence[Indicator],
    targets: Mapping[TargetKey, Target],
    bands: Sequence[GradeBand],
    pairings: Mapping[tuple[str, str], int],
    year: int,
    as_of: dt.date,
) -> Assessment:
    """Score every figure, total, grade and rank every unit, and raise the in-year alerts.

    `pairings` gives each (unit type, unit) its number of pairings (for scaled targets).
    """
    by_id = {i.id: i for i in indicators}
    share = elapsed_share(year, as_of)
    results: list[ResultRow] = []
    alerts: list[AlertRow] = []
    totals: dict[tuple[str, str], list[Decimal | None]] = {}
    for figure in figures:
        indicator = by_id[figure.indicator]
        key = (figure.unit_type, figure.unit)
        target = target_for(
            targets, indicator, figure.unit_type, figure.unit, pairings=pairings.get(key, 1)
        )
        value = _decimal(figure.value)
        points = score(value, target, direction=indicator.direction)
        results.append(
            ResultRow(
                figure.indicator,
                figure.unit_type,
                figure.unit,
                value,
                _decimal(figure.numerator),
                _decimal(figure.denominator),
                target.target,
                target.weight if target.target is not None else None,
                points,
            )
        )
        totals.setdefault(key, []).append(points)
        if share is not None and target.target is not None and indicator.direction == "higher":
            wanted = expected(indicator, target.target, share).quantize(SCORE_PLACES)
            level = alert_level(value, wanted)
            if level and value is not None:
                alerts.append(
                    AlertRow(figure.indicator, figure.unit_type, figure.unit, level, value, wanted)
                )
    units: list[UnitRow] = []
    for unit_type in ("pairing", "helper", "recipient", "programme"):
        peers = {
            unit: total(scores) for (kind, unit), scores in totals.items() if kind == unit_type
        }
        ranked = ranks(peers)
        units.extend(
            UnitRow(unit_type, unit, peers[unit], grade(peers[unit], bands), ranked[unit])
            for unit in sorted(peers, key=lambda u: (ranked[u], u))
        )
    return Assessment(results, units, alerts)


def _decimal(number: float | None) -> Decimal | None:
    if number is None:
        return None
    return Decimal(repr(round(number, 6))).quantize(Decimal("0.000001"))


def period_bounds(year: int, as_of: dt.date) -> dict[str, Any]:
    """Return the days that bound `year` known at `as_of` (the fields of an expression's
    `Period`): the year, 1 January, the last day known (31 December or the as-of date if
    earlier), 31 December and the as-of date."""
    end = dt.date(year, 12, 31)
    return {
        "year": year,
        "first": dt.date(year, 1, 1),
        "last": min(end, as_of),
        "end": end,
        "as_of": as_of,
    }
