"""Every ledger of the catalog, one list route each: `/api/ledgers/<key>`.

Rows are read through the same scoped selector the export uses (`ingest.records`), shown with
the catalog's field names (a region or household column by its code or 户编号), personal
fields masked per `Access.mask`. Reading a ledger that holds personal fields is written to the
audit log.
"""

from collections.abc import Callable
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import create_model

from xiezuo.access import Access
from xiezuo.access.audit import audit
from xiezuo.access.models import AuditEvent
from xiezuo.api.auth import caller_access
from xiezuo.api.errors import ApiError
from xiezuo.api.listing import STREAMED, YearFilters, listing
from xiezuo.ingest.catalog import Column, Ledger, ledgers
from xiezuo.ingest.records import FilterError, ledger_records_for
from xiezuo.ingest.writing import ledger_rows

router = Router(tags=["ledgers"])

_TYPES: dict[str, type] = {"int": int, "year": int, "decimal": float, "date": date, "bool": bool}


class ColumnOut(Schema):
    name: str
    header: str
    type: str
    codelist: str | None


class LedgerOut(Schema):
    key: str
    title: str
    natural_key: list[str]
    columns: list[ColumnOut]
    personal: list[str]


def column_name(column: Column) -> str:
    """Return the name a column has in the API: its field, without `_id`."""
    return column.field.removesuffix("_id")


def _personal(ledger: Ledger) -> set[str]:
    personal = Access.personal(ledger.model)
    return set(personal.fields) if personal else set()


def _row_schema(ledger: Ledger) -> type[Schema]:
    """Return the schema of one row of `ledger`: every column, each may be empty.

    A personal field is text (a masked birth date reads "58岁")."""
    personal = _personal(ledger)
    fields: dict[str, Any] = {}
    for column in ledger.columns:
        kind = str if column.field in personal else _TYPES.get(column.type, str)
        fields[column_name(column)] = (kind | None, None)
    assert len(fields) == len(ledger.columns), f"{ledger.key}: column names collide"
    name = "".join(part.title() for part in ledger.key.split("_"))
    return create_model(f"{name}Row", __base__=Schema, **fields)


def _shape(ledger: Ledger, access: Access) -> Callable[[QuerySet[Any]], list[dict]]:
    names = [column_name(c) for c in ledger.columns]
    personal = _personal(ledger)
    as_text = {i for i, c in enumerate(ledger.columns) if c.field in personal}
    bools = {i for i, c in enumerate(ledger.columns) if c.type == "bool"}

    def shape(rows: QuerySet[Any]) -> list[dict]:
        out = []
        for cells in ledger_rows(ledger, rows, access):
            for i in bools:
                cells[i] = None if cells[i] is None else cells[i] == "是"
            for i in as_text:
                value = cells[i]
                if isinstance(value, date):
                    cells[i] = value.isoformat()
                elif value is not None:
                    cells[i] = str(value)
            out.append(dict(zip(names, cells, strict=True)))
        return out

    return shape


def _route(ledger: Ledger) -> None:
    row = _row_schema(ledger)
    page = create_model(
        f"{row.__name__}Page",
        __base__=Schema,
        items=(list[row], ...),  # type: ignore[valid-type]
        next=(str | None, ...),
    )
    names = [column_name(c) for c in ledger.columns]
    personal = bool(_personal(ledger))

    def ledger_list(request: HttpRequest, filters: Query[YearFilters]) -> object:
        access = caller_access(request)
        try:
            rows = ledger_records_for(
                ledger, access=access, region=filters.region, year=filters.year
            )
        except FilterError as error:
            raise ApiError(400, "invalid_filter", error.message) from None

        def on_read(count: int) -> None:
            if personal:
                audit(
                    access=access,
                    action=AuditEvent.Action.API_READ,
                    what=f"/api/ledgers/{ledger.key}",
                    rows=count,
                    region=filters.region,
                )

        return listing(
            request,
            rows,
            filters,
            key="pk",
            shape=_shape(ledger, access),
            fields=names,
            name=ledger.key,
            on_read=on_read,
        )

    ledger_list.__doc__ = f"List the rows of the ledger 「{ledger.title}」 the caller reads."
    router.get(
        f"/ledgers/{ledger.key}",
        response=page,
        operation_id=f"ledger_{ledger.key}",
        summary=f"{ledger.title} ({ledger.key})",
        openapi_extra={"responses": STREAMED},
    )(ledger_list)


for _ledger in ledgers().values():
    _route(_ledger)


@router.get("/ledgers", response=list[LedgerOut])
def ledger_catalog(request: HttpRequest) -> object:
    """List the ledgers: key, title, natural key and columns (name, Chinese header, type)."""
    caller_access(request)
    return [
        {
            "key": ledger.key,
            "title": ledger.title,
            "natural_key": [column_name(ledger.column(h)) for h in ledger.natural_key],
            "columns": [
                {"name": column_name(c), "header": c.header, "type": c.type, "codelist": c.codelist}
                for c in ledger.columns
            ],
            "personal": sorted(
                column_name(c) for c in ledger.columns if c.field in _personal(ledger)
            ),
        }
        for ledger in ledgers().values()
    ]
