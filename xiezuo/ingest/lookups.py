"""Bulk reads for ingest: one query for any number of keys, on either database.

Both databases take the keys as one JSON array parameter (`json_each` on SQLite,
`jsonb_array_elements_text` on PostgreSQL): a 200,000-row file costs one round trip, not one
per row or per 999 keys.
"""

import contextlib
import io
import json
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db import connections
from django.db.models import CharField, Field, ForeignKey, Model, TextField

from xiezuo.core.bulk import table_and_columns

if TYPE_CHECKING:
    import polars as pl

__all__ = ["frame_where_in", "json_boolean", "rows_where_in"]


def rows_where_in(
    model: type[Model],
    fields: Sequence[str],
    match: str,
    values: Iterable[Any],
    *,
    using: str = "default",
) -> list[tuple[Any, ...]]:
    """Return `fields` of the rows of `model` whose `match` field is one of `values`.

    Fields are attribute names (`household_id`, not `household`); `values` are str, int,
    float, Decimal or date (dates and decimals travel as text and compare as their column).
    """
    keys = _keys(values)
    if not keys:
        return []
    sql, connection = _select(model, fields, match, using, "SELECT {selected}")
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(keys, ensure_ascii=False)])
        return cursor.fetchall()


def frame_where_in(
    model: type[Model],
    schema: "dict[str, pl.DataType]",
    match: str,
    values: Iterable[Any],
    *,
    using: str = "default",
) -> "pl.DataFrame":
    """Return the rows `rows_where_in` finds as a Polars frame of `schema` (field: dtype).

    The database builds one JSON object of columns and Polars parses it: no Python row or
    converter per value, which costs more than the query itself for 200,000 rows. Give dates
    as `pl.String` (they come as ISO text) and booleans as `json_boolean(connection)`.
    """
    import polars as pl

    keys = _keys(values)
    if not keys:
        return pl.DataFrame(schema=schema)
    fields = list(schema)
    connection = connections[using]
    quote = connection.ops.quote_name
    _, columns = table_and_columns(model, fields)
    if connection.vendor == "postgresql":
        pairs = ", ".join(
            f"'{f}', json_agg(t.{quote(c)})" for f, c in zip(fields, columns, strict=True)
        )
        shape = f"SELECT count(*), json_build_object({pairs})::text"
    else:
        pairs = ", ".join(
            f"'{f}', json_group_array(t.{quote(c)})" for f, c in zip(fields, columns, strict=True)
        )
        shape = f"SELECT count(*), json_object({pairs})"
    sql, connection = _select(model, fields, match, using, shape)
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(keys, ensure_ascii=False)])
        count, text = cursor.fetchone()
    if not count:
        return pl.DataFrame(schema=schema)
    lists = {name: pl.List(dtype) for name, dtype in schema.items()}
    return pl.read_json(io.BytesIO(text.encode()), schema=lists).explode(fields)


def json_boolean(using: str = "default") -> "pl.DataType":
    """Return the dtype a boolean column has in `frame_where_in`'s JSON (SQLite: 1/0)."""
    import polars as pl

    return pl.Boolean() if connections[using].vendor == "postgresql" else pl.Int8()


def _keys(values: Iterable[Any]) -> list[Any]:
    keys = list(values)
    if keys and isinstance(keys[0], date | Decimal):  # one type per column: look at the first
        keys = [_json_key(v) for v in keys]
    # In index order: each probe lands next to the last, in pages already read.
    with contextlib.suppress(TypeError):
        keys.sort()
    return keys


def _select(
    model: type[Model], fields: Sequence[str], match: str, using: str, shape: str
) -> tuple[str, Any]:
    """Return the query of `shape` over the rows whose `match` is one of a JSON array."""
    table, columns = table_and_columns(model, [*fields, match])
    connection = connections[using]
    # `match` names a concrete column of `model`, never a reverse relation.
    match_field = cast(Field[Any, Any], model._meta.get_field(match))
    if isinstance(match_field, ForeignKey):
        match_field = match_field.target_field
    db_type = match_field.cast_db_type(connection) or ""
    quote = connection.ops.quote_name
    # Table and column names come from the model, never from input.
    selected = ", ".join(f"t.{quote(c)}" for c in columns[:-1])
    if connection.vendor == "postgresql":
        # One JSON text parameter: psycopg's array dumper checks every string for quoting,
        # which costs more than the query for 200,000 keys.
        # Text keys compare as text (a cast to varchar(n) would cut long ones); others cast.
        textual = isinstance(match_field, CharField | TextField)
        value = "j.value" if textual else f"j.value::{db_type}"
        sql = (
            f"{shape} FROM jsonb_array_elements_text(%s::jsonb) AS j(value) "
            f"JOIN {quote(table)} AS t ON t.{quote(columns[-1])} = {value}"
        )
    else:
        # json_each as the outer loop: one index probe per key.
        sql = (
            f"{shape} FROM json_each(%s) AS j "
            f"CROSS JOIN {quote(table)} AS t ON t.{quote(columns[-1])} = j.value"
        )
    return sql.replace("{selected}", selected), connection


def _json_key(value: Any) -> Any:
    if isinstance(value, date | Decimal):
        return str(value)
    return value
