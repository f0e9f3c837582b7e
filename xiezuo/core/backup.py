"""Backup and restore of the database of record, and the checksums that prove a round trip.

SQLite is copied online with SQLite's own backup API (a consistent snapshot while the site
runs; readers and the writer are not stopped). PostgreSQL goes through `pg_dump` in its custom
format and `pg_restore` in one transaction (`--single-transaction --clean --if-exists`), so a
restore that fails leaves the database as it was. A file from one kind of database is refused
by the other with a clear message.

`table_checksums` returns, per table of the installed models, the row count and a digest of
every row in primary-key order: the same data gives the same figures on both sides.
"""

import hashlib
import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps
from django.db import connection, connections

from xiezuo.core.errors import XiezuoError

SQLITE_MAGIC = b"SQLite format 3\x00"
PG_CUSTOM_MAGIC = b"PGDMP"


class BackupError(XiezuoError):
    """The backup or the restore cannot be done as asked."""


@dataclass(frozen=True)
class TableSum:
    table: str
    rows: int
    digest: str


def table_checksums() -> dict[str, TableSum]:
    """Return {table: (rows, digest)} of every installed model's table that exists."""
    existing = set(connection.introspection.table_names())
    sums = {}
    with connection.cursor() as cursor:
        for model in apps.get_models(include_auto_created=True):
            table = model._meta.db_table
            if table not in existing or table in sums or not model._meta.managed:
                continue
            quoted = connection.ops.quote_name(table)
            order = connection.ops.quote_name(str(model._meta.pk.column))
            cursor.execute(f"SELECT * FROM {quoted} ORDER BY {order}")  # noqa: S608
            digest = hashlib.sha256()
            rows = 0
            while batch := cursor.fetchmany(5000):
                for row in batch:
                    digest.update(repr(tuple(_plain(v) for v in row)).encode())
                rows += len(batch)
            sums[table] = TableSum(table, rows, digest.hexdigest()[:16])
    return sums


def _plain(value: object) -> object:
    """Return a value as both databases give it back (memoryview, bool as int, …)."""
    if isinstance(value, memoryview):
        return bytes(value)
    if isinstance(value, bool):
        return int(value)
    return str(value) if value is not None and not isinstance(value, int | str) else value


def backup(path: Path) -> dict[str, TableSum]:
    """Write a backup of the database to `path`; return the checksums of what it holds."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    sums = table_checksums()
    if connection.vendor == "sqlite":
        _sqlite_backup(path)
    elif connection.vendor == "postgresql":
        _pg_run(["pg_dump", "--format=custom", "--no-owner", f"--file={path}"])
    else:  # pragma: no cover - the two databases Xiezuo runs on
        raise BackupError(f"不支持的数据库：{connection.vendor}")
    path.chmod(0o600)
    return sums


def restore(path: Path) -> dict[str, TableSum]:
    """Replace the database's contents with the backup at `path`; return the checksums after.

    The file must come from the same kind of database. Every other connection of this process
    is closed first; other processes (the web server, the worker) should be stopped.
    """
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"备份文件不存在：{path}")
    with path.open("rb") as f:
        head = f.read(16)
    if connection.vendor == "sqlite":
        if head != SQLITE_MAGIC:
            raise BackupError(f"{path.name} 不是 SQLite 备份文件（当前数据库是 SQLite）。")
        _sqlite_restore(path)
    elif connection.vendor == "postgresql":
        if not head.startswith(PG_CUSTOM_MAGIC):
            raise BackupError(
                f"{path.name} 不是 pg_dump 自定义格式的备份文件（当前数据库是 PostgreSQL）。"
            )
        connections.close_all()
        _pg_run(
            [
                "pg_restore",
                "--single-transaction",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--exit-on-error",
                str(path),
            ],
            database_flag=True,
        )
    else:  # pragma: no cover
        raise BackupError(f"不支持的数据库：{connection.vendor}")
    return table_checksums()


# --- SQLite ----------------------------------------------------------------------------------


def _sqlite_backup(path: Path) -> None:
    connection.ensure_connection()
    source: sqlite3.Connection = connection.connection  # type: ignore[assignment]
    partial = path.with_name(path.name + ".partial")
    partial.unlink(missing_ok=True)
    target = sqlite3.connect(partial)
    try:
        source.backup(target)
    finally:
        target.close()
    partial.replace(path)


def _sqlite_restore(path: Path) -> None:
    source = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        tables = {r[0] for r in source.execute("SELECT name FROM sqlite_master")}
        if "django_migrations" not in tables:
            raise BackupError(f"{path.name} 不是 Xiezuo 的数据库备份（没有迁移记录）。")
        connection.ensure_connection()
        target: sqlite3.Connection = connection.connection  # type: ignore[assignment]
        source.backup(target)
    finally:
        source.close()


# --- PostgreSQL ------------------------------------------------------------------------------


def _pg_run(command: list[str], *, database_flag: bool = False) -> None:
    """Run a PostgreSQL client with the connection settings of the default database."""
    settings = connection.settings_dict
    tool = command[0]
    if shutil.which(tool) is None:
        raise BackupError(f"找不到 {tool}：请安装 PostgreSQL 客户端（postgresql-client）。")
    env = {**os.environ}
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])
    args = [*command]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args.append(f"{flag}={settings[key]}")
    name = str(settings["NAME"])
    args.append(f"--dbname={name}" if database_flag else name)
    result = subprocess.run(args, capture_output=True, text=True, env=env, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{tool} 失败：{result.stderr.strip()[-2000:]}")
