"""Time the bulletins' full-text search and the demo's bulletin step, beside a plain scan.

    XIEZUO_DATA_DIR=/tmp/demo-var uv run python bench/bench_bulletins.py

Needs a built demo (`XIEZUO_DATA_DIR=/tmp/demo-var uv run xiezuo demo --no-serve`). Prints, for a
few Chinese queries, the indexed search (FTS5 / tsvector over character bigrams, ranked) and,
as the baseline measured in the same run, a `LIKE '%…%'` scan of title and text (unranked, every
word of the query ANDed). Goal: a search ≤ 100 ms at the demo's size. Then the time to rewrite
the demo's bulletins (goal: ≤ 2 s, the demo build's budget for them), inside a rolled-back
transaction.
"""

import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("XIEZUO_DATA_DIR", "/tmp/demo-var")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings")

QUERIES = ["扶贫协作", "丰宁", "劳务协作 转移就业", "消费扶贫", "张北县", "雄安新区"]
TARGET_MS = 100
REPEAT = 5


def best(run) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(REPEAT):
        start = time.perf_counter()
        found = run()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), found


def scan(query: str) -> int:
    from django.db.models import Q

    from xiezuo.bulletins.models import Article

    articles = Article.objects.filter(status=Article.Status.PUBLISHED)
    for word in query.split():
        articles = articles.filter(Q(title__contains=word) | Q(text__contains=word))
    return len(list(articles.order_by("-published")))


def main() -> None:
    import django

    django.setup()
    from django.db import transaction

    from xiezuo.access import Access
    from xiezuo.bulletins import selectors
    from xiezuo.bulletins.models import Article
    from xiezuo.demo.bulletins import write_bulletins
    from xiezuo.programs.selectors import programme_get

    count = Article.objects.filter(status=Article.Status.PUBLISHED).count()
    if not count:
        sys.exit("no bulletins: build the demo first (see the docstring)")
    public = Access.public()
    print(f"published bulletins: {count}")
    print(f"{'query':<20}{'found':>7}{'search ms':>11}{'scan ms':>9}")
    worst = 0.0
    for query in QUERIES:
        ms, found = best(lambda q=query: len(selectors.article_search(access=public, query=q)))
        scan_ms, scanned = best(lambda q=query: scan(q))
        worst = max(worst, ms)
        print(f"{query:<20}{found:>7}{ms:>11.1f}{scan_ms:>9.1f}  (scan found {scanned})")
    print(f"slowest search: {worst:.1f} ms (goal ≤ {TARGET_MS} ms)")
    rows: dict[str, int] = {}
    seconds: dict[str, float] = {}
    timings = []
    for _ in range(3):
        with transaction.atomic():
            write_bulletins(programme_get(), rows=rows, seconds=seconds)
            timings.append(seconds["bulletins"])
            transaction.set_rollback(True)
    print(f"demo bulletins: {rows['bulletins']} written in {statistics.median(timings):.2f} s")


if __name__ == "__main__":
    main()
