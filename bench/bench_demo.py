"""Time the full-scale demo build on a fresh SQLite database, and the bulk path it rests on.

    uv run python bench/bench_demo.py

Builds into a temporary data directory (removed afterwards) and prints: the seconds of
`setup` and of `demo_build(scale=1)` (registry and ledgers) beside the target (60 s, stretch
20 s), one row per stage (rows written, seconds, rows per second) and the load's rows per
second; then the rows per second of `bulk_insert` for the members table against raw
`sqlite3.executemany` of the same rows into an identical empty table (target ≥ 50 %). When
the PostgreSQL server of XIEZUO_BENCH_PG answers (default
postgres://postgres@127.0.0.1:5432/xiezuo_bench; the database is created if missing), the
same comparison runs there against raw psycopg COPY.
"""

import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 60
STRETCH_S = 20
BULK_TARGET = 0.5
RUNS = 2
PG_DEFAULT = "postgres://postgres@127.0.0.1:5432/xiezuo_bench"


def main() -> int:
    data_dir = Path(tempfile.mkdtemp(prefix="xiezuo-bench-demo-"))
    try:
        return _run(data_dir)
    finally:
        shutil.rmtree(data_dir, ignore_errors=True)


def _run(data_dir: Path) -> int:
    os.environ["XIEZUO_DATA_DIR"] = str(data_dir)
    os.environ["XIEZUO_DATABASE_URL"] = f"sqlite:///{data_dir / 'xiezuo.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings")
    pg_url = os.environ.get("XIEZUO_BENCH_PG", PG_DEFAULT)
    pg_reason = _prepare_postgres(pg_url)

    import dj_database_url
    import django
    from django.conf import settings

    if pg_reason is None:
        settings.DATABASES["bench_pg"] = dj_database_url.parse(pg_url)
    django.setup()
    from django.core.management import call_command

    from xiezuo.demo.services import demo_build

    start = time.perf_counter()
    call_command("setup", verbosity=0)
    setup_s = time.perf_counter() - start
    print(f"setup (migrate + divisions + programme, SQLite): {setup_s:.1f} s")

    summary = demo_build(scale=1.0)
    rows = sum(summary.rows.values())
    verdict = "ok" if summary.seconds <= TARGET_S else "OVER TARGET"
    if summary.seconds <= STRETCH_S:
        verdict = "ok, stretch met"
    print(
        f"demo build (scale 1, SQLite): {summary.seconds:.1f} s  "
        f"target ≤ {TARGET_S} s (stretch {STRETCH_S} s)  {verdict}"
    )
    print(f"  {'stage':<14}{'rows':>11}{'seconds':>9}{'rows/s':>12}")
    for stage, seconds in summary.stage_seconds.items():
        count = summary.rows.get(stage, 0)
        rate = f"{count / seconds:,.0f}" if seconds else "-"
        print(f"  {stage:<14}{count:>11,}{seconds:>9.2f}{rate:>12}")
    staged = sum(summary.stage_seconds.values())
    print(f"  {'(other)':<14}{'':>11}{summary.seconds - staged:>9.2f}  reading, wiping")
    print(
        f"  fiscal aid {summary.fiscal_aid:,.2f} 万元, "
        f"{summary.closely_linked_share:.1f} % of project money closely linked"
    )
    print(f"  load: {rows:,} rows, {rows / summary.seconds:,.0f} rows/s over the whole build")
    print(
        f"  {summary.households:,} households, {summary.people:,} people, "
        f"{summary.people_lifted:,} lifted, incidence {summary.incidence:.2f} % at end "
        f"{summary.last_year}"
    )
    setup_plus = setup_s + summary.seconds
    print(f"setup + build: {setup_plus:.1f} s  target ≤ {TARGET_S} s")

    member_rows = _member_rows(summary.seed)
    ok = summary.seconds <= TARGET_S
    ok &= _compare_sqlite(member_rows)
    if pg_reason is None:
        ok &= _compare_postgres(member_rows, pg_url)
    else:
        print(f"bulk path (PostgreSQL COPY): skipped, {pg_reason}")
    return 0 if ok else 1


def _member_rows(seed: int) -> list[tuple]:
    """Return the member rows the build inserted, drawn again from the same seed."""
    from xiezuo.demo import generate
    from xiezuo.demo.profile import load_names, load_profile
    from xiezuo.demo.services import MEMBER_FIELDS, _geography
    from xiezuo.programs.selectors import programme_get

    programme = programme_get()
    profile, names = load_profile(), load_names()
    geography = _geography(programme)
    rng = generate.streams(seed)
    households = generate.make_households(
        rng["households"],
        geography,
        profile,
        names,
        scale=1.0,
        last_year=programme.end_year,
    )
    members = generate.make_members(
        rng["members"],
        households,
        geography,
        profile,
        names,
        reference_year=programme.end_year,
    )
    columns = [range(1, members.count + 1), (members.household + 1).tolist()]
    columns += [members.columns[name] for name in MEMBER_FIELDS[2:]]
    return list(zip(*columns, strict=True))


def _compare_sqlite(rows: list[tuple]) -> bool:
    from django.db import connection, transaction

    from xiezuo.core.bulk import bulk_insert
    from xiezuo.demo.services import MEMBER_FIELDS
    from xiezuo.registry.models import Member

    table = Member._meta.db_table
    raw = connection.connection
    ddl = [
        sql.replace(table, "bench_member")
        for (sql,) in raw.execute(
            "SELECT sql FROM sqlite_master WHERE tbl_name = ? AND sql IS NOT NULL", (table,)
        )
    ]
    columns = ", ".join(f'"{c}"' for c in _columns(Member, MEMBER_FIELDS))
    insert = f"INSERT INTO bench_member ({columns}) VALUES ({', '.join('?' * len(MEMBER_FIELDS))})"

    def with_bulk_insert() -> None:
        raw.execute(f'DELETE FROM "{table}"')
        start = time.perf_counter()
        bulk_insert(Member, MEMBER_FIELDS, rows)
        timings["bulk"].append(time.perf_counter() - start)

    def with_executemany() -> None:
        for sql in ddl:
            raw.execute(sql)
        start = time.perf_counter()
        raw.executemany(insert, rows)
        timings["raw"].append(time.perf_counter() - start)

    timings: dict[str, list[float]] = {"bulk": [], "raw": []}
    for _ in range(RUNS):
        for step in (with_executemany, with_bulk_insert):
            with transaction.atomic():
                step()
                transaction.set_rollback(True)
    return _print_ratio("SQLite", "raw sqlite3.executemany", len(rows), timings)


def _compare_postgres(rows: list[tuple], url: str) -> bool:
    """Compare on PostgreSQL, each side into an empty copy of the members table.

    The copies live in a private schema named first on the search path, so `bulk_insert`
    (which names the table unqualified) writes there, and whatever other benches left in the
    shared database's own tables changes nothing. Every run is rolled back.
    """
    import psycopg
    from django.core.management import call_command
    from django.db import connections, transaction

    from xiezuo.core.bulk import bulk_insert
    from xiezuo.demo.services import MEMBER_FIELDS
    from xiezuo.registry.models import Member

    call_command("migrate", database="bench_pg", verbosity=0)
    columns = ", ".join(f'"{c}"' for c in _columns(Member, MEMBER_FIELDS))
    schema = f"bench_demo_{os.getpid()}"
    timings: dict[str, list[float]] = {"bulk": [], "raw": []}
    for _ in range(RUNS):
        with psycopg.connect(url) as raw, raw.cursor() as cursor:
            for statement in _private_members_table(schema):
                cursor.execute(statement)
            start = time.perf_counter()
            with cursor.copy(f'COPY "{schema}".registry_member ({columns}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
            timings["raw"].append(time.perf_counter() - start)
            raw.rollback()
        with transaction.atomic(using="bench_pg"):
            with connections["bench_pg"].cursor() as cursor:
                for statement in _private_members_table(schema):
                    cursor.execute(statement)
            start = time.perf_counter()
            bulk_insert(Member, MEMBER_FIELDS, rows, using="bench_pg")
            timings["bulk"].append(time.perf_counter() - start)
            transaction.set_rollback(True, using="bench_pg")
    return _print_ratio("PostgreSQL COPY", "raw psycopg COPY", len(rows), timings)


def _private_members_table(schema: str) -> list[str]:
    """Return SQL making an empty copy of the members table, first on this transaction's path.

    Same columns, defaults, indexes and deferred foreign key as the real table.
    """
    from xiezuo.registry.models import Household, Member

    table, households = Member._meta.db_table, Household._meta.db_table
    return [
        f'CREATE SCHEMA "{schema}"',
        f'SET LOCAL search_path TO "{schema}", public',
        f'CREATE TABLE "{schema}"."{table}" (LIKE public."{table}" INCLUDING ALL)',
        f'ALTER TABLE "{schema}"."{table}" ADD FOREIGN KEY (household_id) '
        f'REFERENCES public."{households}" (id) DEFERRABLE INITIALLY DEFERRED',
    ]


def _columns(model, fields) -> list[str]:
    from xiezuo.core.bulk import table_and_columns

    return table_and_columns(model, fields)[1]


def _print_ratio(where: str, against: str, count: int, timings: dict[str, list[float]]) -> bool:
    bulk = count / min(timings["bulk"])
    raw = count / min(timings["raw"])
    ratio = bulk / raw
    verdict = "ok" if ratio >= BULK_TARGET else "BELOW TARGET"
    print(
        f"bulk_insert members ({where}): {bulk:,.0f} rows/s; {against}: {raw:,.0f} rows/s; "
        f"{ratio:.0%}  target ≥ {BULK_TARGET:.0%}  {verdict}  ({count:,} rows, best of {RUNS})"
    )
    return ratio >= BULK_TARGET


def _prepare_postgres(url: str) -> str | None:
    """Create the bench database if the server answers; return why not, or None."""
    try:
        import psycopg
        from psycopg import sql
    except ImportError:
        return "psycopg is not installed"
    import dj_database_url

    config = dj_database_url.parse(url)
    params = {
        "host": config.get("HOST") or None,
        "port": config.get("PORT") or None,
        "user": config.get("USER") or None,
        "password": config.get("PASSWORD") or None,
        "connect_timeout": 3,
    }
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", (config["NAME"],)
            ).fetchone()
            if not exists:
                admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(config["NAME"])))
    except psycopg.Error as error:
        return f"no server answers at {url} ({error.__class__.__name__})"
    return None


if __name__ == "__main__":
    sys.exit(main())
