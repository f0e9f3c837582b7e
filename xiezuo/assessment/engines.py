"""Where the expressions run: the live database, DuckDB over a Parquet snapshot, or Spark.

`connect(engine, …)` returns the table namespace (`Tables`) of one engine. The expressions and
the aggregation never know which one they got.

- `db`: Ibis over Django's database. By default Ibis borrows Django's own connection, so the
  assessment sees exactly what the ORM sees (an open transaction included, as in tests) and no
  second connection is opened; `separate=True` opens Ibis's own connection from Django's
  settings (`ibis.sqlite.connect(path)`, `ibis.postgres.connect(...)`).
- `duckdb`: an in-process DuckDB reading the `*.parquet` files `xiezuo snapshot` wrote.
- `spark`: PySpark in local mode (the optional `spark` extra and a Java runtime) reading the
  same files; a deployment that outgrows one machine points the session at a cluster.
"""

import os
import sqlite3
from functools import cache
from pathlib import Path
from typing import Any

import ibis
import ibis.expr.datashape as ds
import ibis.expr.datatypes as dt
import ibis.expr.operations as ops
import sqlglot.expressions as sge
from ibis.backends import BaseBackend
from ibis.backends.sql.compilers.postgres import PostgresCompiler
from ibis.backends.sql.compilers.sqlite import SQLiteCompiler

from xiezuo.assessment.tables import TABLES, Tables
from xiezuo.core.errors import XiezuoError

ENGINES = ("db", "duckdb", "spark")


class EngineError(XiezuoError):
    """An engine cannot be reached or lacks a table."""


def connect(engine: str, *, snapshot: Path | str | None = None, separate: bool = False) -> Tables:
    """Return the table namespace of `engine` (`snapshot`: the Parquet directory)."""
    if engine == "db":
        backend = db_backend(separate=separate)
        return Tables(
            lambda name: backend.table(TABLES[name].db_table),
            engine="db",
            close=backend.disconnect if separate else None,
            backend=backend,
        )
    if engine not in ENGINES:
        raise EngineError(f"未知的计算引擎 {engine!r}（可用: {', '.join(ENGINES)}）")
    if snapshot is None:
        raise EngineError(f"{engine} 引擎需要快照目录（xiezuo snapshot -o DIR 生成）")
    directory = Path(snapshot)
    if not (directory / "pairing.parquet").exists():
        raise EngineError(f"{directory} 不是考核快照目录（缺少 pairing.parquet）")
    if engine == "duckdb":
        backend = ibis.duckdb.connect()
        close = backend.disconnect
    else:
        backend, close = spark_backend(), None  # the session serves the whole process
    return Tables(lambda name: _read_parquet(backend, directory, name), engine=engine, close=close)


def db_backend(*, separate: bool = False) -> BaseBackend:
    """Return an Ibis backend over Django's default database."""
    from django.db import connection

    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise EngineError(f"db 引擎不支持数据库 {vendor}")
    if separate:
        return _own_backend(connection.settings_dict, vendor)
    connection.ensure_connection()
    raw = connection.connection
    if vendor == "sqlite":
        backend = _own_compiler(ibis.sqlite.from_connection(_Borrowed(raw)))  # type: ignore[arg-type]
        # Ibis turns case-sensitive LIKE on; Django's lookups on this connection expect it off.
        raw.execute("PRAGMA case_sensitive_like = OFF")
        return backend
    return _own_compiler(ibis.postgres.from_connection(raw))


@cache
def spark_session() -> Any:
    """Return the process's local Spark session (started on first use, ~10 s)."""
    try:
        from pyspark.sql import SparkSession
    except ImportError as error:
        raise EngineError("spark 引擎需要安装可选依赖：uv sync --extra spark") from error
    session = (
        SparkSession.builder.master(os.environ.get("XIEZUO_SPARK_MASTER", "local[*]"))
        .appName("xiezuo-assessment")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.shuffle.partitions", os.environ.get("XIEZUO_SPARK_PARTITIONS", "8"))
        .config("spark.driver.memory", os.environ.get("XIEZUO_SPARK_MEMORY", "4g"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    return session


def spark_backend() -> BaseBackend:
    """Return an Ibis backend over the local Spark session."""
    return ibis.pyspark.connect(spark_session())


def _read_parquet(backend: BaseBackend, directory: Path, name: str) -> Any:
    path = directory / f"{name}.parquet"
    if not path.exists():
        raise EngineError(f"快照 {directory} 缺少表 {name}", table=name)
    return backend.read_parquet(str(path), table_name=f"xiezuo_{name}")  # type: ignore[attr-defined]


def _own_backend(settings: dict[str, Any], vendor: str) -> BaseBackend:
    name = str(settings["NAME"])
    if vendor == "sqlite":
        if name.startswith("file:") or name == ":memory:":
            # pytest-django's in-memory test database, shared by URI inside this process.
            return _own_compiler(ibis.sqlite.from_connection(sqlite3.connect(name, uri=True)))
        return _own_compiler(ibis.sqlite.connect(name))
    return _own_compiler(
        ibis.postgres.connect(
            host=settings.get("HOST") or None,
            port=int(settings.get("PORT") or 5432),
            user=settings.get("USER") or None,
            password=settings.get("PASSWORD") or None,
            database=name,
        )
    )


class NamedParameter(ops.Scalar):
    """A query parameter left unbound in the SQL, as a named placeholder (`:name` on SQLite,
    `%(name)s` on PostgreSQL): its value is given when the SQL runs."""

    dtype: dt.DataType
    label: str

    shape = ds.scalar


class _Placeholders:
    """Compile Ibis's unbound scalar parameters (`ibis.param`) to named placeholders.

    Ibis substitutes a parameter's value when it compiles; the live database's plans are
    compiled once for every year instead, and the values are bound through the DB-API.
    """

    def translate(self, op, *, params):  # type: ignore[no-untyped-def]
        unbound = [node for node in op.find(ops.ScalarParameter) if node not in params]
        if unbound:
            op = op.replace(
                {node: NamedParameter(dtype=node.dtype, label=node.name) for node in unbound}
            )
        return super().translate(op, params=params)  # type: ignore[misc]

    def visit_NamedParameter(self, op, *, dtype, label):  # type: ignore[no-untyped-def]
        return sge.Placeholder(this=label)


class _SQLiteCompiler(_Placeholders, SQLiteCompiler):
    """Ibis's SQLite compiler, with day differences in SQL instead of a Python function.

    Ibis 12 computes `date.delta(other, unit="day")` on SQLite with `_ibis_date_delta`, a
    Python function called for every row (a quarter of a second a year on the demo's job
    spells). `julianday` gives the same whole number of days for ISO dates, natively.
    """

    def visit_DateDelta(self, op, *, left, right, part):
        if getattr(part, "this", None) != "day":
            return super().visit_DateDelta(op, left=left, right=right, part=part)
        return self.cast(self.f.julianday(left) - self.f.julianday(right), dt.int64)


class _PostgresCompiler(_Placeholders, PostgresCompiler):
    """Ibis's PostgreSQL compiler, with named placeholders typed by a cast."""

    def visit_NamedParameter(self, op, *, dtype, label):  # type: ignore[no-untyped-def]
        return self.cast(sge.Placeholder(this=label), dtype)


_COMPILERS = {"sqlite": _SQLiteCompiler(), "postgres": _PostgresCompiler()}


def _own_compiler(backend: BaseBackend) -> BaseBackend:
    """Give a live database's backend the compiler with placeholders (and, on SQLite, native
    day differences), not Ibis's own."""
    backend.compiler = _COMPILERS[backend.name]  # type: ignore[attr-defined]
    return backend


class _Borrowed:
    """Django's SQLite connection lent to Ibis, which must not end Django's transaction.

    Ibis commits after every query on SQLite; the assessment only reads, so commit and
    rollback are Django's business and do nothing here.
    """

    def __init__(self, connection: sqlite3.Connection) -> None:
        self._connection = connection

    def __getattr__(self, name: str) -> Any:
        return getattr(self._connection, name)

    def commit(self) -> None:
        pass

    def rollback(self) -> None:
        pass
