"""Cross-check flags (docs/crosscheck.md): the review queue of a year in the counties the
caller reaches, one flag's evidence side by side, and the decisions — confirm (with a reason
and a deadline for correction) or dismiss (with a reason) — by the offices that may review
the flag's county. ID numbers and birth dates are masked as the pages mask them."""

import contextlib
import dataclasses
from collections.abc import Iterator
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from xiezuo.api.auth import caller_access
from xiezuo.api.errors import ApiError
from xiezuo.api.listing import STREAMED, ListParams, listing
from xiezuo.crosscheck import selectors
from xiezuo.crosscheck.models import CrossCheckFlag
from xiezuo.crosscheck.services import ReviewError, flag_confirm, flag_dismiss

router = Router(tags=["crosscheck"])

YEAR = Path(..., ge=1949, le=2100)
if TYPE_CHECKING:
    Status = str
    Rule = str
else:
    Status = Literal[tuple(CrossCheckFlag.Status.values)]
    Rule = Literal[tuple(selectors.RULES)]


class FlagOut(Schema):
    id: int
    year: int
    household: str = Field(..., description="户编号")
    village: str
    member_name: str
    person: str = Field(..., description="the member's 证件号码 as registered (masked per role)")
    rule: str
    rule_label: str
    source: str
    match: str
    score: float
    severity: str
    status: str
    status_label: str
    current: bool = Field(..., description="false once a later run no longer produced it")
    deadline: date | None
    overdue: bool
    masked: bool
    reason: str
    decided_at: datetime | None
    decided_by: str


class FlagPage(Schema):
    items: list[FlagOut]
    next: str | None


class ComparedOut(Schema):
    label: str
    registry: str
    listed: str
    differs: bool
    note: str


class FlagDetail(FlagOut):
    compared: list[ComparedOut]
    other: list[tuple[str, str]] = Field(..., description="the list row's other fields")
    explanation: str


class FlagFilters(ListParams):
    county: str | None = Field(None, pattern=r"^[0-9]{6}$", description="县级区划代码")
    village: str | None = Field(None, pattern=r"^[0-9]{12}$", description="村级区划代码")
    rule: Rule | None = None
    status: Status | None = None


class ConfirmIn(Schema):
    reason: str = Field(..., max_length=2000)
    deadline: date = Field(..., description="整改期限: today or later")


class DismissIn(Schema):
    reason: str = Field(..., max_length=2000)


def _flag(row: selectors.FlagRow, flag: CrossCheckFlag) -> dict[str, Any]:
    shown = dataclasses.asdict(row)
    return {
        "id": shown.pop("pk"),
        "household": shown.pop("household_no"),
        **shown,
        "reason": flag.reason,
        "decided_at": flag.decided_at,
        "decided_by": flag.decided_by_name,
    }


def _detail(access: Any, flag: CrossCheckFlag) -> dict[str, Any]:
    (row,) = selectors.flag_rows(access=access, flags=[flag])
    evidence = selectors.flag_evidence(access=access, flag=flag)
    return {
        **_flag(row, flag),
        "compared": [dataclasses.asdict(c) for c in evidence.compared],
        "other": evidence.other,
        "explanation": evidence.explanation,
    }


@router.get("/crosscheck/{year}/flags", response=FlagPage, openapi_extra={"responses": STREAMED})
def flag_list(request: HttpRequest, filters: Query[FlagFilters], year: int = YEAR) -> object:
    """List a year's cross-check flags in the counties the caller reaches (or one county, one
    village), by rule and status."""
    access = caller_access(request)
    rows = selectors.flags_list(
        access=access,
        year=year,
        county=filters.county,
        village=filters.village,
        rule=filters.rule,
        status=filters.status,
    )

    def shape(flags: QuerySet[CrossCheckFlag]) -> list[dict[str, Any]]:
        read = list(flags)
        shown = selectors.flag_rows(access=access, flags=read)
        return [_flag(row, flag) for row, flag in zip(shown, read, strict=True)]

    return listing(
        request,
        rows,
        filters,
        key="pk",
        shape=shape,
        fields=list(FlagOut.model_fields),
        name="crosscheck",
    )


@router.get("/crosscheck/flags/{flag_id}", response=FlagDetail)
def flag_detail(request: HttpRequest, flag_id: int) -> object:
    """Return one flag the caller reads, with the registry row beside the list row."""
    access = caller_access(request)
    return _detail(access, selectors.flag_get(access=access, pk=flag_id))


@router.post("/crosscheck/flags/{flag_id}/confirm", response=FlagDetail)
def flag_confirm_view(request: HttpRequest, flag_id: int, body: ConfirmIn) -> object:
    """Confirm a pending flag: the household is to be corrected by the deadline (the register
    itself is not changed); audited."""
    access = caller_access(request)
    flag = selectors.flag_get(access=access, pk=flag_id)
    with _decision():
        flag_confirm(access=access, flag=flag, reason=body.reason, deadline=body.deadline)
    return _detail(access, selectors.flag_get(access=access, pk=flag_id))


@router.post("/crosscheck/flags/{flag_id}/dismiss", response=FlagDetail)
def flag_dismiss_view(request: HttpRequest, flag_id: int, body: DismissIn) -> object:
    """Dismiss a pending flag (not a problem of the register) for a reason; audited."""
    access = caller_access(request)
    flag = selectors.flag_get(access=access, pk=flag_id)
    with _decision():
        flag_dismiss(access=access, flag=flag, reason=body.reason)
    return _detail(access, selectors.flag_get(access=access, pk=flag_id))


@contextlib.contextmanager
def _decision() -> Iterator[None]:
    """Answer 409 for a flag decided already; other refusals stay 400 (`invalid_request`)."""
    try:
        yield
    except ReviewError as error:
        if "status" in error.extra:
            raise ApiError(409, "conflict", error.message) from error
        raise
