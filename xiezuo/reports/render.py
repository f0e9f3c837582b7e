"""A report's content as a printable HTML page and as a PDF, from one template.

Rendering depends on the content dict only (see `content.py`): a frozen report stored as its
content renders the same years later. Charts are drawn here, from the content's numbers
(`charts.py`). The PDF is WeasyPrint's rendering of the same HTML (imported when a PDF is
made); its font configuration is made once per process and reused.

Many reports at once (`write_reports`: the command, the zip of a year) render their PDFs in a
pool of worker processes, one per core, each importing WeasyPrint and configuring its fonts
once; the contents are made in the calling process (the database is read there only).
"""

import contextlib
import os
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from functools import cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from xiezuo.core.errors import XiezuoError
from xiezuo.reports import charts


class ReportFormatError(XiezuoError):
    """A format the reports cannot be written in (yet)."""


FIELD_SEPARATOR = " ｜ "  # between the fields of an annex's record
SIDES = (("helper", "帮扶方（区）"), ("recipient", "受援方（县）"))


def render_html(content: dict) -> str:
    """Return a unit's report as a standalone printable HTML page."""
    paragraphs = content.get("paragraphs") or []
    areas = [
        {
            **area,
            "chart": mark_safe(charts.area_bars(area)),  # noqa: S308 - drawn here, escaped
            "paragraphs": [_text(p) for p in paragraphs if _after(p) == area["key"]],
        }
        for area in content["areas"]
    ]
    keys = {area["key"] for area in content["areas"]}
    context: dict[str, Any] = {
        "c": content,
        "areas": areas,
        "annexes": [
            {
                **annex,
                "columns_line": FIELD_SEPARATOR.join(annex["columns"]),
                "lines": [FIELD_SEPARATOR.join(c or "—" for c in row) for row in annex["rows"]],
            }
            for annex in content["annexes"]["ledgers"]
        ],
        "paragraphs": [_text(p) for p in paragraphs if _after(p) not in keys],
        "charts": {"trend": mark_safe(charts.trend_line(content["summary"]["trend"]))},  # noqa: S308
    }
    return render_to_string("reports/report.html", context)


def _after(paragraph: Any) -> str:
    return paragraph.get("after", "summary") if isinstance(paragraph, dict) else "summary"


def _text(paragraph: Any) -> str:
    return str(paragraph.get("text", "")) if isinstance(paragraph, dict) else str(paragraph)


def render_programme_html(content: dict) -> str:
    """Return the programme's report as a standalone printable HTML page."""
    sides = [
        {
            "title": title,
            "rows": [
                {**row, "area_list": [row["areas"].get(a, "—") for a in content["work_areas"]]}
                for row in content["rankings"].get(side, [])
            ],
        }
        for side, title in SIDES
    ]
    context = {
        "c": content,
        "paragraphs": [_text(p) for p in content.get("paragraphs") or []],
        "sides": sides,
        "charts": {"map": mark_safe(charts.county_map(content["map"]))},  # noqa: S308
    }
    return render_to_string("reports/programme.html", context)


def render_pdf(content: dict) -> bytes:
    """Return a unit's report as PDF bytes."""
    return html_to_pdf(render_html(content))


def render_programme_pdf(content: dict) -> bytes:
    """Return the programme's report as PDF bytes."""
    return html_to_pdf(render_programme_html(content))


@cache
def _fonts() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def html_to_pdf(html: str) -> bytes:
    """Return the PDF of a standalone HTML page (WeasyPrint, fonts configured once)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = HTML(string=html, base_url=None)
    return document.write_pdf(font_config=_fonts())


def write_report(content: dict, *, fmt: str, path: Path) -> None:
    """Write a report's content as `fmt` (pdf, html or xlsx) to `path`."""
    programme = content.get("kind") == "programme"
    if fmt == "pdf":
        data = render_programme_pdf(content) if programme else render_pdf(content)
        path.write_bytes(data)
    elif fmt == "html":
        text = render_programme_html(content) if programme else render_html(content)
        path.write_text(text, encoding="utf-8")
    elif fmt == "xlsx":
        try:
            from xiezuo.reports.xlsx import write_workbook  # type: ignore[import-not-found]
        except ImportError:
            raise ReportFormatError("本版本尚不能写出 XLSX 格式的自评报告") from None
        write_workbook(content, path)
    else:
        raise ReportFormatError(f"未知的报告格式 {fmt}（可用：pdf、html、xlsx）")


Job = tuple[dict, str, Path]  # content, format, path


def pdf_workers(count: int | None = None) -> int:
    """Return how many worker processes render `count` PDFs: one per core, at most one per
    report; XIEZUO_REPORT_WORKERS overrides (1: in the calling process)."""
    wanted = os.environ.get("XIEZUO_REPORT_WORKERS", "")
    workers = int(wanted) if wanted.isdigit() and int(wanted) > 0 else (os.cpu_count() or 1)
    return max(1, min(workers, count if count is not None else workers))


def write_reports(
    jobs: Iterable[Job], *, count: int | None = None, pool: ProcessPoolExecutor | None = None
) -> Iterator[Path]:
    """Write each (content, format, path) of `jobs` and yield the paths in the jobs' order as
    they are written. PDFs are rendered by a pool of `pdf_workers(count)` processes while the
    next contents are made (`jobs` may be a generator); other formats here. `pool`: one made
    before with `pdf_pool` (a caller that starts threads of its own, such as a progress bar,
    makes it first), else one is made at the first PDF. A report that cannot be rendered
    raises ReportFormatError (the reports before it are written)."""
    with contextlib.ExitStack() as stack:
        pending: deque[tuple[Future[str | None] | None, Path]] = deque()
        made = False
        for content, fmt, path in jobs:
            if fmt == "pdf" and pool is None and not made:
                pool = stack.enter_context(pdf_pool(count))
                made = True
            if fmt == "pdf" and pool is not None:
                pending.append((pool.submit(_write_in_worker, content, fmt, path), path))
            else:
                write_report(content, fmt=fmt, path=path)
                pending.append((None, path))
            while pending and (pending[0][0] is None or pending[0][0].done()):
                yield _result(*pending.popleft())
        while pending:
            yield _result(*pending.popleft())


@contextlib.contextmanager
def pdf_pool(count: int | None = None) -> Iterator[ProcessPoolExecutor | None]:
    """Yield a pool of `pdf_workers(count)` PDF workers, started now (None for one worker:
    the caller renders); on leaving, wait for them and stop them."""
    workers = pdf_workers(count)
    if workers == 1:
        yield None
        return
    pool = _pool(workers)
    try:
        pool.submit(os.getpid)  # with fork, every worker starts now, before our threads do
        yield pool
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _pool(workers: int) -> ProcessPoolExecutor:
    import multiprocessing

    # fork where there is one and this process runs no other thread: the workers start with
    # the settings, the templates and the modules of this process, and never touch its
    # database connection. Forking a process with threads (Python's, or native ones: numpy's
    # OpenBLAS once imported — the URL check of every command imports it —, Polars' and
    # DuckDB's pools) may copy a lock another thread holds, so then a fork server starts the
    # workers (each sets Django up again).
    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and _threads() == 1:
        method: str | None = "fork"
    else:
        method = "forkserver" if "forkserver" in methods else None
    context = multiprocessing.get_context(method)
    return ProcessPoolExecutor(workers, mp_context=context, initializer=_worker_start)


def _threads() -> int:
    """Return how many threads this process runs, native ones included where the system
    tells (Linux), else Python's."""
    try:
        return len(os.listdir("/proc/self/task"))
    except OSError:
        import threading

        return threading.active_count()


def _worker_start() -> None:
    import django
    from django.conf import settings

    if not settings.configured:  # a spawned worker
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "xiezuo.settings")
        django.setup()
    html_to_pdf("<p>预热</p>")  # WeasyPrint's import and fonts, once per worker


def _write_in_worker(content: dict, fmt: str, path: Path) -> str | None:
    """Write one report in a worker; return the error's message instead of raising it (an
    error of the project does not cross processes as itself)."""
    try:
        write_report(content, fmt=fmt, path=path)
    except XiezuoError as error:
        return error.message
    return None


def _result(future: "Future[str | None] | None", path: Path) -> Path:
    message = future.result() if future is not None else None
    if message is not None:
        raise ReportFormatError(message)
    return path
