"""Assessment runs and their results (the programme's published comparison: every caller who
may view the assessment reads them); running one queues it for the task worker."""

from datetime import date, datetime
from typing import Any, Literal

from django.http import HttpRequest
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
from ninja import Field, Query, Router, Schema, Status

from xiezuo.access import Verb
from xiezuo.api.auth import caller, caller_access
from xiezuo.api.errors import ApiError
from xiezuo.assessment.models import AssessmentRun
from xiezuo.assessment.selectors import run_get, run_list, run_payload
from xiezuo.assessment.tasks import run_assessment
from xiezuo.core.errors import ScopeError

router = Router(tags=["assessment"])

UnitType = Literal["pairing", "helper", "recipient", "programme"]


class RunOut(Schema):
    id: int
    year: int
    as_of: date
    engine: str
    who: str
    created: datetime


class UnitOut(Schema):
    unit_type: str
    unit: str
    score: float | None
    grade: str
    rank: int


class AlertOut(Schema):
    indicator: str
    unit_type: str
    unit: str
    level: str
    value: float | None
    expected: float | None


class RunDetailOut(RunOut):
    units: list[UnitOut]
    alerts: list[AlertOut]


class ResultOut(Schema):
    indicator: str
    unit_type: str
    unit: str
    value: float | None
    target: float | None
    weight: float | None
    score: float | None


class ResultFilters(Schema):
    unit_type: UnitType | None = None
    unit: str | None = Field(None, max_length=40, description="a region code, or a pairing key")
    indicator: str | None = Field(None, max_length=8)


class RunIn(Schema):
    year: int = Field(..., ge=1949, le=2100)
    as_of: date | None = Field(None, description="as of a date inside the year (alerts)")


class TaskOut(Schema):
    task: str
    status: str
    run: int | None
    error: str


def _run(run: AssessmentRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "year": run.year,
        "as_of": run.as_of,
        "engine": run.engine,
        "who": run.who,
        "created": run.created,
    }


def _run_of(request: HttpRequest, run_id: int) -> AssessmentRun:
    return run_get(access=caller_access(request), pk=run_id)


@router.get("/assessment/runs", response=list[RunOut])
def runs(request: HttpRequest, year: int | None = Query(None, ge=1949, le=2100)) -> object:
    """List the stored runs of the programme (of `year`), latest first."""
    access = caller_access(request)
    programme = access.programme
    if programme is None:
        raise ScopeError("没有项目")
    years = [year] if year is not None else sorted(programme.years, reverse=True)
    return [_run(run) for y in years for run in run_list(access=access, year=y)]


@router.get("/assessment/runs/{run_id}", response=RunDetailOut)
def run_detail(request: HttpRequest, run_id: int) -> object:
    """Return a run: its units' total scores, grades and ranks, and its alerts."""
    run = _run_of(request, run_id)
    payload = run_payload(run)
    return {**_run(run), "units": payload["units"], "alerts": payload["alerts"]}


@router.get("/assessment/runs/{run_id}/results", response=list[ResultOut])
def run_results(request: HttpRequest, run_id: int, filters: Query[ResultFilters]) -> object:
    """List a run's indicator results per unit: value, target, weight, score."""
    results = run_payload(_run_of(request, run_id))["results"]
    return [
        r
        for r in results
        if (filters.unit_type is None or r["unit_type"] == filters.unit_type)
        and (filters.unit is None or r["unit"] == filters.unit)
        and (filters.indicator is None or r["indicator"] == filters.indicator)
    ]


@router.post("/assessment/runs", response={202: TaskOut})
def run_start(request: HttpRequest, body: RunIn) -> object:
    """Queue the assessment of a year (the programme office); poll the task for its run."""
    access = caller_access(request)
    access.check(Verb.RUN_ASSESSMENT)
    programme = access.programme
    if programme is None or body.year not in programme.years:
        raise ApiError(400, "invalid_request", "年度不在项目期内")
    if body.as_of is not None and body.as_of.year != body.year:
        raise ApiError(400, "invalid_request", "截至日期应在考核年度内")
    user = caller(request)
    result = run_assessment.enqueue(
        programme.key, body.year, body.as_of.isoformat() if body.as_of else None, user.pk
    )
    return Status(202, _task(result))


@router.get("/assessment/tasks/{task_id}", response=TaskOut)
def run_task(request: HttpRequest, task_id: str) -> object:
    """Return a queued run's status, and its run once it succeeded."""
    access = caller_access(request)
    access.check(Verb.VIEW_ASSESSMENT)
    try:
        result = run_assessment.get_result(task_id)
    except (TaskResultDoesNotExist, TaskResultMismatch, ValueError):
        raise ScopeError("没有这个考核任务") from None
    if access.programme is None or result.args[0] != access.programme.key:
        raise ScopeError("没有这个考核任务")  # another programme's run
    return _task(result)


def _task(result: Any) -> dict[str, Any]:
    error = ""
    if result.status == TaskResultStatus.FAILED and result.errors:
        error = result.errors[-1].traceback.strip().splitlines()[-1]
    return {
        "task": str(result.id),
        "status": str(result.status),
        "run": result.return_value if result.status == TaskResultStatus.SUCCESSFUL else None,
        "error": error,
    }
