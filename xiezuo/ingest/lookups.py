"""Bulk reads for ingest: one query for any number of keys, on either database.

Both databases take the keys as one JSON array parameter (`json_each` on SQLite,
`jsonb_array_elements_text` on PostgreSQL): a 200,000-row file costs one round trip, not one
per row or per 999 keys.
"""

import json
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal
from typing import Any, cast

from django.db import connections
from django.db.models import CharField, Field, ForeignKey, Model, TextField

from xiezuo.core.bulk import table_and_columns

__all__ = ["rows_where_in"]


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
    keys = list(values)
    if not keys:
        return []
    if isinstance(keys[0], date | Decimal):  # one type per column: look at the first
        keys = [_json_key(v) for v in keys]
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
            f"SELECT {selected} FROM jsonb_array_elements_text(%s::jsonb) AS j(value) "  # noqa: S608
            f"JOIN {quote(table)} AS t ON t.{quote(columns[-1])} = {value}"
        )
    else:
        # json_each as the outer loop: one index probe per key.
        sql = (
            f"SELECT {selected} FROM json_each(%s) AS j "  # noqa: S608
            f"CROSS JOIN {quote(table)} AS t ON t.{quote(columns[-1])} = j.value"
        )
    with connection.cursor() as cursor:
        cursor.execute(sql, [json.dumps(keys, ensure_ascii=False)])
        return cursor.fetchall()


def _json_key(value: Any) -> Any:
    if isinstance(value, date | Decimal):
        return str(value)
    return value
