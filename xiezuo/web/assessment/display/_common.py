"""Numbers, colour bands, unit names and links shared by the assessment pages.

Colour bands follow the score share, min(value ÷ target, 1) (target ÷ value for a lower-is-better
indicator): 90 % or more green, 60 % or more amber, below red; an indicator without a target is
grey ("no target"), a unit without a value shows "—".
"""

from decimal import ROUND_HALF_UP, Decimal
from functools import lru_cache

from django.urls import get_script_prefix, reverse

from xiezuo.assessment.calculations import AMBER_BELOW, RED_BELOW, Target, score
from xiezuo.assessment.catalog import Indicator
from xiezuo.programs.keys import pairing_sides

SIDES = {"helper": "帮扶方（区）", "recipient": "受援方（县）", "pairing": "结对"}
BAND_LABELS = {
    "green": "≥ 90 %",
    "amber": "60–90 %",
    "red": "< 60 %",
    "no-target": "无目标",
    "no-value": "无值",
}
KIND_TEXT = {
    "sum": "各条记录数值之和",
    "count": "记录条数",
    "distinct": "去重计数：同一人员、企业、乡镇或村只计一次（按本单位的全部记录重新去重）",
    "rate": "比率 = Σ分子 ÷ Σ分母 × 100；分母为 0 时无值",
    "growth": "增长率 = (本年 ÷ 上年 − 1) × 100；上年为 0 时无值",
    "flag": "本单位每个结对年内都有有效记录时为 1，否则为 0",
}


# --- numbers and bands --------------------------------------------------------------------------


def figure(value: Decimal | None, indicator: Indicator) -> str:
    """Return a value as the scorecard prints it, "—" when there is none."""
    if value is None:
        return "—"
    if indicator.kind == "flag":
        return "有" if value >= 1 else "无"
    if indicator.unit in ("万元", "%") or value != value.to_integral_value():
        places = Decimal("0.1") if indicator.unit == "%" else Decimal("0.01")
        return f"{value.quantize(places, ROUND_HALF_UP):,}"
    return f"{int(value):,}"


def share(value: Decimal | None, target: Decimal | None, direction: str) -> Decimal | None:
    """Return the score share, min(value ÷ target, 1), or None without a value or target."""
    return score(value, Target(target, Decimal(1)), direction=direction)


def band(value: Decimal | None, target: Decimal | None, direction: str) -> str:
    """Return a cell's colour band: green, amber, red, no-target or no-value."""
    if target is None:
        return "no-target"
    ratio = share(value, target, direction)
    if ratio is None:
        return "no-value"
    if ratio >= AMBER_BELOW:
        return "green"
    return "amber" if ratio >= RED_BELOW else "red"


def percent(ratio: Decimal | None) -> str:
    return "—" if ratio is None else f"{(ratio * 100).quantize(Decimal(1), ROUND_HALF_UP)} %"


def unit_label(unit_type: str, unit: str, names: dict[str, str]) -> str:
    """Return a unit's name: the region's, `朝阳区 → 康保县` for a pairing, 全项目 otherwise."""
    if unit_type == "programme":
        return "全项目"
    if unit_type == "pairing":
        helper, recipient = pairing_sides(unit)
        return f"{names.get(helper, helper)} → {names.get(recipient, recipient)}"
    return names.get(unit, unit)


def unit_url(unit_type: str, unit: str, *, year: int | None = None) -> str:
    url = _reversed(get_script_prefix(), "web:assessment-unit", (unit_type, unit))
    return f"{url}?year={year}" if year else url


def drill_url(run_id: int, indicator: str, unit_type: str, unit: str) -> str:
    return _reversed(
        get_script_prefix(), "web:assessment-drill", (run_id, indicator, unit_type, unit)
    )


@lru_cache(maxsize=50_000)
def _reversed(prefix: str, name: str, args: tuple[object, ...]) -> str:
    """Return `reverse(name, args)` under the script prefix `prefix`: a scorecard links every
    cell (about 500), the same ones on every request, and reversing costs more than the rest
    of the cell."""
    return reverse(name, args=args)


def plain(value: Decimal | None) -> str:
    """Return a stored figure plainly: whole numbers whole, others to 2 places; "—" for none."""
    if value is None:
        return "—"
    return f"{value.normalize():,f}" if value == value.to_integral_value() else f"{value:,.2f}"
