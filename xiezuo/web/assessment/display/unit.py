"""The unit page: six-area profile, trend, alerts and rectification items."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from xiezuo.assessment import catalog
from xiezuo.assessment.catalog import Indicator
from xiezuo.assessment.models import (
    Alert,
    IndicatorResult,
    RectificationItem,
    UnitType,
)
from xiezuo.assessment.selectors import TREND_INDICATORS, TrendPoint
from xiezuo.web.assessment.display._common import (
    drill_url,
    figure,
    percent,
    plain,
    share,
    unit_label,
    unit_url,
)
from xiezuo.web.assessment.display.scorecard import Cell, cell

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
