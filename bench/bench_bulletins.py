"""Bulletins: extraction precision, recall and speed; full-text search; the demo's bulletins.

    XIEZUO_DATA_DIR=/tmp/demo-var uv run python bench/bench_bulletins.py

1. Extraction (needs no database). The labelled set is tests/bulletins/labelled/ (each
NN-name.txt beside NN-name.json, the activities a reader finds in it). An activity found counts
as correct when kind and key fields match an expected one
(xiezuo.bulletins.extraction.evaluation). The place index is built from the packaged division
table (64,614 regions) and the packaged Beijing–Hebei programme, as on a set-up installation.
Printed: precision and recall per kind and overall, the time to build the index (once per
process), and the time per article, beside the baseline measured in the same run: the time to
split the same articles into sentences and read their dates (the floor any rule-based pass
pays). The articles named NN-heldout-*.txt were written after the rules and not used to tune
them: their line is the honest estimate; the others were written beside the rules.

2. Search and the demo's bulletins (needs a built demo: `XIEZUO_DATA_DIR=/tmp/demo-var uv run
xiezuo demo --no-serve`; skipped without one). Prints, for a few Chinese queries, the indexed
search (FTS5 / tsvector over character bigrams, ranked) and, as the baseline measured in the
same run, a `LIKE '%…%'` scan of title and text (unranked, every word of the query ANDed).
Goal: a search ≤ 100 ms at the demo's size. Then the time to rewrite the demo's bulletins
(goal: ≤ 2 s, the demo build's budget for them), inside a rolled-back transaction.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("XIEZUO_DATA_DIR", "/tmp/demo-var")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings")

import django

django.setup()

from django.db import DatabaseError, transaction  # noqa: E402
from django.db.models import Q  # noqa: E402

from xiezuo.access import Access  # noqa: E402
from xiezuo.bulletins import selectors  # noqa: E402
from xiezuo.bulletins.extraction import extract, sentences  # noqa: E402
from xiezuo.bulletins.extraction.evaluation import Score  # noqa: E402
from xiezuo.bulletins.extraction.loading import place_index_from_file, programme_sides_from_file  # noqa: E402
from xiezuo.bulletins.extraction.numbers import find_dates  # noqa: E402
from xiezuo.bulletins.models import Article  # noqa: E402
from xiezuo.bulletins.textfile import read_article  # noqa: E402
from xiezuo.demo.bulletins import write_bulletins  # noqa: E402
from xiezuo.programs.selectors import programme_get  # noqa: E402

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "bulletins" / "labelled"
EXTRACT_TARGET_MS = 50  # per article
HELD_OUT = "-heldout-"
ROUNDS = 20
QUERIES = ["扶贫协作", "丰宁", "劳务协作 转移就业", "消费扶贫", "张北县", "雄安新区"]
TARGET_MS = 100
REPEAT = 5


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def extraction() -> None:
    started = time.perf_counter()
    index = place_index_from_file()
    build_s = time.perf_counter() - started
    sides = programme_sides_from_file()
    cases = [
        (read_article(path), json.loads(path.with_suffix(".json").read_text("utf-8")))
        for path in sorted(LABELLED.glob("*.txt"))
    ]
    score = Score()
    held_out = Score()
    names = [path.name for path in sorted(LABELLED.glob("*.txt"))]
    for name, (article, expected) in zip(names, cases, strict=True):
        found = [a.as_json() for a in extract(article, places=index, sides=sides)]
        score.add(expected["activities"], found)
        if HELD_OUT in name:
            held_out.add(expected["activities"], found)
    print(f"labelled articles: {len(cases)}")
    print(f"{'kind':<12}{'expected':>9}{'found':>7}{'correct':>8}{'precision':>11}{'recall':>8}")
    for kind in score.kinds():
        print(
            f"{kind:<12}{score.expected[kind]:>9}{score.found[kind]:>7}{score.correct[kind]:>8}"
            f"{_pct(score.precision(kind)):>11}{_pct(score.recall(kind)):>8}"
        )
    print(
        f"{'overall':<12}{sum(score.expected.values()):>9}{sum(score.found.values()):>7}"
        f"{sum(score.correct.values()):>8}{_pct(score.precision()):>11}{_pct(score.recall()):>8}"
    )
    print(
        f"{'held out':<12}{sum(held_out.expected.values()):>9}{sum(held_out.found.values()):>7}"
        f"{sum(held_out.correct.values()):>8}{_pct(held_out.precision()):>11}"
        f"{_pct(held_out.recall()):>8}  (the *{HELD_OUT}* articles, written after the rules"
        " and never used to tune them)"
    )
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for article, _expected in cases:
            extract(article, places=index, sides=sides)
    per_article = (time.perf_counter() - started) / (ROUNDS * len(cases))
    started = time.perf_counter()
    for _ in range(ROUNDS):
        for article, _expected in cases:
            for _offset, text in sentences(article.body):
                find_dates(text, article.published.date())
    baseline = (time.perf_counter() - started) / (ROUNDS * len(cases))
    print(f"place index build (once per process): {build_s * 1000:.0f} ms")
    print(
        f"extraction per article: {per_article * 1000:.2f} ms (goal ≤ {EXTRACT_TARGET_MS} ms); "
        f"baseline, sentences and dates only: {baseline * 1000:.3f} ms"
    )
    seed = sorted(Path(os.environ.get("XIEZUO_SEED_DIR", "/work/shared/seed")).glob("*.txt"))
    if seed:
        article = read_article(seed[0])
        started = time.perf_counter()
        for _ in range(ROUNDS):
            extract(article, places=index, sides=sides)
        seed_ms = (time.perf_counter() - started) / ROUNDS * 1000
        print(f"seed article ({len(article.body)} characters): {seed_ms:.2f} ms")


def best(run) -> tuple[float, int]:
    times, found = [], 0
    for _ in range(REPEAT):
        start = time.perf_counter()
        found = run()
        times.append((time.perf_counter() - start) * 1000)
    return min(times), found


def scan(query: str) -> int:
    articles = Article.objects.filter(status=Article.Status.PUBLISHED)
    for word in query.split():
        articles = articles.filter(Q(title__contains=word) | Q(text__contains=word))
    return len(list(articles.order_by("-published")))


def search() -> None:
    try:
        count = Article.objects.filter(status=Article.Status.PUBLISHED).count()
    except DatabaseError:
        count = 0
    if not count:
        print("search: no demo bulletins (build the demo first, see the docstring): skipped")
        return
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


def main() -> None:
    extraction()
    search()


if __name__ == "__main__":
    main()
