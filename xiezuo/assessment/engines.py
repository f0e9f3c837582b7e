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
from typing import TYPE_CHECKING, Any

from xiezuo.assessment.tables import TABLES, Tables
from xiezuo.core.errors import XiezuoError

if TYPE_CHECKING:
    from ibis.backends import BaseBackend

ENGINES = ("db", "duckdb", "spark")


class EngineError(XiezuoError):
    """An engine cannot be reached or lacks a table."""


def connect(engine: str, *, snapshot: Path | str | None = None, separate: bool = False) -> Tables:
    """Return the table namespace of `engine` (`snapshot`: the Parquet directory)."""
    if engine == "db":
        return _db_tables(separate=separate)
    if engine not in ENGINES:
        raise EngineError(f"未知的计算引擎 {engine!r}（可用: {', '.join(ENGINES)}）")
    if snapshot is None:
        raise EngineError(f"{engine} 引擎需要快照目录（xiezuo snapshot -o DIR 生成）")
    directory = Path(snapshot)
    if not (directory / "pairing.parquet").exists():
        raise EngineError(f"{directory} 不是考核快照目录（缺少 pairing.parquet）")
    import ibis

    if engine == "duckdb":
        backend = ibis.duckdb.connect()
        close = backend.disconnect
    else:
        backend, close = spark_backend(), None  # the session serves the whole process
    return Tables(lambda name: _read_parquet(backend, directory, name), engine=engine, close=close)


def _db_tables(*, separate: bool) -> Tables:
    """Return the namespace of the live database. Ibis is loaded only when a query must be
    built: a plan compiled before (kept in the process or on disk) runs without it, on
    Django's own connection."""
    from django.db import connection

    if connection.vendor not in ("sqlite", "postgresql"):
        raise EngineError(f"db 引擎不支持数据库 {connection.vendor}")
    if separate:
        backend = db_backend(separate=True)
        return Tables(
            lambda name: backend.table(TABLES[name].db_table),
            engine="db",
            close=backend.disconnect,
            backend=backend,
        )
    found: list[BaseBackend] = []

    def borrowed() -> "BaseBackend":
        if not found:
            found.append(db_backend())
        return found[0]

    return Tables(
        lambda name: borrowed().table(TABLES[name].db_table),
        engine="db",
        backend=borrowed,
        dialect="sqlite" if connection.vendor == "sqlite" else "postgres",
        borrowed=True,
    )


def db_backend(*, separate: bool = False) -> "BaseBackend":
    """Return an Ibis backend over Django's default database."""
    import ibis
    from django.db import connection

    from xiezuo.assessment._compilers import own_compiler

    vendor = connection.vendor
    if vendor not in ("sqlite", "postgresql"):
        raise EngineError(f"db 引擎不支持数据库 {vendor}")
    if separate:
        return _own_backend(connection.settings_dict, vendor)
    connection.ensure_connection()
    raw = connection.connection
    if vendor == "sqlite":
        backend = own_compiler(ibis.sqlite.from_connection(_Borrowed(raw)))  # type: ignore[arg-type]
        # Ibis turns case-sensitive LIKE on; Django's lookups on this connection expect it off.
        raw.execute("PRAGMA case_sensitive_like = OFF")
        return backend
    return own_compiler(ibis.postgres.from_connection(raw))


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


def spark_backend() -> "BaseBackend":
    """Return an Ibis backend over the local Spark session."""
    import ibis

    return ibis.pyspark.connect(spark_session())


def _read_parquet(backend: "BaseBackend", directory: Path, name: str) -> Any:
    path = directory / f"{name}.parquet"
    if not path.exists():
        raise EngineError(f"快照 {directory} 缺少表 {name}", table=name)
    return backend.read_parquet(str(path), table_name=f"xiezuo_{name}")  # type: ignore[attr-defined]


def _own_backend(settings: dict[str, Any], vendor: str) -> "BaseBackend":
    import ibis

    from xiezuo.assessment._compilers import own_compiler

    name = str(settings["NAME"])
    if vendor == "sqlite":
        if name.startswith("file:") or name == ":memory:":
            # pytest-django's in-memory test database, shared by URI inside this process.
            return own_compiler(ibis.sqlite.from_connection(sqlite3.connect(name, uri=True)))
        return own_compiler(ibis.sqlite.connect(name))
    return own_compiler(
        ibis.postgres.connect(
            host=settings.get("HOST") or None,
            port=int(settings.get("PORT") or 5432),
            user=settings.get("USER") or None,
            password=settings.get("PASSWORD") or None,
            database=name,
        )
    )


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
