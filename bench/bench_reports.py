"""Time the yearly self-evaluation reports: all 39 unit PDFs of a year, and the programme's.

    XIEZUO_DATA_DIR=/tmp/demo-var uv run python bench/bench_reports.py [YEAR]

On a copy of the demo database (build it with `XIEZUO_DATA_DIR=… uv run xiezuo demo
--no-serve`): the year is assessed (one stored run), then in one process

1. the content of every unit (figures, records behind them, annexes, sentences);
2. the baseline: every report rendered as HTML only, from those contents;
3. every report rendered as PDF (WeasyPrint, one font configuration for the process).

It prints each stage's total and per-report time, and content + PDF against the target of
60 s for the 39 unit reports.
"""

import os
import sqlite3
import sys
import tempfile
import time
from pathlib import Path

TARGET_S = 60


def main() -> int:
    year = int(sys.argv[1]) if len(sys.argv) > 1 else 2020
    data_dir = Path(os.environ.get("XIEZUO_DATA_DIR", "/tmp/demo-var")).resolve()
    database = data_dir / "xiezuo.sqlite3"
    if not database.exists() or database.stat().st_size < 100_000:
        print(f"no demo database at {database}: build it with")
        print(f"  XIEZUO_DATA_DIR={data_dir} uv run xiezuo demo --no-serve")
        return 1
    work = Path(tempfile.mkdtemp(prefix="bench-reports-"))
    with sqlite3.connect(database) as src, sqlite3.connect(work / "xiezuo.sqlite3") as dst:
        src.backup(dst)
    os.environ["XIEZUO_DATA_DIR"] = str(work)
    os.environ.pop("XIEZUO_DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings")
    import django

    django.setup()
    from xiezuo.access import Access
    from xiezuo.assessment.services import assessment_run
    from xiezuo.programs.selectors import programme_get
    from xiezuo.reports import content, render

    programme = programme_get()
    access = Access.operator(programme)
    started = time.perf_counter()
    run = assessment_run(access=access, programme=programme, year=year)
    print(f"assessment {year}: {time.perf_counter() - started:.1f} s (run #{run.pk})")
    units = [u for u in content.report_units(run, every=True) if u[0] != "programme"]
    print(f"units: {len(units)}")

    started = time.perf_counter()
    contents = [
        content.report_content(access=access, run=run, unit_type=t, unit=c) for t, c, _ in units
    ]
    made = time.perf_counter() - started
    _line("content", made, len(units))

    out = work / "out"
    out.mkdir()
    started = time.perf_counter()
    for (_, code, _), report in zip(units, contents, strict=True):
        (out / f"{code}.html").write_text(render.render_html(report), encoding="utf-8")
    html = time.perf_counter() - started
    _line("HTML (baseline)", html, len(units))

    started = time.perf_counter()
    render.html_to_pdf("<p>预热</p>")  # WeasyPrint's import and font configuration
    warm = time.perf_counter() - started
    print(f"WeasyPrint import and fonts: {warm:.1f} s (once per process)")
    started = time.perf_counter()
    size = 0
    for (_, code, _), report in zip(units, contents, strict=True):
        data = render.render_pdf(report)
        size += len(data)
        (out / f"{code}.pdf").write_bytes(data)
    pdf = time.perf_counter() - started
    _line("PDF", pdf, len(units))
    print(f"  {size / 1e6:.1f} MB of PDF")

    started = time.perf_counter()
    render.render_programme_pdf(content.programme_content(access=access, run=run))
    print(f"programme report (content + PDF): {time.perf_counter() - started:.1f} s")

    total = made + warm + pdf
    verdict = "within" if total <= TARGET_S else "over"
    print(
        f"39 unit PDFs: {total:.1f} s (content {made:.1f} + start {warm:.1f} + PDF {pdf:.1f}),"
        f" {verdict} the target of {TARGET_S} s; baseline HTML only {made + html:.1f} s"
    )
    return 0


def _line(label: str, seconds: float, count: int) -> None:
    print(f"{label}: {seconds:.1f} s, {seconds / max(count, 1):.2f} s per report")


if __name__ == "__main__":
    sys.exit(main())
