"""Time the yearly self-evaluation reports: all 39 unit PDFs of a year, and the programme's.

    XIEZUO_DATA_DIR=/tmp/demo-var uv run python bench/bench_reports.py [YEAR]

On a copy of the demo database (build it once with `XIEZUO_DATA_DIR=… uv run xiezuo demo
--no-serve` and keep the directory: the bench never writes to it). The year's latest stored
run of the demo is reused; XIEZUO_BENCH_ASSESS=1 assesses the year again in the copy first
(one more stored run, timed). XIEZUO_BENCH_BASELINE=N (default 3) sets how many units the
baseline is measured on. Then in one process:

1. the baseline: the content of the first N units one by one, as a single report is made
   (the records behind each figure queried per unit and indicator), extrapolated to all units;
2. the content of every unit in one pass (`content.batch`: one query per indicator and one
   per ledger for all units), and the HTML of every report from those contents;
3. the PDFs as `xiezuo report --all --format pdf` writes them (`render.write_reports`: the
   workers of a process pool, WeasyPrint imported and fonts configured once per worker), each
   report's time printed; then the whole command, end to end, as an office runs it: `xiezuo
   report --year Y --all --format pdf` in a process of its own (start-up, content and PDFs).

It prints each stage's total and per-report time, and the command's total against the target
of 60 s for the 39 unit reports and the programme's, with the machine's load average when it
started (on a machine shared with other work, the wall time depends on their load).
"""

import os
import sqlite3
import subprocess
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
    from xiezuo.assessment.models import AssessmentRun
    from xiezuo.assessment.services import assessment_run
    from xiezuo.programs.selectors import programme_get
    from xiezuo.reports import content, render

    programme = programme_get()
    access = Access.operator(programme)
    run = AssessmentRun.objects.filter(programme=programme, year=year).first()
    if run is None or os.environ.get("XIEZUO_BENCH_ASSESS") == "1":
        started = time.perf_counter()
        run = assessment_run(access=access, programme=programme, year=year)
        print(f"assessment {year}: {time.perf_counter() - started:.1f} s (run #{run.pk})")
    else:
        print(f"assessment {year}: the demo's run #{run.pk}")
    units = [u for u in content.report_units(run, every=True) if u[0] != "programme"]
    print(f"units: {len(units)}")

    sample = units[: int(os.environ.get("XIEZUO_BENCH_BASELINE", "3"))]
    started = time.perf_counter()
    for t, c, _ in sample:
        content.report_content(access=access, run=run, unit_type=t, unit=c)
    one_by_one = (time.perf_counter() - started) / max(len(sample), 1)
    print(
        f"baseline, content one unit at a time: {one_by_one:.2f} s per report"
        f" (on {len(sample)}), ≈ {one_by_one * len(units):.1f} s for {len(units)}"
    )

    started = time.perf_counter()
    with content.batch(run, access=access):
        shared = time.perf_counter() - started
        contents = [
            content.report_content(access=access, run=run, unit_type=t, unit=c) for t, c, _ in units
        ]
    made = time.perf_counter() - started
    _line(f"content in one pass (shared queries {shared:.1f} s)", made, len(units))

    out = work / "out"
    out.mkdir()
    started = time.perf_counter()
    for (_, code, _), report in zip(units, contents, strict=True):
        (out / f"{code}.html").write_text(render.render_html(report), encoding="utf-8")
    html = time.perf_counter() - started
    _line("HTML", html, len(units))

    jobs = [
        (report, "pdf", out / f"{code}.pdf")
        for (_, code, _), report in zip(units, contents, strict=True)
    ]
    jobs.append((content.programme_content(access=access, run=run), "pdf", out / "programme.pdf"))
    started = time.perf_counter()
    times = []
    last = started
    for _ in render.write_reports(jobs):
        now = time.perf_counter()
        times.append(now - last)
        last = now
    pdf = time.perf_counter() - started
    workers = render.pdf_workers(len(jobs))
    print(f"PDF ({workers} worker{'s' if workers > 1 else ''}, start included):")
    for (_, _, path), seconds in zip(jobs, times, strict=True):
        print(f"  {path.name}: {seconds:.2f} s (as finished, in order)")
    _line("PDF", pdf, len(jobs))
    size = sum(path.stat().st_size for _, _, path in jobs)
    print(f"  {size / 1e6:.1f} MB of PDF")

    # The command as an office runs it: a process of its own (Django's start and system checks
    # included), its PDF workers started by it.
    command_out = work / "command"
    load = os.getloadavg()[0]
    started = time.perf_counter()
    args = ["report", "--year", str(year), "--all", "--format", "pdf", "-o", str(command_out)]
    subprocess.run(
        [sys.executable, "-m", "xiezuo", *args],
        check=True,
        capture_output=True,
    )
    command = time.perf_counter() - started
    written = len(list(command_out.glob("*.pdf")))
    verdict = "within" if command <= TARGET_S else "over"
    print(
        f"xiezuo report --year {year} --all --format pdf: {written} PDFs in {command:.1f} s"
        f" ({command / max(written, 1):.2f} s per report), {verdict} the target of {TARGET_S} s;"
        f" baseline content alone ≈ {one_by_one * len(units):.1f} s"
    )
    print(
        f"  on {os.cpu_count()} cores, load average {load:.1f} when it started"
        f" (other work on the machine lengthens the wall time)"
    )
    return 0


def _line(label: str, seconds: float, count: int) -> None:
    print(f"{label}: {seconds:.1f} s, {seconds / max(count, 1):.2f} s per report")


if __name__ == "__main__":
    sys.exit(main())
