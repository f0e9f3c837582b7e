"""What a self-evaluation report says: one JSON-able dict per unit and year, and one for the
programme. Rendering (HTML, PDF, XLSX) and the frozen versions of a signed-off report depend on
this dict only, so a report re-renders the same years later.

Numbers are the run's stored figures as JSON numbers (int or float, as `run_payload`), with a
`*_text` twin formatted as the report prints it (`figure`): the stored value in full (6 places
at most, trailing zeros dropped, thousands separated), so the printed text equals the run's
JSON. Completion is value ÷ target × 100 (target ÷ value for a lower-is-better indicator),
rounded half up to one place. Dates are ISO strings.

Keys of `report_content` (kind "unit"):

    kind          "unit"
    programme     {key, name}
    year          int
    as_of         ISO date of the run
    generated     ISO date the content was made
    unit          {type, type_name, code, name, partners: [names], pairings: [{key, helper,
                  recipient, helper_name, recipient_name}]}
    summary       {score, score_text, grade, rank, of, max, max_text,
                   trend: [{year, score, score_text, grade, rank}], narrative: [sentences]}
    areas         [{key, name, score, score_text, max, max_text, narrative: [sentences],
                    indicators: [{key, name, value, value_text, target, target_text,
                                  completion, completion_text, score, score_text, max,
                                  max_text, unit, kind, direction,
                                  alert: null | {level, level_name, expected, expected_text},
                                  records: {count, top: [{ledger, id, label}]}}]}]
                  the six working areas (the outcomes area is `outcomes`)
    lags          [{indicator, name, level, level_name, text,
                    items: [{title, status, status_name, deadline, office}]}]
    annexes       {ledgers: [{ledger, title, columns: [str], rows: [[str]], count}]}
                  the records behind the figures, the first ANNEX_ROWS rows of each ledger
    outcomes      {indicators: [indicator as in areas], precision: {…} | null}
                  O1–O4 (recipient counties and helper districts: their counties' figures)
    paragraphs    [] the office's own paragraphs (filled by the sign-off)
    run           {id, finished (ISO datetime), engine}

Keys of `programme_content` (kind "programme"): programme, year, as_of, generated, summary
{score, score_text, grade, units: {helper, recipient}}, rankings {helper: [row], recipient:
[row]} with row {rank, code, name, score, score_text, grade, areas: {area: score_text}},
areas [{key, name, indicators: [indicator as above, programme's figures]}], map [{code, name,
value, value_text, grade, score, helpers: [names]}] (the counties), pairs [{key, helper,
recipient, helper_name, recipient_name, indicators: [{key, name, unit, value, value_text}]}],
paragraphs, run.
"""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db import models
from django.utils import timezone

from xiezuo.access import Access, Verb
from xiezuo.assessment import catalog
from xiezuo.assessment.models import (
    Alert,
    AssessmentRun,
    IndicatorResult,
    RectificationItem,
    UnitResult,
)
from xiezuo.assessment.selectors import UNIT_ORDER, unit_trend
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.programs.keys import ARROW
from xiezuo.regions.selectors import names_for

TOP_RECORDS = 5
ANNEX_ROWS = 50
ANNEX_COLUMNS = 8
OUTCOMES = "成效"
TYPE_NAMES = {"helper": "帮扶方", "recipient": "受援方", "pairing": "结对", "programme": "项目"}
LEVEL_NAMES = dict(Alert.Level.choices)
STATUS_NAMES = dict(RectificationItem.Status.choices)
# Columns an annex never shows: bookkeeping of the import and the ids.
HIDDEN_COLUMNS = {"id", "batch", "import_batch", "row_number", "created", "updated", "source"}


class ReportError(XiezuoError):
    """A report that cannot be made: no such unit in the run, no run for the year."""


# --- numbers ------------------------------------------------------------------------------------


def number(value: Decimal | None) -> int | float | None:
    """Return a stored figure as a JSON number (as `run_payload` does)."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


def figure(value: Decimal | int | float | None) -> str:
    """Return a figure as the report prints it: in full, trailing zeros dropped, thousands
    separated; "—" for none."""
    if value is None:
        return "—"
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    if d == d.to_integral_value():
        return f"{int(d):,}"
    return f"{d.normalize():,f}"


def score_text(value: Decimal | int | float | None) -> str:
    """Return a score to two places (as the run stores a total)."""
    if value is None:
        return "—"
    d = value if isinstance(value, Decimal) else Decimal(str(value))
    return f"{d.quantize(Decimal('0.01'), ROUND_HALF_UP):,}"


def completion(value: Decimal | None, target: Decimal | None, direction: str) -> Decimal | None:
    """Return value ÷ target × 100 (target ÷ value when lower is better), one place."""
    if value is None or target is None or target == 0:
        return None
    if direction == "lower":
        if value == 0:
            return None
        ratio = target / value
    else:
        ratio = value / target
    return (ratio * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


# --- the unit report ----------------------------------------------------------------------------


def report_content(*, access: Access, run: AssessmentRun, unit_type: str, unit: str) -> dict:
    """Return the content of one unit's self-evaluation report for the run's year.

    The caller must hold `view_reports` and reach the unit (its records and rectification
    items are read through its scope).
    """
    from xiezuo.reports import narrative

    access.check(Verb.VIEW_REPORTS)
    if access.programme is None or run.programme_id != access.programme.pk:
        raise ScopeError("没有可查看的项目")
    if (unit_type, unit) not in access.units:
        raise ScopeError(f"无权查看 {unit} 的自评报告", unit=unit)
    unit_result = UnitResult.objects.filter(run=run, unit_type=unit_type, unit=unit).first()
    if unit_result is None:
        raise ReportError(f"考核运行 #{run.pk} 中没有单位 {unit}", unit=unit)
    results = {
        r.indicator: r
        for r in IndicatorResult.objects.filter(run=run, unit_type=unit_type, unit=unit)
    }
    alerts = {a.indicator: a for a in Alert.objects.filter(run=run, unit_type=unit_type, unit=unit)}
    peers = UnitResult.objects.filter(run=run, unit_type=unit_type).count()
    pairings = _pairings_of(run, unit_type, unit)
    codes = {unit} | {c for p in pairings for c in (p[0], p[1])}
    names = names_for(codes)
    partners = _partners(unit_type, unit, pairings, names)
    unit_info = {
        "type": unit_type,
        "type_name": TYPE_NAMES.get(unit_type, unit_type),
        "code": unit,
        "name": names.get(unit, unit),
        "partners": partners,
        "pairings": [
            {
                "key": f"{h}{ARROW}{r}",
                "helper": h,
                "recipient": r,
                "helper_name": names.get(h, h),
                "recipient_name": names.get(r, r),
            }
            for h, r in pairings
        ],
    }
    records = unit_records(run, unit_type, unit, access=access)
    areas = []
    outcome_rows = []
    total_max = Decimal(0)
    for area in catalog.areas():
        rows = []
        area_score = Decimal(0)
        area_max = Decimal(0)
        for ind in catalog.indicators():
            if ind.area != area or unit_type not in ind.unit_types:
                continue
            result = results.get(ind.id)
            row = _indicator_row(ind, result, alerts.get(ind.id), records.get(ind.id, {}))
            rows.append(row)
            if result is not None and result.score is not None:
                area_score += result.score
            if result is not None and result.weight is not None and result.target is not None:
                area_max += result.weight
        if area == OUTCOMES:
            outcome_rows = rows
            continue
        total_max += area_max
        areas.append(
            {
                "key": area,
                "name": area,
                "score": number(area_score),
                "score_text": score_text(area_score),
                "max": number(area_max),
                "max_text": score_text(area_max),
                "indicators": rows,
            }
        )
    trend = [
        {
            "year": point.run.year,
            "score": number(point.unit.score),
            "score_text": score_text(point.unit.score),
            "grade": point.unit.grade,
            "rank": point.unit.rank,
        }
        for point in unit_trend(access=access, unit_type=unit_type, unit=unit)
        if point.unit is not None and point.run.year <= run.year
    ]
    content: dict[str, Any] = {
        "kind": "unit",
        "programme": {"key": run.programme.key, "name": run.programme.name},
        "year": run.year,
        "as_of": run.as_of.isoformat(),
        "generated": timezone.localdate().isoformat(),
        "unit": unit_info,
        "summary": {
            "score": number(unit_result.score),
            "score_text": score_text(unit_result.score),
            "grade": unit_result.grade,
            "rank": unit_result.rank,
            "of": peers,
            "max": number(total_max),
            "max_text": score_text(total_max),
            "trend": trend,
            "narrative": [],
        },
        "areas": areas,
        "lags": _lags(run, unit_type, unit, alerts, access=access),
        "annexes": {"ledgers": _annexes(records, access=access)},
        "outcomes": {
            "indicators": outcome_rows,
            "precision": _precision(access=access, run=run, unit_type=unit_type, unit=unit),
        },
        "paragraphs": [],
        "run": {
            "id": run.pk,
            "finished": run.created.isoformat() if run.created else None,
            "engine": run.engine,
        },
    }
    _label_records(content)
    narrative.fill(content)
    return content


def _indicator_row(
    ind: catalog.Indicator,
    result: IndicatorResult | None,
    alert: Alert | None,
    found: dict[str, list[int]],
) -> dict[str, Any]:
    value = result.value if result else None
    target = result.target if result else None
    done = completion(value, target, ind.direction)
    weight = result.weight if result and result.target is not None else None
    ids = [(ledger, pk) for ledger, pks in found.items() for pk in pks]
    return {
        "key": ind.id,
        "name": ind.name_zh,
        "unit": ind.unit,
        "kind": ind.kind,
        "direction": ind.direction,
        "value": number(value),
        "value_text": figure(value),
        "target": number(target),
        "target_text": figure(target) if target is not None else "无目标",
        "completion": number(done),
        "completion_text": f"{done}" if done is not None else "—",
        "score": number(result.score) if result else None,
        "score_text": figure(result.score) if result and result.score is not None else "—",
        "max": number(weight),
        "max_text": figure(weight) if weight is not None else "—",
        "alert": None
        if alert is None
        else {
            "level": alert.level,
            "level_name": LEVEL_NAMES.get(alert.level, alert.level),
            "expected": number(alert.expected),
            "expected_text": figure(alert.expected),
        },
        "records": {
            "count": len(ids),
            "by_ledger": {ledger: len(pks) for ledger, pks in found.items()},
            "top": [{"ledger": ledger, "id": pk, "label": ""} for ledger, pk in ids[:TOP_RECORDS]],
        },
    }


def _pairings_of(run: AssessmentRun, unit_type: str, unit: str) -> list[tuple[str, str]]:
    keys = (
        IndicatorResult.objects.filter(run=run, unit_type="pairing")
        .values_list("unit", flat=True)
        .distinct()
    )
    pairs: list[tuple[str, str]] = sorted({(k.split(ARROW)[0], k.split(ARROW)[-1]) for k in keys})
    if unit_type == "helper":
        return [(h, r) for h, r in pairs if h == unit]
    if unit_type == "recipient":
        return [(h, r) for h, r in pairs if r == unit]
    if unit_type == "pairing":
        return [(h, r) for h, r in pairs if f"{h}{ARROW}{r}" == unit]
    return pairs


def _partners(
    unit_type: str, unit: str, pairings: list[tuple[str, str]], names: dict[str, str]
) -> list[str]:
    if unit_type == "helper":
        return [names.get(r, r) for _, r in pairings]
    if unit_type == "recipient":
        return [names.get(h, h) for h, _ in pairings]
    return []


# --- records behind the figures -----------------------------------------------------------------


def unit_records(
    run: AssessmentRun, unit_type: str, unit: str, *, access: Access
) -> dict[str, dict[str, list[int]]]:
    """Return {indicator: {ledger: record ids}} behind every figure of a unit in a run.

    The same rule as `assessment.selectors.drilldown`, on one connection for all indicators:
    each indicator's expression again on the run's engine and date, filtered to the unit's
    pairings (or their counties). The caller must reach every pairing of the unit.
    """
    from xiezuo.assessment import engines, evaluation

    found: dict[str, dict[str, list[int]]] = {}
    snapshot = run.parameters.get("snapshot")
    with engines.connect(run.engine, snapshot=snapshot) as tables:
        units = evaluation.programme_units(tables, programme=run.programme.key, year=run.year)
        pairings = units.pairings_of(unit_type, unit)
        if not access.authenticated or not {p.id for p in pairings} <= access.pairing_ids:
            raise ScopeError(f"无权查看 {unit} 的考核明细", unit=unit)
        for ind in catalog.indicators():
            if unit_type not in ind.unit_types:
                continue
            rows, grain = evaluation.restrict(
                tables,
                evaluation.record_rows(tables, ind, year=run.year, as_of=run.as_of),
                units,
            )
            if grain == "pairing_id":
                rows = rows.filter(rows.pairing_id.isin([p.id for p in pairings]))
            else:
                rows = rows.filter(rows.county.isin(sorted({p.recipient for p in pairings})))
            grouped: dict[str, list[int]] = {}
            for row in evaluation.fetch(
                rows.select("ledger", "record_id").distinct().order_by("ledger", "record_id")
            ):
                grouped.setdefault(row["ledger"], []).append(int(row["record_id"]))
            found[ind.id] = grouped
    return found


def _columns(model: type[models.Model]) -> list[models.Field]:
    label = model._meta.label
    personal = Access.personal(label)
    hidden = set(personal.fields) if personal else set()
    fields = [
        f
        for f in model._meta.concrete_fields
        if f.name not in HIDDEN_COLUMNS and f.name not in hidden and f.attname not in hidden
    ]
    return fields[:ANNEX_COLUMNS]


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return figure(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)


def _annexes(records: dict[str, dict[str, list[int]]], *, access: Access) -> list[dict]:
    """Return the ledger extracts: per ledger the distinct records behind any figure, the
    first ANNEX_ROWS of them (by id) as text, and their count. Personal fields are left out."""
    from xiezuo.assessment.tables import model_of

    by_ledger: dict[str, set[int]] = {}
    for grouped in records.values():
        for ledger, ids in grouped.items():
            by_ledger.setdefault(ledger, set()).update(ids)
    annexes = []
    for ledger in sorted(by_ledger):
        model = model_of(ledger)
        fields = _columns(model)
        ids = sorted(by_ledger[ledger])
        shown = ids[:ANNEX_ROWS]
        rows = list(
            model._default_manager.filter(pk__in=shown)
            .order_by("pk")
            .values_list("pk", *(f.attname for f in fields))
        )
        annexes.append(
            {
                "ledger": ledger,
                "title": str(model._meta.verbose_name),
                "columns": [str(f.verbose_name) for f in fields],
                "ids": [row[0] for row in rows],
                "rows": [[_cell(v) for v in row[1:]] for row in rows],
                "count": len(ids),
            }
        )
    return annexes


def _label_records(content: dict) -> None:
    """Give each indicator's top records the label of their annex row (first columns)."""
    rows: dict[tuple[str, int], str] = {}
    for annex in content["annexes"]["ledgers"]:
        for pk, row in zip(annex["ids"], annex["rows"], strict=True):
            rows[(annex["ledger"], pk)] = " · ".join(c for c in row[:3] if c)
    for area in [*content["areas"], {"indicators": content["outcomes"]["indicators"]}]:
        for ind in area["indicators"]:
            for item in ind["records"]["top"]:
                item["label"] = rows.get(
                    (item["ledger"], item["id"]), f"{item['ledger']} #{item['id']}"
                )


# --- lags ---------------------------------------------------------------------------------------


def _lags(
    run: AssessmentRun, unit_type: str, unit: str, alerts: dict[str, Alert], *, access: Access
) -> list[dict]:
    items: dict[str, list[RectificationItem]] = {}
    if (unit_type, unit) in access.units:
        for item in RectificationItem.objects.filter(run=run, unit_type=unit_type, unit=unit):
            items.setdefault(item.indicator, []).append(item)
    order = {ind.id: n for n, ind in enumerate(catalog.indicators())}
    lags = []
    for key in sorted(set(alerts) | set(items), key=lambda k: order.get(k, 99)):
        alert = alerts.get(key)
        ind = catalog.indicator(key)
        lags.append(
            {
                "indicator": key,
                "name": ind.name_zh,
                "level": alert.level if alert else "",
                "level_name": LEVEL_NAMES.get(alert.level, "") if alert else "",
                "value": number(alert.value) if alert else None,
                "value_text": figure(alert.value) if alert else "—",
                "expected": number(alert.expected) if alert else None,
                "expected_text": figure(alert.expected) if alert else "—",
                "text": "",
                "items": [
                    {
                        "title": item.finding,
                        "status": item.status,
                        "status_name": STATUS_NAMES.get(item.status, item.status),
                        "deadline": item.deadline.isoformat(),
                        "office": item.responsible_office,
                    }
                    for item in items.get(key, [])
                ],
            }
        )
    return lags


def _precision(*, access: Access, run: AssessmentRun, unit_type: str, unit: str) -> dict | None:
    """Return the precision and monitoring figures of a county when the project has them."""
    if unit_type != "recipient":
        return None
    return None


# --- the programme report -----------------------------------------------------------------------


def programme_content(*, access: Access, run: AssessmentRun) -> dict:
    """Return the content of the programme's report: rankings per side, the county map data,
    the pairs side by side, and the programme's figures per area."""
    from xiezuo.reports import narrative

    access.check(Verb.VIEW_REPORTS)
    if access.programme is None or run.programme_id != access.programme.pk:
        raise ScopeError("没有可查看的项目")
    results = list(run.results.all())
    units = sorted(run.units.all(), key=lambda u: (UNIT_ORDER[u.unit_type], u.rank, u.unit))
    codes = {c for u in units for c in u.unit.split(ARROW)}
    codes |= {c for r in results for c in r.unit.split(ARROW)}
    names = names_for(codes)
    area_of = {i.id: i.area for i in catalog.indicators()}
    area_scores: dict[tuple[str, str], dict[str, Decimal]] = {}
    by_unit: dict[tuple[str, str], dict[str, IndicatorResult]] = {}
    for r in results:
        by_unit.setdefault((r.unit_type, r.unit), {})[r.indicator] = r
        if r.score is not None:
            scores = area_scores.setdefault((r.unit_type, r.unit), {})
            area = area_of.get(r.indicator, "")
            scores[area] = scores.get(area, Decimal(0)) + r.score
    work_areas = [a for a in catalog.areas() if a != OUTCOMES]
    rankings: dict[str, list[dict]] = {"helper": [], "recipient": []}
    for u in units:
        if u.unit_type not in rankings:
            continue
        scores = area_scores.get((u.unit_type, u.unit), {})
        rankings[u.unit_type].append(
            {
                "rank": u.rank,
                "code": u.unit,
                "name": names.get(u.unit, u.unit),
                "score": number(u.score),
                "score_text": score_text(u.score),
                "grade": u.grade,
                "areas": {a: score_text(scores[a]) if a in scores else "—" for a in work_areas},
            }
        )
    programme_unit = next((u for u in units if u.unit_type == "programme"), None)
    key = run.programme.key
    programme_results = by_unit.get(("programme", key), {})
    areas = []
    for area in catalog.areas():
        rows = [
            _indicator_row(ind, programme_results.get(ind.id), None, {})
            for ind in catalog.indicators()
            if ind.area == area
        ]
        areas.append({"key": area, "name": area, "indicators": rows, "narrative": []})
    pairs_keys = sorted(u for t, u in by_unit if t == "pairing")
    helpers_of: dict[str, list[str]] = {}
    pairs = []
    for pair in pairs_keys:
        helper, recipient = pair.split(ARROW)[0], pair.split(ARROW)[-1]
        helpers_of.setdefault(recipient, []).append(names.get(helper, helper))
        figures = by_unit[("pairing", pair)]
        pairs.append(
            {
                "key": pair,
                "helper": helper,
                "recipient": recipient,
                "helper_name": names.get(helper, helper),
                "recipient_name": names.get(recipient, recipient),
                "indicators": [
                    {
                        "key": ind.id,
                        "name": ind.name_zh,
                        "unit": ind.unit,
                        "value": number(figures[ind.id].value) if ind.id in figures else None,
                        "value_text": figure(figures[ind.id].value) if ind.id in figures else "—",
                    }
                    for ind in catalog.indicators()
                    if ind.id in figures
                ],
            }
        )
    county_map = []
    for row in rankings["recipient"]:
        o1 = by_unit.get(("recipient", row["code"]), {}).get("O1")
        county_map.append(
            {
                "code": row["code"],
                "name": row["name"],
                "score": row["score"],
                "score_text": row["score_text"],
                "grade": row["grade"],
                "rank": row["rank"],
                "value": number(o1.value) if o1 else None,
                "value_text": figure(o1.value) if o1 else "—",
                "helpers": helpers_of.get(row["code"], []),
            }
        )
    content: dict[str, Any] = {
        "kind": "programme",
        "programme": {"key": key, "name": run.programme.name},
        "year": run.year,
        "as_of": run.as_of.isoformat(),
        "generated": timezone.localdate().isoformat(),
        "summary": {
            "score": number(programme_unit.score) if programme_unit else None,
            "score_text": score_text(programme_unit.score) if programme_unit else "—",
            "grade": programme_unit.grade if programme_unit else "",
            "units": {side: len(rows) for side, rows in rankings.items()},
            "narrative": [],
        },
        "rankings": rankings,
        "work_areas": work_areas,
        "areas": areas,
        "map": county_map,
        "pairs": pairs,
        "paragraphs": [],
        "run": {
            "id": run.pk,
            "finished": run.created.isoformat() if run.created else None,
            "engine": run.engine,
        },
    }
    narrative.fill(content)
    return content


# --- which run, which units ---------------------------------------------------------------------


def run_for(*, access: Access, year: int, run_id: int | None = None) -> AssessmentRun:
    """Return the run a year's reports come from: `run_id`, else the year's latest run."""
    access.check(Verb.VIEW_REPORTS)
    if access.programme is None:
        raise ScopeError("没有可查看的项目")
    runs = AssessmentRun.objects.filter(programme=access.programme, year=year)
    if run_id is not None:
        run = runs.filter(pk=run_id).first()
        if run is None:
            raise ReportError(f"{year} 年度没有编号为 {run_id} 的考核运行", run=run_id)
        return run
    run = runs.first()
    if run is None:
        raise ReportError(f"{year} 年度还没有考核运行：请先运行 xiezuo assess --year {year}")
    return run


def report_units(
    run: AssessmentRun, *, unit: str | None = None, every: bool = False
) -> list[tuple[str, str, str]]:
    """Return (unit type, code, name) of the reports asked for: one unit, every helper district
    and recipient county then the programme (`every`), or the programme only (neither).
    The programme's entry is ("programme", "programme", its name)."""
    rows = sorted(
        run.units.filter(unit_type__in=("helper", "recipient")).values_list("unit_type", "unit"),
        key=lambda r: (UNIT_ORDER[r[0]], r[1]),
    )
    names = names_for(code for _, code in rows)
    programme = ("programme", "programme", run.programme.name)
    if unit is not None:
        found = [(t, c, names.get(c, c)) for t, c in rows if c == unit]
        if not found:
            raise ReportError(
                f"单位代码 {unit} 不是 {run.year} 年度考核的帮扶方或受援方", unit=unit
            )
        return found
    if every:
        return [*((t, c, names.get(c, c)) for t, c in rows), programme]
    return [programme]
