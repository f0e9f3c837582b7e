"""Reads of stored assessment runs for the pages: one selector per page, a few queries each.

Scores, grades and ranks are the programme's published comparison among peers: every viewer of
the scorecard reads them. Records behind a number (drill-down) and rectification items go
through the caller's scope (`assessment.selectors.drilldown`, `rectification_selectors`).
"""

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import Page, Paginator
from django.db import models
from django.shortcuts import get_object_or_404

from xiezuo.assessment.models import Alert, AssessmentRun, IndicatorResult, UnitResult
from xiezuo.assessment.selectors import DrillRecords
from xiezuo.core.scope import Scope
from xiezuo.ledgers.models import Secondment
from xiezuo.ledgers.selectors import ledger_records
from xiezuo.programs.models import Pairing, Programme
from xiezuo.regions.models import Region
from xiezuo.web import params

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


def pairing_secondments(
    *, scope: Scope, programme: Programme, pairing_key: str, year: int
) -> PairingSecondments:
    """Return the secondments of the pairing `HELPER→RECIPIENT` in post during `year`."""
    helper, _, recipient = pairing_key.partition("→")
    records = (
        ledger_records(scope=scope, model=Secondment, year=year)
        .filter(pairing__programme=programme, pairing__helper_id=helper)
        .filter(pairing__recipient_id=recipient)
        .order_by("-direction", "start_date", "id")
    )
    return PairingSecondments(list(records))


def run_list(*, programme: Programme, year: int) -> list[AssessmentRun]:
    """Return the stored runs of a programme-year, latest first."""
    return list(AssessmentRun.objects.filter(programme=programme, year=year))


def run_get(*, programme: Programme, pk: int) -> AssessmentRun:
    """Return a run of the programme, or raise Http404."""
    return get_object_or_404(
        AssessmentRun.objects.select_related("programme"), programme=programme, pk=pk
    )


def _pick(runs: list[AssessmentRun], run_id: int | None) -> AssessmentRun | None:
    if run_id is not None:
        for run in runs:
            if run.pk == run_id:
                return run
    return runs[0] if runs else None


def scorecard(
    *, programme: Programme, year: int, side: str, run_id: int | None = None
) -> Scorecard:
    """Return the scorecard of one side (pairing, helper, recipient) for a programme-year.

    The run shown is `run_id` when it belongs to the year, else the year's latest run.
    """
    runs = run_list(programme=programme, year=year)
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
    *, programme: Programme, unit_type: str, unit: str, year: int, run_id: int | None = None
) -> UnitProfile:
    """Return one unit in the chosen run of a year, with its trend over the programme's years."""
    runs = run_list(programme=programme, year=year)
    run = _pick(runs, run_id)
    trend = unit_trend(programme=programme, unit_type=unit_type, unit=unit)
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


def unit_trend(*, programme: Programme, unit_type: str, unit: str) -> list[TrendPoint]:
    """Return a unit's total and key indicators in each year that has a stored run.

    A year is represented by its latest year-end run (as of 31 December), else its latest run.
    """
    chosen: dict[int, AssessmentRun] = {}
    for run in AssessmentRun.objects.filter(programme=programme).order_by(
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
    codes = {code for unit in units for code in unit.split("→")}
    return dict(Region.objects.filter(code__in=sorted(codes)).values_list("code", "name"))


def latest_year(*, programme: Programme) -> int:
    """Return the latest year with a stored run, else the programme's last year."""
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
    found: list[DrillRecords], *, pages: dict[str, str | None], size: int
) -> list[RecordPage]:
    """Return the asked-for page of each table's records (ids in order), one query a table.

    Only the page's ids go to the database: a county's members run to tens of thousands.
    """
    loaded = []
    for records in found:
        page = params.page(Paginator(records.ids, size), pages.get(records.ledger))
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
