"""Time the overview page on the full demo database, warm, through Django's test client.

    XIEZUO_DATA_DIR=/tmp/demo-var uv run python bench/bench_overview.py

Needs a database built by `uv run xiezuo demo --no-serve` in that data directory (default
/tmp/demo-var); without one it says so and exits 0. It prints the page's warm median
(first request discarded, then 20), the first (cold) request, and, to show where the time
would go without the page's cache, the overview selector and its aggregate query alone.
"""

import os
import statistics
import sys
import time
from pathlib import Path

RUNS = 20
TARGET_MS = 200


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _timed(call, runs: int = 1) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return times


def main() -> int:
    data_dir = Path(os.environ.get("XIEZUO_DATA_DIR", "/tmp/demo-var")).resolve()
    database = data_dir / "xiezuo.sqlite3"
    if "XIEZUO_DATABASE_URL" not in os.environ and not database.exists():
        print(f"no demo database at {database}: build it with")
        print(f"  XIEZUO_DATA_DIR={data_dir} uv run xiezuo demo --no-serve")
        print("overview page (full demo, SQLite, warm): skipped")
        return 0
    os.environ["XIEZUO_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.test import Client

    from xiezuo.access import Access
    from xiezuo.core.versions import REGISTRY, version_key
    from xiezuo.programs.models import Programme
    from xiezuo.programs.selectors import pairing_list, programme_get
    from xiezuo.registry.models import Household, Member
    from xiezuo.registry.selectors import cohort_rows, programme_overview

    try:
        programme = programme_get()
    except Programme.DoesNotExist:
        print(f"the database at {database} holds no programme: run `xiezuo demo` first")
        return 0
    households, members = Household.objects.count(), Member.objects.count()
    print(f"{programme.name}: {households:,} households, {members:,} members")

    cache.clear()
    client = Client(HTTP_HOST="localhost")

    def get() -> None:
        response = client.get("/")
        assert response.status_code == 200, response.status_code

    (cold,) = _timed(get)
    warm = statistics.median(_timed(get, RUNS))
    print(f"overview page (full demo, SQLite, warm): {warm * 1000:.0f} ms  target ≤ {TARGET_MS} ms")
    print(f"  first request (cache empty): {_ms(cold)}")

    counties = sorted({p.recipient_id for p in pairing_list(programme=programme)})
    revision = statistics.median(_timed(lambda: version_key(REGISTRY), 5))
    aggregate = statistics.median(_timed(lambda: cohort_rows(counties=counties), 3))
    selector = statistics.median(
        _timed(lambda: programme_overview(access=Access.public(programme)), 3)
    )
    print(f"  registry version query (the cache key, every request): {_ms(revision)}")
    print(f"  programme_overview uncached: {_ms(selector)}, of which cohort_rows {_ms(aggregate)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
