"""Lists: pages by an opaque cursor, or the whole list streamed as CSV or JSON Lines.

A page is `{"items": […], "next": CURSOR | null}`; pass `cursor=CURSOR` for the next one. The
cursor is the last key of the page, signed (a cursor this API did not give is refused), and
pages are taken by key (keyset), never by offset, so a page costs the same anywhere in a list
of millions. `?format=csv` or `?format=jsonl` (or `Accept: text/csv` / `application/x-ndjson`)
streams every row of the list instead, read in chunks: memory stays flat.
"""

import csv
import io
import json
from collections.abc import Callable, Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Literal

from django.core import signing
from django.db.models import QuerySet
from django.http import HttpRequest, StreamingHttpResponse
from ninja import Field, Schema

from xiezuo.api.errors import ApiError

REGION_PATTERN = r"^\d{6}(\d{3}){0,2}$"
STREAM_CHUNK = 2_000
_SALT = "xiezuo.api.cursor"
CSV = "text/csv"
JSONL = "application/x-ndjson"
Format = Literal["json", "csv", "jsonl"]

# Response content of a list route besides JSON, for the OpenAPI schema.
STREAMED = {
    200: {
        "description": "a page (JSON), or every row as CSV or JSON Lines",
        "content": {
            CSV: {"schema": {"type": "string"}},
            JSONL: {"schema": {"type": "string"}},
        },
    }
}


class ListParams(Schema):
    """Parameters every list takes."""

    cursor: str | None = Field(None, max_length=200, description="the `next` of the page before")
    limit: int = Field(100, ge=1, le=1000, description="rows per page")
    format: Format | None = Field(None, description="json (pages), csv or jsonl (every row)")


class Filters(ListParams):
    """A list's parameters with its region filter."""

    region: str | None = Field(None, pattern=REGION_PATTERN, description="区划代码: rows inside it")


class YearFilters(Filters):
    """A list's parameters with its region and year filters."""

    year: int | None = Field(None, ge=1949, le=2100, description="rows of this year")


def cursor_for(key: Any) -> str:
    """Return the opaque cursor after `key`."""
    return signing.Signer(salt=_SALT).sign_object([key], compress=True)


def key_of(cursor: str) -> Any:
    """Return the key a cursor stands for; ApiError for a cursor this API did not give."""
    try:
        return signing.Signer(salt=_SALT).unsign_object(cursor)[0]
    except (signing.BadSignature, ValueError, TypeError, IndexError, KeyError):
        raise ApiError(400, "invalid_cursor", "cursor 无效：请使用上一页返回的 next") from None


def wanted_format(request: HttpRequest, asked: str | None) -> str:
    """Return json, csv or jsonl: `?format=`, else what `Accept` prefers."""
    if asked:
        return asked
    accept = request.headers.get("Accept", "")
    if CSV in accept:
        return "csv"
    if JSONL in accept or "application/jsonl" in accept:
        return "jsonl"
    return "json"


def listing(
    request: HttpRequest,
    rows: QuerySet[Any],
    params: ListParams,
    *,
    key: str,
    shape: Callable[[QuerySet[Any]], Iterable[dict[str, Any]]],
    fields: list[str],
    name: str,
    on_read: Callable[[int], None] | None = None,
) -> Any:
    """Return a page of `rows` (ordered by the unique `key`, "-key" for newest first) or
    stream them all.

    `shape` turns an ordered queryset into the dicts shown (masked already); `fields` are the
    CSV header; `on_read(n)` is told how many rows went out (the audit log of personal data).
    """
    fmt = wanted_format(request, params.format)
    if fmt != "json":
        ordered = rows.order_by(key)
        if on_read is not None:
            on_read(ordered.count())
        return _stream(shape(ordered), fields, fmt=fmt, name=name)
    field = key.removeprefix("-")
    if params.cursor:
        after = "lt" if key.startswith("-") else "gt"
        rows = rows.filter(**{f"{field}__{after}": key_of(params.cursor)})
    keys = list(rows.order_by(key).values_list(field, flat=True)[: params.limit + 1])
    page = keys[: params.limit]
    items = list(shape(rows.filter(**{f"{field}__in": page}).order_by(key))) if page else []
    if on_read is not None and items:
        on_read(len(items))
    more = len(keys) > params.limit
    return {"items": items, "next": cursor_for(page[-1]) if more and page else None}


def _stream(
    items: Iterable[dict[str, Any]], fields: list[str], *, fmt: str, name: str
) -> StreamingHttpResponse:
    if fmt == "csv":
        response = StreamingHttpResponse(
            _csv_lines(items, fields), content_type=f"{CSV}; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    else:
        response = StreamingHttpResponse(_jsonl_lines(items), content_type=JSONL)
    response["Cache-Control"] = "no-store, private"
    return response


def _csv_lines(items: Iterable[dict[str, Any]], fields: list[str]) -> Iterator[str]:
    buffer = io.StringIO()
    writer = csv.writer(buffer)

    def take() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(fields)
    yield take()
    for n, item in enumerate(items, 1):
        writer.writerow([csv_cell(item.get(f)) for f in fields])
        if n % 200 == 0:
            yield take()
    yield take()


def _jsonl_lines(items: Iterable[dict[str, Any]]) -> Iterator[str]:
    lines = []
    for item in items:
        lines.append(json.dumps(item, ensure_ascii=False, default=json_value))
        if len(lines) >= 200:
            yield "\n".join(lines) + "\n"
            lines = []
    if lines:
        yield "\n".join(lines) + "\n"


def json_value(value: Any) -> Any:
    """Return a value JSON cannot hold as one it can: dates in ISO form, amounts as text."""
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)
    return str(value)


def csv_cell(value: Any) -> str:
    """Return a value as CSV text; text that a spreadsheet would run as a formula gets a
    leading ' (CSV injection, as the exports do)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date | datetime):
        return value.isoformat()
    text = str(value)
    if isinstance(value, str) and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + text
    return text
