"""The bulk path: load many rows through the database's own fast door.

SQLite takes `executemany` on the raw connection; PostgreSQL takes `COPY … FROM STDIN`.
Both run inside the caller's transaction, so a failed load leaves nothing behind.
"""

from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from django.core.management.color import no_style
from django.db import connections
from django.db.models import Model

BATCH_ROWS = 50_000


def table_and_columns(model: type[Model], fields: Sequence[str]) -> tuple[str, list[str]]:
    """Return the table name and column names of `fields` (attribute names, e.g. `region_id`)."""
    meta = model._meta
    by_attname = {f.attname: str(f.column) for f in meta.concrete_fields}
    return meta.db_table, [by_attname[name] for name in fields]


def bulk_insert(
    model: type[Model],
    fields: Sequence[str],
    rows: Iterable[Sequence[Any]],
    *,
    constants: Mapping[str, Any] | None = None,
    using: str = "default",
) -> int:
    """Insert `rows` (tuples in the order of `fields`) into `model`'s table; return the count.

    Values go in as the database adapter takes them: str, int, float, Decimal, date, bool, None.
    `constants` ({field: value}, values from code, not input) are the same in every row.
    No model `save()` runs and no defaults are filled: give every NOT NULL column.
    """
    constants = dict(constants or {})
    connection = connections[using]
    if constants and connection.vendor == "postgresql":
        values = tuple(constants.values())
        rows = (tuple(row) + values for row in rows)
        fields, constants = [*fields, *constants], {}
    table, columns = table_and_columns(model, [*fields, *constants])
    connection.ensure_connection()
    quote = connection.ops.quote_name
    column_list = ", ".join(quote(c) for c in columns)
    if connection.vendor == "postgresql":
        return _copy(connection, f"COPY {quote(table)} ({column_list}) FROM STDIN", rows)
    # Constants are written into the statement: SQLite binds fewer values per row.
    placeholders = ", ".join(["?"] * len(fields) + [_literal(v) for v in constants.values()])
    # Table and column names come from the model, never from input.
    sql = f"INSERT INTO {quote(table)} ({column_list}) VALUES ({placeholders})"  # noqa: S608
    raw = connection.connection
    count = 0
    with connection.wrap_database_errors:
        for batch in _batches(rows):
            raw.executemany(sql, batch)
            count += len(batch)
    return count


def _literal(value: Any) -> str:
    """Return a constant as an SQLite literal (the constant comes from code, not input)."""
    if value is None:
        return "NULL"
    if isinstance(value, bool | int):
        return str(int(value))
    if isinstance(value, float):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


def _copy(connection: Any, sql: str, rows: Iterable[Sequence[Any]]) -> int:
    count = 0
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(sql) as copy,
    ):
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def _batches(rows: Iterable[Sequence[Any]]) -> Iterable[list[Sequence[Any]]]:
    batch: list[Sequence[Any]] = []
    for row in rows:
        batch.append(row)
        if len(batch) >= BATCH_ROWS:
            yield batch
            batch = []
    if batch:
        yield batch


def reset_sequence(model: type[Model], *, using: str = "default") -> None:
    """Move an auto-increment sequence past rows inserted with explicit ids (PostgreSQL)."""
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    sql = connection.ops.sequence_reset_sql(no_style(), [model])
    with connection.cursor() as cursor:
        for statement in sql:
            cursor.execute(statement)


# The SQLite page cache during a bulk load; SQLite allocates it only as it fills.
SQLITE_CACHE_KIB = 512 * 1024


@contextmanager
def large_sqlite_cache(*, using: str = "default") -> Iterator[None]:
    """Give SQLite a page cache that holds the indexes being written, for one bulk load.

    The default cache (about 8 MB) is smaller than the ID-number index of a county's members,
    and inserting in random key order then reads pages back from disk. Other databases are
    left as they are.
    """
    connection = connections[using]
    if connection.vendor != "sqlite":
        yield
        return
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = {-SQLITE_CACHE_KIB}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")
