"""Reads of the assessment: stored runs, their JSON form, scorecards and unit profiles, and
drill-down to the records.

Scores, grades and ranks are the programme's published comparison among peers: every caller
who may view the assessment reads them. Records behind a number (drill-down) and
rectification items go through the units the caller reaches (`Access.units`).
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.core.paginator import Page, Paginator
from django.db import models
from django.shortcuts import get_object_or_404

from xiezuo.access import Access, Verb
from xiezuo.assessment import catalog
from xiezuo.assessment.models import Alert, AssessmentRun, IndicatorResult, UnitResult
from xiezuo.assessment.tables import model_of
from xiezuo.core.errors import ScopeError
from xiezuo.ledgers.models import Secondment
from xiezuo.ledgers.selectors import ledger_records
from xiezuo.programs.keys import ARROW, pairing_sides
from xiezuo.programs.models import Pairing, Programme
from xiezuo.regions.selectors import names_for

UNIT_ORDER = {"pairing": 0, "helper": 1, "recipient": 2, "programme": 3}


def run_latest(*, access: Access, year: int) -> AssessmentRun | None:
    """Return the latest stored run of the caller's programme in `year`, None when there is
    none."""
    return AssessmentRun.objects.filter(programme=_viewed(access), year=year).first()


def run_payload(run: AssessmentRun) -> dict[str, Any]:
    """Return a run as the JSON of `xiezuo assess --format json` (numbers as floats)."""
    order = {ind.id: n for n, ind in enumerate(catalog.indicators())}
    results = sorted(
        run.results.all(),
        key=lambda r: (UNIT_ORDER[r.unit_type], r.unit, order.get(r.indicator, 99)),
    )
    return {
        "programme": run.programme.key,
        "year": run.year,
        "as_of": run.as_of.isoformat(),
        "engine": run.engine,
        "results": [
            {
                "indicator": r.indicator,
                "unit_type": r.unit_type,
                "unit": r.unit,
                "value": _number(r.value),
                "target": _number(r.target),
                "weight": _number(r.weight),
                "score": _number(r.score),
            }
            for r in results
        ],
        "units": [
            {
                "unit_type": u.unit_type,
                "unit": u.unit,
                "score": _number(u.score),
                "grade": u.grade,
                "rank": u.rank,
            }
            for u in sorted(
                run.units.all(), key=lambda u: (UNIT_ORDER[u.unit_type], u.rank, u.unit)
            )
        ],
        "alerts": [
            {
                "indicator": a.indicator,
                "unit_type": a.unit_type,
                "unit": a.unit,
                "level": a.level,
                "value": _number(a.value),
                "expected": _number(a.expected),
            }
            for a in sorted(
                run.alerts.all(),
                key=lambda a: (UNIT_ORDER[a.unit_type], a.unit, order.get(a.indicator, 99)),
            )
        ],
    }


@dataclass(frozen=True)
class DrillParams:
    """What a drill-down evaluates when it is not given a stored run."""

    programme: str
    year: int
    as_of: dt.date | None = None
    engine: str = "db"
    snapshot: Path | str | None = None


@dataclass(frozen=True)
class DrillRecords:
    """The records of one table that made an indicator's number."""

    ledger: str
    model: type[models.Model]
    ids: list[int]

    def queryset(self) -> models.QuerySet:
        return self.model._default_manager.filter(pk__in=self.ids)


def drilldown(
    run_or_params: AssessmentRun | DrillParams,
    indicator: str,
    unit_type: str,
    unit: str,
    *,
    access: Access,
) -> list[DrillRecords]:
    """Return the records behind one indicator's value for one unit, per table.

    The indicator's expression is evaluated again on the run's engine (its snapshot, if any)
    and filtered to the unit's pairings, or to their counties for registry outcomes. A growth
    lists the records of both years; a rate those of its numerator and denominator. The
    caller must reach every pairing of the unit (`ScopeError` otherwise); a command run on the
    server passes `Access.operator`.
    """
    from xiezuo.assessment import engines, evaluation  # Ibis: loaded when a drill-down runs

    params = _params(run_or_params)
    item = catalog.indicator(indicator)
    with engines.connect(params.engine, snapshot=params.snapshot) as tables:
        units = evaluation.programme_units(tables, programme=params.programme, year=params.year)
        pairings = units.pairings_of(unit_type, unit)
        if not access.authenticated or not {p.id for p in pairings} <= access.pairing_ids:
            raise ScopeError(f"无权查看 {unit} 的考核明细", unit=unit)
        as_of = params.as_of or evaluation.default_as_of(params.year)
        rows, grain = evaluation.restrict(
            tables, evaluation.record_rows(tables, item, year=params.year, as_of=as_of), units
        )
        if grain == "pairing_id":
            rows = rows.filter(rows.pairing_id.isin([p.id for p in pairings]))
        else:
            rows = rows.filter(rows.county.isin(sorted({p.recipient for p in pairings})))
        found = evaluation.fetch(
            rows.select("ledger", "record_id").distinct().order_by("ledger", "record_id")
        )
    grouped: dict[str, list[int]] = {}
    for row in found:
        grouped.setdefault(row["ledger"], []).append(int(row["record_id"]))
    return [DrillRecords(ledger, model_of(ledger), ids) for ledger, ids in grouped.items()]


def _params(run_or_params: AssessmentRun | DrillParams) -> DrillParams:
    if isinstance(run_or_params, DrillParams):
        return run_or_params
    run = run_or_params
    return DrillParams(
        programme=run.programme.key,
        year=run.year,
        as_of=run.as_of,
        engine=run.engine,
        snapshot=run.parameters.get("snapshot"),
    )


def _number(value: Decimal | None) -> float | int | None:
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# Indicators followed over the years on a unit page.
TREND_INDICATORS = ("I08", "I14", "I16", "I22", "O1")


@dataclass(frozen=True)
class Scorecard:
    """A run's figures for one side: results and unit results, with the names of the units."""

    run: AssessmentRun | None
    runs: list[AssessmentRun]
    results: list[IndicatorResult]
    units: list[UnitResult]
    programme_results: list[IndicatorResult]
    programme_unit: UnitResult | None
    names: dict[str, str]
    alert_count: int = 0
    item_count: int = 0


@dataclass(frozen=True)
class TrendPoint:
    """A unit in the latest run of one year (a year-end run when there is one)."""

    run: AssessmentRun
    unit: UnitResult | None
    values: dict[str, IndicatorResult]


@dataclass(frozen=True)
class UnitProfile:
    """One unit in a run: its results, total, alerts, and its trend over the years."""

    run: AssessmentRun | None
    runs: list[AssessmentRun]
    results: list[IndicatorResult]
    unit: UnitResult | None
    peers: int
    alerts: list[Alert]
    trend: list[TrendPoint] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class PairingSecondments:
    """A pairing's secondments in post during a year, both ways (双向挂职)."""

    records: list[Secondment]

    def people(self, direction: str) -> int:
        """Return the distinct people seconded in `direction` (派出 or 接收)."""
        return len({s.id_number for s in self.records if s.direction == direction})

    @property
    def sent(self) -> int:
        return self.people(Secondment.Direction.SENT)

    @property
    def received(self) -> int:
        return self.people(Secondment.Direction.RECEIVED)


def pairing_secondments(*, access: Access, pairing_key: str, year: int) -> PairingSecondments:
    """Return the secondments of the pairing `HELPER→RECIPIENT` in post during `year`, as far
    as the caller reads them."""
    helper, recipient = pairing_sides(pairing_key)
    records = (
        ledger_records(access=access, model=Secondment, year=year)
        .filter(pairing__programme=_viewed(access), pairing__helper_id=helper)
        .filter(pairing__recipient_id=recipient)
        .order_by("-direction", "start_date", "id")
    )
    return PairingSecondments(list(records))


def _viewed(access: Access) -> Programme:
    """Return the access's programme, once the caller is known to view the assessment."""
    access.check(Verb.VIEW_ASSESSMENT)
    if access.programme is None:
        raise ScopeError("没有可查看的项目")
    return access.programme


def run_list(*, access: Access, year: int) -> list[AssessmentRun]:
    """Return the stored runs of the caller's programme in `year`, latest first."""
    return list(AssessmentRun.objects.filter(programme=_viewed(access), year=year))


def run_get(*, access: Access, pk: int) -> AssessmentRun:
    """Return a run of the caller's programme, or raise Http404."""
    return get_object_or_404(
        AssessmentRun.objects.select_related("programme"), programme=_viewed(access), pk=pk
    )


def _pick(runs: list[AssessmentRun], run_id: int | None) -> AssessmentRun | None:
    if run_id is not None:
        for run in runs:
            if run.pk == run_id:
                return run
    return runs[0] if runs else None


def scorecard(*, access: Access, year: int, side: str, run_id: int | None = None) -> Scorecard:
    """Return the scorecard of one side (pairing, helper, recipient) for a programme-year.

    The run shown is `run_id` when it belongs to the year, else the year's latest run.
    """
    runs = run_list(access=access, year=year)
    run = _pick(runs, run_id)
    if run is None:
        return Scorecard(None, runs, [], [], [], None, {})
    results = list(run.results.filter(unit_type=side))
    units = list(run.units.filter(unit_type=side))
    programme_results = list(run.results.filter(unit_type="programme"))
    programme_unit = run.units.filter(unit_type="programme").first()
    return Scorecard(
        run=run,
        runs=runs,
        results=results,
        units=units,
        programme_results=programme_results,
        programme_unit=programme_unit,
        names=region_names([u.unit for u in units]),
        alert_count=run.alerts.count(),
        item_count=run.rectification_items.count(),
    )


def unit_profile(
    *, access: Access, unit_type: str, unit: str, year: int, run_id: int | None = None
) -> UnitProfile:
    """Return one unit in the chosen run of a year, with its trend over the programme's years."""
    runs = run_list(access=access, year=year)
    run = _pick(runs, run_id)
    trend = unit_trend(access=access, unit_type=unit_type, unit=unit)
    names = region_names([unit])
    if run is None:
        return UnitProfile(None, runs, [], None, 0, [], trend, names)
    return UnitProfile(
        run=run,
        runs=runs,
        results=list(run.results.filter(unit_type=unit_type, unit=unit)),
        unit=run.units.filter(unit_type=unit_type, unit=unit).first(),
        peers=run.units.filter(unit_type=unit_type).count(),
        alerts=list(run.alerts.filter(unit_type=unit_type, unit=unit)),
        trend=trend,
        names=names,
    )


def unit_trend(*, access: Access, unit_type: str, unit: str) -> list[TrendPoint]:
    """Return a unit's total and key indicators in each year that has a stored run.

    A year is represented by its latest year-end run (as of 31 December), else its latest run.
    """
    chosen: dict[int, AssessmentRun] = {}
    for run in AssessmentRun.objects.filter(programme=_viewed(access)).order_by(
        "year", "-created", "-id"
    ):
        year_end = run.as_of == dt.date(run.year, 12, 31)
        held = chosen.get(run.year)
        if held is None or (year_end and held.as_of != dt.date(run.year, 12, 31)):
            chosen[run.year] = run
    runs = [chosen[year] for year in sorted(chosen)]
    ids = [run.pk for run in runs]
    units = {
        u.run_id: u
        for u in UnitResult.objects.filter(run_id__in=ids, unit_type=unit_type, unit=unit)
    }
    values: dict[int, dict[str, IndicatorResult]] = {}
    for result in IndicatorResult.objects.filter(
        run_id__in=ids, unit_type=unit_type, unit=unit, indicator__in=TREND_INDICATORS
    ):
        values.setdefault(result.run_id, {})[result.indicator] = result
    return [TrendPoint(run, units.get(run.pk), values.get(run.pk, {})) for run in runs]


def result_get(*, run: AssessmentRun, indicator: str, unit_type: str, unit: str) -> IndicatorResult:
    """Return one stored result of a run, or raise Http404."""
    return get_object_or_404(
        IndicatorResult, run=run, indicator=indicator, unit_type=unit_type, unit=unit
    )


def alert_of(*, run: AssessmentRun, indicator: str, unit_type: str, unit: str) -> Alert | None:
    return Alert.objects.filter(
        run=run, indicator=indicator, unit_type=unit_type, unit=unit
    ).first()


def region_names(units: list[str]) -> dict[str, str]:
    """Return the names of the region codes in unit keys (`HELPER→RECIPIENT` holds two)."""
    return names_for(code for unit in units for code in unit.split(ARROW))


def latest_year(*, access: Access) -> int:
    """Return the latest year with a stored run, else the programme's last year."""
    programme = _viewed(access)
    found = (
        AssessmentRun.objects.filter(programme=programme)
        .order_by("-year")
        .values_list("year", flat=True)
        .first()
    )
    return found or programme.end_year


@dataclass
class RecordPage:
    """One page of the records of one table behind a number, loaded with what they show."""

    ledger: str
    model: type[models.Model]
    page: Page  # of record ids
    items: list[models.Model]  # the records of the page's ids, in id order
    pairing_keys: dict[int, str]


def record_pages(
    found: list[DrillRecords],
    *,
    pages: dict[str, str | None],
    size: int,
    page_of: Callable[[Paginator, str | None], Page] = Paginator.get_page,
) -> list[RecordPage]:
    """Return the asked-for page of each table's records (ids in order), one query a table.

    Only the page's ids go to the database: a county's members run to tens of thousands.
    `page_of` picks the page from the raw page number (a page refuses junk numbers).
    """
    loaded = []
    for records in found:
        page = page_of(Paginator(records.ids, size), pages.get(records.ledger))
        relations = [
            f.name
            for f in records.model._meta.concrete_fields
            if f.is_relation and f.name != "pairing"
        ]
        items = list(
            records.model._default_manager.filter(pk__in=list(page.object_list))
            .select_related(*relations)
            .order_by("pk")
        )
        pairing_ids = {getattr(item, "pairing_id", None) for item in items} - {None}
        keys = {p.pk: p.key for p in Pairing.objects.filter(pk__in=sorted(pairing_ids))}
        loaded.append(RecordPage(records.ledger, records.model, page, items, keys))
    return loaded
