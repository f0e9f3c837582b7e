"""Loading: classify valid rows against the database, then write them through the bulk path.

Rows are matched by the ledger's natural key. Existing rows are fetched in one query; each row
is an insert, an update (some value differs) or unchanged. Inserts get consecutive ids and go
in through `bulk_insert` (executemany on SQLite, COPY on PostgreSQL); updates go through
executemany on SQLite and COPY into a temporary table + `UPDATE … FROM` on PostgreSQL. A batch
records the id ranges it inserted and the old values of the rows it updated, so it can be undone.
"""

import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, cast

import polars as pl
from django.db import connection, models
from django.db.models import Model

from xiezuo.core.bulk import bulk_insert, large_sqlite_cache, reset_sequence, table_and_columns
from xiezuo.ingest.errors import RowError, shown
from xiezuo.ingest.lookups import frame_where_in, json_boolean, rows_where_in
from xiezuo.ingest.models import Batch, BatchChange
from xiezuo.ingest.reading import ROW
from xiezuo.ingest.validation import Validated, m2m_ids
from xiezuo.registry.overview_cache import registry_changed

__all__ = ["Classified", "Loader", "apply", "classify", "insert_frame", "replace_lists", "restore"]

CHUNK_ROWS = 50_000
IN_CHUNK = 10_000  # ids per `IN (...)`: below SQLite's limit on parameters
OLD = "__old"
ID = "__id"


@dataclass
class Classified:
    """Valid rows split by what loading would do with them."""

    model: type[Model]
    fields: tuple[str, ...]  # the columns the file fills, written on insert and update
    m2m: tuple[str, ...]  # those of `fields` that are many-to-many (written as links)
    inserts: pl.DataFrame  # ROW + fields (+ the m2m id lists)
    updates: pl.DataFrame  # ID + fields + previous values (field + OLD)
    unchanged: int
    errors: list[RowError]

    @property
    def scalar_fields(self) -> tuple[str, ...]:
        return tuple(f for f in self.fields if f not in self.m2m)


def classify(validated: Validated) -> Classified:
    """Match valid rows to existing rows by natural key; one query for the whole file."""
    model = validated.model
    fields = validated.fields
    m2m = tuple(f for f in fields if model._meta.get_field(f).many_to_many)
    scalar = [f for f in fields if f not in m2m]
    frame = _fill_defaults(validated.valid_frame, model, scalar)
    keys = validated.key_fields
    values = [f for f in scalar if f not in keys]
    existing = _existing(model, keys, values, frame)
    joined = frame.join(existing, on=list(keys), how="left", suffix=OLD, maintain_order="left")
    for name in m2m:
        joined = _join_links(model, name, joined)
    found = pl.col(ID).is_not_null()
    compared = [
        _comparable(model, f, pl.col(f)).ne_missing(_comparable(model, f, pl.col(f + OLD)))
        for f in values
    ] + [pl.col(m2m_ids(f)).ne_missing(pl.col(m2m_ids(f) + OLD)) for f in m2m]
    differs = pl.any_horizontal(compared or [pl.lit(False)])
    errors = _moved_parents(validated, joined)
    lists = [m2m_ids(f) for f in m2m]
    inserts = joined.filter(~found).select(ROW, *scalar, *lists)
    updates = joined.filter(found & differs).select(
        ID, ROW, *scalar, *lists, *(f + OLD for f in values), *(f + OLD for f in lists)
    )
    unchanged = joined.filter(found & ~differs).height
    return Classified(model, fields, m2m, inserts, updates, unchanged, errors)


def replace_lists(ledger: Any, validated: Validated, done: set[tuple[Any, ...]]) -> int:
    """Delete the stored rows of the lists a file brings again, before its rows go in.

    A ledger whose catalog names `replace` (headers, e.g. 年度 and 来源单位) holds lists that
    are replaced whole: the first chunk that brings a list (one value of those columns) deletes
    every stored row of it. `done` holds the lists of earlier chunks (updated here); return the
    number of rows deleted. Runs inside the import's transaction: a file with an error deletes
    nothing.
    """
    from django.db.models import Q

    fields = [ledger.column(header).field for header in ledger.extra["replace"]]
    frame = validated.valid_frame.select(fields).drop_nulls().unique()
    lists = {tuple(row) for row in frame.iter_rows()} - done
    if not lists:
        return 0
    done.update(lists)
    condition = Q(pk__in=[])
    for values in lists:
        condition |= Q(**dict(zip(fields, values, strict=True)))
    deleted, _ = validated.model._default_manager.filter(condition).delete()
    return deleted


def apply(classified: Classified, batch: Batch, *, progress: Any = None) -> None:
    """Write inserts and updates and record them on `batch`, in the caller's transaction."""
    with large_sqlite_cache():
        loader = Loader(batch, progress=progress)
        loader.write(classified)
        loader.finish()


class Loader:
    """Write a file's classified rows chunk by chunk into the caller's open transaction.

    Inserts get consecutive ids across chunks (one recorded range per batch); updates are
    recorded one by one with their old values. On SQLite, a load into a table that holds few
    rows yet drops the table's plain (non-unique) indexes first and builds them again in
    `finish`: one sort instead of a B-tree insert per row.
    """

    def __init__(self, batch: Batch, *, progress: Any = None) -> None:
        self.batch = batch
        self.progress = progress
        self.model: type[Model] | None = None
        self.first_id: int | None = None
        self.next_id = 0
        self.inserted = 0
        self.updated = 0
        self.deferred: list[str] = []  # CREATE INDEX statements to run again in `finish`

    def write(self, classified: Classified) -> None:
        """Write one chunk's inserts and updates."""
        model = self.model = classified.model
        label = model._meta.label
        scalar = classified.scalar_fields
        if classified.inserts.height:
            if self.first_id is None:
                _lock(model)
                self.first_id = self.next_id = _next_id(model)
                if self.first_id - 1 < classified.inserts.height:
                    self.deferred = _drop_plain_indexes(model)
            count = classified.inserts.height
            inserts = classified.inserts.with_columns(
                pl.int_range(self.next_id, self.next_id + count, dtype=pl.Int64).alias("id")
            )
            insert_frame(model, inserts, ["id", *scalar], constants=_defaults(model, scalar))
            for name in classified.m2m:
                _insert_links(model, name, inserts.select("id", m2m_ids(name)))
            self.next_id += count
            self.inserted += count
        if classified.updates.height:
            values = [f for f in scalar if f + OLD in classified.updates.columns]
            updates = classified.updates.rename({ID: "id"})
            update_rows(model, values, _rows(updates, [*values, "id"], None, ""))
            for name in classified.m2m:
                _delete_links(model, name, updates.get_column("id").to_list())
                _insert_links(model, name, updates.select("id", m2m_ids(name)))
            old = [pl.col(f + OLD).alias(f) for f in values]
            old += [pl.col(m2m_ids(f) + OLD).fill_null([]).alias(f) for f in classified.m2m]
            previous = updates.select(pl.col("id"), pl.struct(old).struct.json_encode())
            bulk_insert(
                BatchChange,
                _CHANGE_FIELDS,
                (
                    (self.batch.pk, label, "update", row_id, None, text)
                    for row_id, text in previous.iter_rows()
                ),
            )
            self.updated += updates.height

    def finish(self) -> None:
        """Record the inserted range, move the id sequence on and build deferred indexes;
        count the change for the caches of what the registry derives (`registry_changed`)."""
        if self.model is None:
            return
        if self.first_id is not None:
            with connection.cursor() as cursor:
                for statement in self.deferred:
                    cursor.execute(statement)
            self.deferred = []
            reset_sequence(self.model)
            last = self.next_id - 1
            bulk_insert(
                BatchChange,
                _CHANGE_FIELDS,
                [(self.batch.pk, self.model._meta.label, "insert", self.first_id, last, None)],
            )
        registry_changed([self.model])  # the overview's cache key; last in the transaction


_CHANGE_FIELDS = ["batch_id", "model", "action", "row_id", "last_row_id", "previous"]


def insert_frame(
    model: type[Model],
    frame: pl.DataFrame,
    fields: Sequence[str],
    *,
    constants: dict[str, Any] | None = None,
) -> int:
    """Insert the `fields` columns of `frame` into `model`'s table; return the count.

    `constants` ({field: value}) fill the same value into every row. PostgreSQL takes the rows
    as one CSV block written by Polars (`COPY … FORMAT csv`): no Python object per value.
    SQLite takes them through `executemany`, the constants written into the statement.
    """
    if connection.vendor != "postgresql":
        rows = _rows(frame, fields, None, "")
        return bulk_insert(model, fields, rows, constants=constants)
    if constants:
        frame = frame.with_columns(**{k: pl.lit(v) for k, v in constants.items()})
        fields = [*fields, *constants]
    table, columns = table_and_columns(model, list(fields))
    quote = connection.ops.quote_name
    listed = ", ".join(quote(c) for c in columns)
    # CSV as COPY reads it: an empty cell is NULL, a quoted empty one ("") an empty string.
    selected = frame.select(fields)
    connection.ensure_connection()
    with (
        connection.wrap_database_errors,
        connection.cursor() as cursor,
        cursor.cursor.copy(f"COPY {quote(table)} ({listed}) FROM STDIN WITH (FORMAT csv)") as copy,
    ):
        for offset in range(0, selected.height, CHUNK_ROWS):
            copy.write(selected.slice(offset, CHUNK_ROWS).write_csv(include_header=False))
    return selected.height


def _drop_plain_indexes(model: type[Model]) -> list[str]:
    """Drop the SQLite table's non-unique indexes; return the statements that rebuild them.

    Inside the load's transaction: a rollback brings them back, and readers keep them.
    """
    if connection.vendor != "sqlite":
        return []
    table, _ = table_and_columns(model, [])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
            "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%'",
            [table],
        )
        found = cursor.fetchall()
        for name, _sql in found:
            cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    return [sql for _, sql in found]


def restore(batch: Batch) -> tuple[int, int]:
    """Delete the rows `batch` inserted and put back what it overwrote; return both counts."""
    from django.apps import apps

    deleted = restored = 0
    touched: set[type[Model]] = set()
    quote = connection.ops.quote_name
    for change in batch.changes.filter(action=BatchChange.Action.INSERT):
        model = apps.get_model(change.model)
        touched.add(model)
        assert change.last_row_id is not None  # an insert always records its range's end
        span = range(change.row_id, change.last_row_id + 1)
        for field in model._meta.many_to_many:
            _delete_links(model, field.name, span)
        table, (pk_column,) = table_and_columns(model, ["id"])
        with connection.cursor() as cursor:
            cursor.execute(
                f"DELETE FROM {quote(table)} WHERE {quote(pk_column)} BETWEEN %s AND %s",  # noqa: S608
                [change.row_id, change.last_row_id],
            )
            deleted += cursor.rowcount
    updates = batch.changes.filter(action=BatchChange.Action.UPDATE).values_list(
        "model", "row_id", "previous"
    )
    by_model: dict[tuple[str, tuple[str, ...]], list[tuple[Any, ...]]] = {}
    for label, row_id, previous in updates.iterator(chunk_size=CHUNK_ROWS):
        assert previous is not None  # an update always records the old values
        values = previous if isinstance(previous, dict) else json.loads(previous)
        names = tuple(values)
        by_model.setdefault((label, names), []).append((*values.values(), row_id))
    for (label, names), rows in by_model.items():
        model = apps.get_model(label)
        touched.add(model)
        m2m = {f.name for f in model._meta.many_to_many}
        scalar = [i for i, name in enumerate(names) if name not in m2m]
        restored += update_rows(
            model,
            [names[i] for i in scalar],
            [(*(row[i] for i in scalar), row[-1]) for row in rows],
        )
        for i, name in enumerate(names):
            if name in m2m:
                ids = [row[-1] for row in rows]
                _delete_links(model, name, ids)
                links = pl.DataFrame(
                    {"id": ids, m2m_ids(name): [row[i] for row in rows]},
                    schema={"id": pl.Int64, m2m_ids(name): pl.List(pl.Int64)},
                )
                _insert_links(model, name, links)
    registry_changed(touched)  # the overview's cache key; last in the transaction
    return deleted, restored


def _link_fields(model: type[Model], name: str) -> tuple[type[Model], str, str]:
    """Return the through model of a many-to-many and its (source, target) attribute names."""
    field = cast(models.ManyToManyField[Any, Any], model._meta.get_field(name))
    through = field.remote_field.through
    assert through is not None  # set once the app registry is ready
    # Both ends of a through model are foreign keys.
    source_field = cast(
        models.ForeignKey[Any, Any], through._meta.get_field(field.m2m_field_name())
    )
    target_field = cast(
        models.ForeignKey[Any, Any], through._meta.get_field(field.m2m_reverse_field_name())
    )
    source, target = source_field.attname, target_field.attname
    return through, source, target


def _join_links(model: type[Model], name: str, joined: pl.DataFrame) -> pl.DataFrame:
    """Add the stored links of the matched rows as a sorted id list (`m2m_ids(name) + OLD`)."""
    through, source, target = _link_fields(model, name)
    ids = joined.get_column(ID).drop_nulls().unique().to_list()
    links = pl.DataFrame(
        rows_where_in(through, [source, target], source, ids),
        schema={ID: pl.Int64, "target": pl.Int64},
        orient="row",
    )
    stored = links.group_by(ID).agg(pl.col("target").unique().sort().alias(m2m_ids(name) + OLD))
    joined = joined.join(stored, on=ID, how="left", maintain_order="left")
    empty = pl.lit([], dtype=pl.List(pl.Int64))
    return joined.with_columns(
        pl.when(pl.col(ID).is_not_null())
        .then(pl.col(m2m_ids(name) + OLD).fill_null(empty))
        .alias(m2m_ids(name) + OLD)
    )


def _insert_links(model: type[Model], name: str, frame: pl.DataFrame) -> None:
    through, source, target = _link_fields(model, name)
    pairs = frame.explode(m2m_ids(name)).drop_nulls()
    if pairs.height:
        bulk_insert(through, [source, target], pairs.iter_rows())


def _delete_links(model: type[Model], name: str, ids: Sequence[int] | range) -> None:
    through, source, _ = _link_fields(model, name)
    if isinstance(ids, range):
        through._default_manager.filter(
            **{f"{source}__gte": ids.start, f"{source}__lte": ids.stop - 1}
        )._raw_delete(connection.alias)
        return
    for offset in range(0, len(ids), IN_CHUNK):
        chunk = list(ids[offset : offset + IN_CHUNK])
        through._default_manager.filter(**{f"{source}__in": chunk})._raw_delete(connection.alias)


def update_rows(model: type[Model], fields: Sequence[str], rows: Any) -> int:
    """Set `fields` of rows by id; each row is (values of `fields`…, id). Return the count."""
    table, columns = table_and_columns(model, [*fields, "id"])
    quote = connection.ops.quote_name
    *value_columns, pk_column = columns
    count = 0
    if connection.vendor == "postgresql":
        temporary = "ingest_update"
        listed = ", ".join(quote(c) for c in columns)
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {temporary}")
            cursor.execute(
                f"CREATE TEMPORARY TABLE {temporary} ON COMMIT DROP AS "  # noqa: S608
                f"SELECT {listed} FROM {quote(table)} WITH NO DATA"
            )
            with cursor.cursor.copy(f"COPY {temporary} ({listed}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    count += 1
            assignments = ", ".join(f"{quote(c)} = u.{quote(c)}" for c in value_columns)
            cursor.execute(
                f"UPDATE {quote(table)} AS t SET {assignments} FROM {temporary} AS u "  # noqa: S608
                f"WHERE t.{quote(pk_column)} = u.{quote(pk_column)}"
            )
            cursor.execute(f"DROP TABLE {temporary}")
        return count
    assignments = ", ".join(f"{quote(c)} = ?" for c in value_columns)
    sql = f"UPDATE {quote(table)} SET {assignments} WHERE {quote(pk_column)} = ?"  # noqa: S608
    connection.ensure_connection()
    raw = connection.connection
    with connection.wrap_database_errors:
        for chunk in _chunks(rows):
            raw.executemany(sql, chunk)
            count += len(chunk)
    return count


# --- helpers ---------------------------------------------------------------------------------


def _existing(
    model: type[Model], keys: Sequence[str], values: Sequence[str], frame: pl.DataFrame
) -> pl.DataFrame:
    """Return the stored rows whose natural key the file holds (ID + keys + values)."""
    first = keys[0]
    wanted = frame.get_column(first).drop_nulls().unique().to_list()
    fields = ["id", *keys, *values]
    schema = {name: _dtype(model, name) for name in fields}
    # As the JSON the database writes: dates as text, booleans as it stores them.
    as_json = {
        name: pl.String() if dtype == pl.Date else json_boolean() if dtype == pl.Boolean else dtype
        for name, dtype in schema.items()
    }
    found = frame_where_in(model, as_json, first, wanted)
    existing = found.select(
        pl.col(name).str.slice(0, 10).str.to_date("%Y-%m-%d").alias(name)
        if dtype == pl.Date
        else pl.col(name).cast(dtype)
        for name, dtype in schema.items()
    )
    return existing.rename({"id": ID}).select(
        ID, *keys, *(pl.col(v).alias(v + OLD) for v in values)
    )


def _moved_parents(validated: Validated, joined: pl.DataFrame) -> list[RowError]:
    """A row whose natural key is registered under another parent (户编号) is an error."""
    errors: list[RowError] = []
    for name, header in validated.parent_fields:
        if name in validated.key_fields or name + OLD not in joined.columns:
            continue
        moved = joined.filter(
            pl.col(ID).is_not_null() & pl.col(name).ne_missing(pl.col(name + OLD))
        ).select(ROW, name + OLD, *validated.key_fields)
        if not moved.height:
            continue
        # The other household is not named: it may lie outside what the importer may read.
        for row, _old, *key in moved.iter_rows():
            errors.append(
                RowError(
                    row,
                    header,
                    shown(key[0]) if key else None,
                    "该记录不能登记在此户；如有疑问，请联系协作办核实。",
                )
            )
    return errors


def _fill_defaults(frame: pl.DataFrame, model: type[Model], fields: Sequence[str]) -> pl.DataFrame:
    """Give empty optional cells the value the model stores for 'nothing' (0, "", False…)."""
    fills = {}
    for name in fields:
        # `fields` are the model's own columns, never reverse relations.
        field = cast(models.Field[Any, Any], model._meta.get_field(name))
        if field.null:
            continue
        default = field.get_default()
        if default is None:
            continue
        fills[name] = pl.col(name).fill_null(pl.lit(_python(default)))
    return frame.with_columns(**fills) if fills else frame


def _defaults(model: type[Model], fields: Sequence[str]) -> dict[str, Any]:
    """Return {attname: value} for every concrete field the file does not fill (not the id)."""
    defaults = {}
    for field in model._meta.concrete_fields:
        if field.primary_key or field.attname in fields:
            continue
        default = field.get_default()
        if default is None and not field.null:
            raise RuntimeError(f"{model._meta.label}.{field.attname} 没有默认值，台账须提供该列")
        defaults[field.attname] = _python(default)
    return defaults


def _python(value: Any) -> Any:
    if isinstance(value, Decimal):
        return float(value)
    return value


def _dtype(model: type[Model], name: str) -> pl.DataType:
    field = model._meta.get_field(name)
    if isinstance(field, models.ForeignKey):
        field = field.target_field
    if isinstance(field, models.BooleanField):
        return pl.Boolean()
    if isinstance(field, models.DateField) and not isinstance(field, models.DateTimeField):
        return pl.Date()
    if isinstance(field, models.DecimalField | models.FloatField):
        return pl.Float64()
    if isinstance(field, models.IntegerField | models.AutoField):
        return pl.Int64()
    return pl.String()


def _comparable(model: type[Model], name: str, expr: pl.Expr) -> pl.Expr:
    field = model._meta.get_field(name)
    if isinstance(field, models.DecimalField):
        return (expr * 10**field.decimal_places).round(0).cast(pl.Int64)
    return expr


def _rows(
    frame: pl.DataFrame, fields: Sequence[str], progress: Any, stage: str
) -> Iterator[tuple[Any, ...]]:
    """Yield rows as tuples the database adapters take, a chunk at a time (bounded memory)."""
    selected = frame.select(
        [
            pl.col(f).dt.to_string("%Y-%m-%d") if frame.schema[f] == pl.Date else pl.col(f)
            for f in fields
        ]
    )
    total = selected.height
    for offset in range(0, total, CHUNK_ROWS):
        chunk = selected.slice(offset, CHUNK_ROWS)
        # Column lists zipped into tuples: about twice as fast as iter_rows().
        yield from zip(*(series.to_list() for series in chunk.iter_columns()), strict=True)
        if progress:
            progress(stage, min(offset + CHUNK_ROWS, total), total)


def _chunks(rows: Any) -> Iterator[list[tuple[Any, ...]]]:
    chunk: list[tuple[Any, ...]] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) >= CHUNK_ROWS:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _lock(model: type[Model]) -> None:
    """Keep other writers out while ids are handed out (SQLite's write lock already does)."""
    if connection.vendor == "postgresql":
        table, _ = table_and_columns(model, [])
        with connection.cursor() as cursor:
            cursor.execute(
                f"LOCK TABLE {connection.ops.quote_name(table)} IN SHARE ROW EXCLUSIVE MODE"
            )


def _next_id(model: type[Model]) -> int:
    table, (pk_column,) = table_and_columns(model, ["id"])
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX({quote(pk_column)}), 0) FROM {quote(table)}")  # noqa: S608
        (largest,) = cursor.fetchone()
    return int(largest) + 1
