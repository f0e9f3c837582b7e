"""Time API reads on the full demo database, warm, through Django's test client.

    XIEZUO_DATA_DIR=/tmp/demo-var uv run python bench/bench_api.py

Needs a database built by `uv run xiezuo demo --no-serve` in that data directory (default
/tmp/demo-var); without one it says so and exits 0. As the 康保 county office (a token) and
the programme office, it prints the warm median of a page of 100 households, of 100 members,
of 100 projects of a year, and a page deep in the list (after 20 cursors), beside the
household list page (`/households/`, 50 a page) as the baseline; then the rate of a CSV stream
of every member the programme office reads.
"""

import os
import statistics
import sys
import time
from pathlib import Path

RUNS = 15
TARGET_MS = 300  # issue 11: p95 ≤ 300 ms for pages and API reads


def _median_ms(call, runs: int = RUNS) -> float:
    call()  # warm
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times) * 1000


def main() -> int:
    data_dir = Path(os.environ.get("XIEZUO_DATA_DIR", "/tmp/demo-var")).resolve()
    database = data_dir / "xiezuo.sqlite3"
    if "XIEZUO_DATABASE_URL" not in os.environ and not database.exists():
        print(f"no demo database at {database}: build it with")
        print(f"  XIEZUO_DATA_DIR={data_dir} uv run xiezuo demo --no-serve")
        print("API reads (full demo, SQLite, warm): skipped")
        return 0
    os.environ["XIEZUO_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.test import Client

    from xiezuo.access.models import Grant
    from xiezuo.api.tokens import token_create, token_revoke
    from xiezuo.registry.models import Household, Member

    print(f"{Household.objects.count():,} households, {Member.objects.count():,} members")
    offices = {}
    for role in ("county_office", "programme_office"):
        grant = Grant.objects.filter(role=role).select_related("user").order_by("pk").first()
        if grant is None:
            print(f"no {role} account in the demo: run `xiezuo demo` first")
            return 0
        offices[role] = grant
    county = offices["county_office"]
    issued = {
        role: token_create(username=g.user.username, read_only=True) for role, g in offices.items()
    }
    try:
        token = Client(
            HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {issued['county_office'].secret}"
        )
        region = county.region_code

        def get(client, url: str):
            response = client.get(url)
            assert response.status_code == 200, (url, response.status_code)
            return response

        page = Client(HTTP_HOST="localhost")
        page.force_login(get_user_model().objects.get(pk=county.user_id))
        baseline = _median_ms(lambda: get(page, "/households/"))
        print(f"baseline: household list page (/households/, 50 a page): {baseline:.0f} ms")
        for label, url in (
            ("households, 100 a page", f"/api/households?region={region}&limit=100"),
            ("members, 100 a page", "/api/ledgers/members?limit=100"),
            ("projects of 2019, 100 a page", "/api/ledgers/projects?year=2019&limit=100"),
        ):
            ms = _median_ms(lambda url=url: get(token, url))
            print(f"API {label}: {ms:.0f} ms  target ≤ {TARGET_MS} ms")
        cursor = None
        for _ in range(20):
            body = get(
                token, "/api/households?limit=100" + (f"&cursor={cursor}" if cursor else "")
            ).json()
            cursor = body["next"]
        deep = _median_ms(lambda: get(token, f"/api/households?limit=100&cursor={cursor}"))
        print(f"API households, page 21 (by cursor): {deep:.0f} ms  target ≤ {TARGET_MS} ms")

        everything = Client(
            HTTP_HOST="localhost", HTTP_AUTHORIZATION=f"Bearer {issued['programme_office'].secret}"
        )
        start = time.perf_counter()
        response = get(everything, "/api/ledgers/members?format=csv")
        size = sum(len(chunk) for chunk in response.streaming_content)
        seconds = time.perf_counter() - start
        rows = Member.objects.count()
        print(
            f"CSV stream of every member ({rows:,} rows, {size / 1e6:.0f} MB): {seconds:.1f} s, "
            f"{rows / seconds:,.0f} rows/s"
        )
    finally:
        for made in issued.values():
            token_revoke(token_or_id=str(made.token.pk))
    return 0


if __name__ == "__main__":
    sys.exit(main())
