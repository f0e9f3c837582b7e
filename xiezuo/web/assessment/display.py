"""Shape stored assessment results for the pages: no queries, only arrangement and arithmetic.

Colour bands follow the score share, min(value ÷ target, 1) (target ÷ value for a lower-is-better
indicator): 90 % or more green, 60 % or more amber, below red; an indicator without a target is
grey ("no target"), a unit without a value shows "—".
"""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.urls import reverse

from xiezuo.access import Access
from xiezuo.assessment import catalog
from xiezuo.assessment.calculations import AMBER_BELOW, RED_BELOW, Target, score
from xiezuo.assessment.catalog import Indicator
from xiezuo.assessment.models import (
    Alert,
    IndicatorResult,
    RectificationItem,
    UnitResult,
    UnitType,
)
from xiezuo.assessment.selectors import TREND_INDICATORS, Scorecard, TrendPoint
from xiezuo.assessment.tables import TABLES
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
    url = reverse("web:assessment-unit", args=[unit_type, unit])
    return f"{url}?year={year}" if year else url


def drill_url(run_id: int, indicator: str, unit_type: str, unit: str) -> str:
    return reverse("web:assessment-drill", args=[run_id, indicator, unit_type, unit])


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


# --- the unit page ------------------------------------------------------------------------------


@dataclass(frozen=True)
class AreaScore:
    area: str
    score: Decimal
    weight: Decimal

    @property
    def share(self) -> float:
        return round(float(self.score / self.weight * 100), 1) if self.weight else 0.0


@dataclass(frozen=True)
class ResultLine:
    indicator: Indicator
    result: IndicatorResult
    cell: Cell
    share: str

    @property
    def target(self) -> str:
        return plain(self.result.target)


def area_profile(results: Iterable[IndicatorResult]) -> list[AreaScore]:
    """Return each weighted area's score and the weight it could reach (indicators with a
    target), in catalog order: the radar of the unit page."""
    by_id = {r.indicator: r for r in results}
    found: list[AreaScore] = []
    for area in catalog.areas():
        scored = [
            by_id[i.id]
            for i in catalog.indicators()
            if i.area == area and i.id in by_id and by_id[i.id].weight
        ]
        weight = sum((r.weight or Decimal(0) for r in scored), Decimal(0))
        if weight:
            found.append(
                AreaScore(area, sum((r.score or Decimal(0) for r in scored), Decimal(0)), weight)
            )
    return found


def result_lines(
    results: Iterable[IndicatorResult], *, run_id: int, link: bool
) -> list[ResultLine]:
    """Return a unit's results in catalog order, each with its cell and score share."""
    by_id = {r.indicator: r for r in results}
    return [
        ResultLine(
            indicator,
            by_id[indicator.id],
            cell(by_id[indicator.id], indicator, link=link, run_id=run_id),
            percent(
                share(by_id[indicator.id].value, by_id[indicator.id].target, indicator.direction)
            ),
        )
        for indicator in catalog.indicators()
        if indicator.id in by_id
    ]


@dataclass(frozen=True)
class TrendLine:
    year: int
    as_of: dt.date
    year_end: bool
    score: Decimal | None
    grade: str
    rank: int | None
    values: list[str]


def trend_table(trend: list[TrendPoint], unit_type: str) -> tuple[list[Indicator], list[TrendLine]]:
    """Return the key indicators followed on a unit page and one line per year."""
    shown = [
        catalog.indicator(i)
        for i in TREND_INDICATORS
        if unit_type in catalog.indicator(i).unit_types
    ]
    lines = [
        TrendLine(
            year=point.run.year,
            as_of=point.run.as_of,
            year_end=point.run.as_of == dt.date(point.run.year, 12, 31),
            score=point.unit.score if point.unit else None,
            grade=point.unit.grade if point.unit else "",
            rank=point.unit.rank if point.unit else None,
            values=[
                figure(point.values[i.id].value if i.id in point.values else None, i) for i in shown
            ],
        )
        for point in trend
    ]
    return shown, lines


def chart_data(profile: list[AreaScore], trend: list[TrendLine]) -> dict[str, Any]:
    """Return what unit.js draws: the area radar and the total score over the years."""
    return {
        "areas": [{"name": a.area, "value": a.share} for a in profile],
        "trend": [
            {"year": line.year, "score": float(line.score) if line.score is not None else None}
            for line in trend
        ],
    }


@dataclass(frozen=True)
class AlertLine:
    alert: Alert
    indicator: Indicator
    value: str
    expected: str
    share: str
    url: str | None


def alert_lines(alerts: Iterable[Alert], *, run_id: int, link: bool) -> list[AlertLine]:
    """Return a unit's alerts, red first, in catalog order: the lagging list."""
    order = {i.id: n for n, i in enumerate(catalog.indicators())}
    lines = []
    for alert in sorted(alerts, key=lambda a: (a.level != "red", order.get(a.indicator, 99))):
        indicator = catalog.indicator(alert.indicator)
        lines.append(
            AlertLine(
                alert=alert,
                indicator=indicator,
                value=figure(alert.value, indicator),
                expected=figure(alert.expected, indicator),
                share=percent(alert.value / alert.expected if alert.expected else None),
                url=drill_url(run_id, alert.indicator, alert.unit_type, alert.unit)
                if link
                else None,
            )
        )
    return lines


@dataclass(frozen=True)
class ItemView:
    item: RectificationItem
    indicator: Indicator
    label: str
    overdue: bool
    may_update: bool

    @property
    def records_text(self) -> str:
        """Return the linked records as the form takes them: `fund:12, project:5`."""
        return ", ".join(f"{r['ledger']}:{r['id']}" for r in self.item.records)

    @property
    def unit_url(self) -> str:
        return unit_url(self.item.unit_type, self.item.unit, year=self.item.run.year)

    @property
    def drill_url(self) -> str:
        return drill_url(self.item.run_id, self.item.indicator, self.item.unit_type, self.item.unit)


def item_views(
    items: Iterable[RectificationItem],
    *,
    names: dict[str, str],
    today: dt.date,
    may_update: Callable[[RectificationItem], bool],
) -> list[ItemView]:
    return [
        ItemView(
            item=item,
            indicator=catalog.indicator(item.indicator),
            label=unit_label(item.unit_type, item.unit, names),
            overdue=item.is_overdue(today),
            may_update=may_update(item),
        )
        for item in items
    ]


def unit_type_label(unit_type: str) -> str:
    return UnitType(unit_type).label


# --- the drill-down page ------------------------------------------------------------------------


def computation(indicator: Indicator, result: IndicatorResult) -> list[str]:
    """Return how a value was computed, in lines a reader can check against the records."""
    lines = [KIND_TEXT[indicator.kind]]
    if indicator.params:
        lines.append(
            "参数："
            + "；".join(f"{key} = {_param(value)}" for key, value in indicator.params.items())
        )
    if result.numerator is not None or result.denominator is not None:
        num, den = plain(result.numerator), plain(result.denominator)
        if indicator.kind == "growth":
            lines.append(f"本年 {num} ÷ 上年 {den}")
        else:
            lines.append(f"分子 {num} ÷ 分母 {den}")
    return lines


def source_titles(indicator: Indicator) -> list[str]:
    return [str(TABLES[s].model._meta.verbose_name) for s in indicator.sources if s in TABLES]


@dataclass(frozen=True)
class RecordTable:
    """One table of records behind a number: its columns and the rows of the page shown."""

    ledger: str
    title: str
    columns: list[str]
    rows: list[tuple[int, list[str]]]
    count: int
    masked: bool


def record_table(
    ledger: str,
    model: type[models.Model],
    items: list[models.Model],
    *,
    count: int,
    access: Access,
    pairing_keys: dict[int, str],
) -> RecordTable:
    """Return a page of records as a table of all their fields; personal fields masked where
    the caller may not see them (`Access.mask`)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    label = model._meta.label
    personal = access.personal(label)
    rows = []
    masked = False
    for item in items:
        shown: dict[str, Any] = {}
        if personal is not None:
            region = _lookup(item, personal.region)
            if access.masks(label, region):
                masked = True
                shown = access.mask(
                    label,
                    {name: getattr(item, name) for name in personal.fields},
                    region=region,
                )
        rows.append(
            (
                item.pk,
                [
                    str(shown[f.name])
                    if f.name in shown and shown[f.name] not in (None, "")
                    else _field_text(item, f, pairings=pairing_keys)
                    for f in fields
                ],
            )
        )
    return RecordTable(
        ledger=ledger,
        title=str(model._meta.verbose_name),
        columns=["编号", *(str(f.verbose_name) for f in fields)],
        rows=[(pk, [str(pk), *cells]) for pk, cells in rows],
        count=count,
        masked=masked,
    )


def _lookup(item: models.Model, path: str) -> str | None:
    """Return the value at a lookup path ("household__village_id") of a loaded record."""
    value: Any = item
    for part in path.split("__"):
        value = getattr(value, part, None)
    return None if value is None else str(value)


def _field_text(item: models.Model, field: models.Field, *, pairings: dict[int, str]) -> str:
    value = getattr(item, field.attname)
    if value is None or value == "":
        return "—" if value is None else ""
    if field.name == "pairing":
        return pairings.get(value, str(value))
    if field.is_relation:
        related = getattr(item, field.name)
        name = getattr(related, "name", None)
        if name and getattr(related, "code", None):
            return f"{name} {related.code}"
        return str(getattr(related, "household_no", None) or value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _param(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "、".join(map(str, value))
    return str(value)


def plain(value: Decimal | None) -> str:
    """Return a stored figure plainly: whole numbers whole, others to 2 places; "—" for none."""
    if value is None:
        return "—"
    return f"{value.normalize():,f}" if value == value.to_integral_value() else f"{value:,.2f}"
