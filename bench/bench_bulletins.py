"""Precision and recall of the bulletin extraction on the hand-labelled set, and its speed.

    uv run python bench/bench_bulletins.py

The labelled set is tests/bulletins/labelled/ (each NN-name.txt beside NN-name.json, the
activities a reader finds in it). An activity found counts as correct when kind and key fields
match an expected one (xiezuo.bulletins.extraction.evaluation). The place index is built from
the packaged division table (64,614 regions) and the packaged Beijing–Hebei programme, as on a
set-up installation, without a database. Printed: precision and recall per kind and overall,
the time to build the index (once per process), and the time per article, beside the baseline
measured in the same run: the time to split the same articles into sentences and read their
dates (the floor any rule-based pass pays).

The articles named NN-heldout-*.txt were written after the rules and not used to tune them:
their line is the honest estimate; the others were written beside the rules (development set).
"""

import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings")

import django

django.setup()

from xiezuo.bulletins.extraction import extract, sentences  # noqa: E402
from xiezuo.bulletins.extraction.evaluation import Score  # noqa: E402
from xiezuo.bulletins.extraction.loading import (  # noqa: E402
    place_index_from_file,
    programme_sides_from_file,
)
from xiezuo.bulletins.extraction.numbers import find_dates  # noqa: E402
from xiezuo.bulletins.textfile import read_article  # noqa: E402

LABELLED = Path(__file__).resolve().parents[1] / "tests" / "bulletins" / "labelled"
TARGET_MS = 50  # per article
HELD_OUT = "-heldout-"
ROUNDS = 20


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value:.1%}"


def main() -> None:
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
        f"extraction per article: {per_article * 1000:.2f} ms (goal ≤ {TARGET_MS} ms); "
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


if __name__ == "__main__":
    main()
