"""Rectification (整改) items: those of the units the caller reaches; progress recorded by the
offices on units they reach."""

from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Literal

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from xiezuo.api.auth import caller_access
from xiezuo.api.listing import STREAMED, ListParams, listing
from xiezuo.assessment.models import RectificationItem
from xiezuo.assessment.rectification.selectors import rectification_get, rectification_list
from xiezuo.assessment.rectification.services import rectification_update

router = Router(tags=["rectification"])

if TYPE_CHECKING:
    Status = str
else:
    Status = Literal[tuple(RectificationItem.Status.values)]
UnitType = Literal["pairing", "helper", "recipient", "programme"]


class ItemOut(Schema):
    id: int
    run: int
    year: int
    unit_type: str
    unit: str = Field(..., description="a region code, a pairing key, or the programme's key")
    indicator: str
    finding: str
    responsible_office: str
    deadline: date
    status: str
    note: str
    records: list[dict[str, Any]]
    created: datetime
    updated: datetime


class ItemPage(Schema):
    items: list[ItemOut]
    next: str | None


class ItemFilters(ListParams):
    run: int | None = Field(None, ge=1)
    unit_type: UnitType | None = None
    unit: str | None = Field(None, max_length=40)
    status: Status | None = None
    overdue: bool | None = None


class ItemIn(Schema):
    status: Status | None = None
    note: str | None = Field(None, max_length=5000)


def _item(item: RectificationItem) -> dict[str, Any]:
    return {
        "id": item.pk,
        "run": item.run_id,
        "year": item.run.year,
        "unit_type": item.unit_type,
        "unit": item.unit,
        "indicator": item.indicator,
        "finding": item.finding,
        "responsible_office": item.responsible_office,
        "deadline": item.deadline,
        "status": item.status,
        "note": item.note,
        "records": item.records,
        "created": item.created,
        "updated": item.updated,
    }


def _shape(items: QuerySet[RectificationItem]) -> list[dict[str, Any]]:
    return [_item(item) for item in items]


@router.get("/rectification", response=ItemPage, openapi_extra={"responses": STREAMED})
def item_list(request: HttpRequest, filters: Query[ItemFilters]) -> object:
    """List the rectification items of the units the caller reaches."""
    access = caller_access(request)
    rows = rectification_list(
        access=access,
        unit_type=filters.unit_type,
        unit=filters.unit,
        status=filters.status,
        overdue=filters.overdue,
    )
    if filters.run is not None:
        rows = rows.filter(run_id=filters.run)
    fields = [f for f in ItemOut.model_fields if f != "records"]
    return listing(
        request, rows, filters, key="pk", shape=_shape, fields=fields, name="rectification"
    )


@router.get("/rectification/{item_id}", response=ItemOut)
def item_detail(request: HttpRequest, item_id: int) -> object:
    """Return one rectification item the caller reaches."""
    return _item(rectification_get(access=caller_access(request), pk=item_id))


@router.patch("/rectification/{item_id}", response=ItemOut)
def item_update(request: HttpRequest, item_id: int, body: ItemIn) -> object:
    """Record progress on an item: its status and note (an item is done only with evidence)."""
    access = caller_access(request)
    item = rectification_get(access=access, pk=item_id)
    updated = rectification_update(access=access, item=item, status=body.status, note=body.note)
    return _item(RectificationItem.objects.select_related("run").get(pk=updated.pk))
