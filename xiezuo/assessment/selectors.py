"""Reads of the assessment: stored runs, their JSON form, and drill-down to the records."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import models

from xiezuo.assessment import catalog
from xiezuo.assessment.models import AssessmentRun
from xiezuo.assessment.tables import model_of
from xiezuo.core.errors import ScopeError
from xiezuo.core.scope import Scope
from xiezuo.ledgers.selectors import visible_pairing_ids
from xiezuo.programs.models import Programme

UNIT_ORDER = {"pairing": 0, "helper": 1, "recipient": 2, "programme": 3}


def run_latest(*, programme: Programme, year: int) -> AssessmentRun | None:
    """Return the latest stored run of a programme-year, None when there is none."""
    return AssessmentRun.objects.filter(programme=programme, year=year).first()


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
    scope: Scope | None = None,
) -> list[DrillRecords]:
    """Return the records behind one indicator's value for one unit, per table.

    The indicator's expression is evaluated again on the run's engine (its snapshot, if any)
    and filtered to the unit's pairings, or to their counties for registry outcomes. A growth
    lists the records of both years; a rate those of its numerator and denominator. With a
    `scope`, the caller must see every pairing of the unit (`ScopeError` otherwise); without
    one the caller is trusted (the command line).
    """
    from xiezuo.assessment import engines, evaluation  # Ibis: loaded when a drill-down runs

    params = _params(run_or_params)
    item = catalog.indicator(indicator)
    with engines.connect(params.engine, snapshot=params.snapshot) as tables:
        units = evaluation.programme_units(tables, programme=params.programme, year=params.year)
        pairings = units.pairings_of(unit_type, unit)
        if scope is not None:
            visible = visible_pairing_ids(scope=scope)
            if not {p.id for p in pairings} <= visible:
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
