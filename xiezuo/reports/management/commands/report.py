"""`xiezuo report --year Y [--unit CODE | --all] [--format pdf|html|xlsx] -o DIR`: write the
self-evaluation reports of a year, one file per unit, from the year's latest assessment run."""

import contextlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuo.access import Access
from xiezuo.core.errors import XiezuoError
from xiezuo.core.progress import console_progress
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import programme_get

FORMATS = ("pdf", "html", "xlsx")
UNSAFE = str.maketrans({c: "_" for c in '/\\:*?"<>| '})


class Command(BaseCommand):
    help = (
        "写出年度自评报告：--unit 一个单位，--all 全部帮扶方、受援方及项目报告；"
        "都不给时只写项目报告。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="考核年度")
        which = parser.add_mutually_exclusive_group()
        which.add_argument(
            "--unit", type=_code, help="单位代码（帮扶方区或受援县的区划代码，全角数字亦可）"
        )
        which.add_argument("--all", action="store_true", help="全部单位及项目报告")
        parser.add_argument(
            "--format",
            type=lambda text: text.strip().lower(),
            choices=FORMATS,
            default="pdf",
            help="pdf（默认）、html 或 xlsx",
        )
        parser.add_argument("-o", "--output", type=Path, required=True, help="输出目录")
        parser.add_argument("--run", type=int, help="考核运行编号（默认该年度最新运行）")
        parser.add_argument("--programme", help="项目标识（默认本机项目）")

    def handle(self, *args: Any, **options: Any) -> None:
        from xiezuo.reports import content, render

        try:
            programme = programme_get(key=options["programme"])
        except Programme.DoesNotExist:
            raise CommandError("项目不存在：请先运行 xiezuo setup。") from None
        access = Access.operator(programme)
        year, fmt, out = options["year"], options["format"], options["output"]
        try:
            run = content.run_for(access=access, year=year, run_id=options["run"])
            units = content.report_units(run, unit=options["unit"], every=options["all"])
        except XiezuoError as error:
            raise CommandError(error.message) from None
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"无法创建输出目录 {out}：{error.strerror}") from None
        chosen = options["run"] is not None

        def jobs() -> Iterator[tuple[dict, str, Path]]:
            # The programme's report first: the longest to render, it starts while the
            # units' contents are made.
            for unit_type, code, name in sorted(units, key=lambda u: u[0] != "programme"):
                report = _content(access, run, unit_type, code, chosen=chosen)
                yield report, fmt, out / _file_name(year, code, name, fmt)

        written = []
        # The PDF workers start before the progress bar's thread does (see render.pdf_pool).
        pool = render.pdf_pool(len(units)) if fmt == "pdf" else contextlib.nullcontext()
        with (
            pool as workers,
            console_progress(self.stderr, titles={"reports": "自评报告"}, unit="份") as progress,
        ):
            progress("reports", 0, len(units))
            try:
                # One pass for the records behind every unit's figures, shared by the reports.
                shared = [(t, c) for t, c, _ in units if t != "programme"]
                with content.batch(run, access=access, units=shared):
                    for path in render.write_reports(jobs(), count=len(units), pool=workers):
                        written.append(path)
                        progress("reports", len(written), len(units))
            except XiezuoError as error:
                raise CommandError(error.message) from None
        self.stderr.write(f"已写出 {len(written)} 份报告到 {out}（考核运行 #{run.pk}）")


def _code(text: str) -> str:
    """Return a unit code as officials type it: full-width digits and spaces allowed."""
    from xiezuo.ingest.normalise import region_text

    return region_text(text) or text


def _content(access: Access, run: Any, unit_type: str, unit: str, *, chosen: bool) -> dict:
    """Return a report's content: what the sign-off gives for the year (the signed-off,
    frozen version when there is one, else the live report with the office's draft
    paragraphs), or the content of the run asked for with `--run`."""
    from xiezuo.reports import content, services

    if unit_type == "programme":
        unit = run.programme.key
    if not chosen:
        return services.report_for(access=access, year=run.year, unit_type=unit_type, unit=unit)
    if unit_type == "programme":
        return content.programme_content(access=access, run=run)
    return content.report_content(access=access, run=run, unit_type=unit_type, unit=unit)


def _file_name(year: int, code: str, name: str, fmt: str) -> str:
    if code == "programme":
        return f"{year}-programme.{fmt}"
    return f"{year}-{code}-{name.translate(UNSAFE)}.{fmt}"
