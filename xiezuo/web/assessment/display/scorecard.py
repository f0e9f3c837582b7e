"""The scorecard page: units × indicators in colour bands."""

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from xiezuo.assessment import catalog
from xiezuo.assessment.catalog import Indicator
from xiezuo.assessment.models import (
    IndicatorResult,
    UnitResult,
)
from xiezuo.assessment.selectors import Scorecard
from xiezuo.web.assessment.display._common import (
    band,
    drill_url,
    figure,
    percent,
    share,
    unit_label,
    unit_url,
)

# --- the scorecard ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    indicator: Indicator
    area: str


@dataclass(frozen=True)
class Cell:
    indicator: str
    text: str
    band: str
    url: str | None
    title: str


@dataclass(frozen=True)
class Row:
    unit_type: str
    unit: str
    label: str
    url: str
    cells: list[Cell]
    score: Decimal | None
    grade: str
    rank: int | None


@dataclass(frozen=True)
class AreaGroup:
    area: str
    span: int


def columns(side: str, area: str = "") -> list[Column]:
    """Return the indicators of a side's scorecard, in catalog order, optionally one area's."""
    return [
        Column(indicator, indicator.area)
        for indicator in catalog.indicators()
        if side in indicator.unit_types and (not area or indicator.area == area)
    ]


def area_groups(cols: list[Column]) -> list[AreaGroup]:
    groups: list[AreaGroup] = []
    for col in cols:
        if groups and groups[-1].area == col.area:
            groups[-1] = AreaGroup(col.area, groups[-1].span + 1)
        else:
            groups.append(AreaGroup(col.area, 1))
    return groups


def cell(result: IndicatorResult | None, indicator: Indicator, *, link: bool, run_id: int) -> Cell:
    """Return one value cell: its text, band, drill-down link and explanation."""
    if result is None:
        return Cell(indicator.id, "—", "no-value", None, f"{indicator.name_zh}：未计算")
    colour = band(result.value, result.target, indicator.direction)
    unit = "" if indicator.unit == "—" else indicator.unit
    title = f"{indicator.id} {indicator.name_zh}：{figure(result.value, indicator)} {unit}".strip()
    if result.target is None:
        title += "；无目标"
    else:
        title += f"；目标 {figure(result.target, indicator)}，完成 " + percent(
            share(result.value, result.target, indicator.direction)
        )
        if result.score is not None and result.weight:
            title += f"；得分 {result.score.normalize():f} / {result.weight.normalize():f}"
    url = (
        drill_url(run_id, indicator.id, result.unit_type, result.unit)
        if link and result.value is not None
        else None
    )
    return Cell(indicator.id, figure(result.value, indicator), colour, url, title)


def scorecard_rows(
    card: Scorecard, cols: list[Column], *, linkable: Callable[[str, str], bool]
) -> list[Row]:
    """Return the scorecard's unit rows, by rank; `linkable(unit type, unit)` says whose
    values link to their records."""
    if card.run is None:
        return []
    by_unit: dict[str, dict[str, IndicatorResult]] = {}
    for result in card.results:
        by_unit.setdefault(result.unit, {})[result.indicator] = result
    rows = [
        _row(u.unit_type, u.unit, u, by_unit.get(u.unit, {}), cols, card, linkable)
        for u in sorted(card.units, key=lambda u: (u.rank, u.unit))
    ]
    return rows


def programme_row(
    card: Scorecard, cols: list[Column], *, linkable: Callable[[str, str], bool]
) -> Row | None:
    """Return the programme's row (the footer of every side)."""
    if card.run is None or card.programme_unit is None:
        return None
    results = {r.indicator: r for r in card.programme_results}
    unit = card.programme_unit
    return _row("programme", unit.unit, unit, results, cols, card, linkable)


def _row(
    unit_type: str,
    unit: str,
    unit_result: UnitResult | None,
    results: dict[str, IndicatorResult],
    cols: list[Column],
    card: Scorecard,
    linkable: Callable[[str, str], bool],
) -> Row:
    assert card.run is not None
    link = linkable(unit_type, unit)
    return Row(
        unit_type=unit_type,
        unit=unit,
        label=unit_label(unit_type, unit, card.names),
        url=unit_url(unit_type, unit, year=card.run.year),
        cells=[
            cell(results.get(c.indicator.id), c.indicator, link=link, run_id=card.run.pk)
            for c in cols
        ],
        score=unit_result.score if unit_result else None,
        grade=unit_result.grade if unit_result else "",
        rank=unit_result.rank if unit_result else None,
    )
