"""`xiezuo import <ledger> FILE`: import an official's ledger file as one batch."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuo.access import Access
from xiezuo.core.progress import console_progress
from xiezuo.ingest import catalog
from xiezuo.ingest.errors import UnusableInput
from xiezuo.ingest.services import ImportReport, import_file
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import programme_get


class Command(BaseCommand):
    help = "导入台账文件（XLSX/CSV）：校验全部行，无误才整批写入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ledger", help=f"台账：{', '.join(catalog.ledgers())}")
        parser.add_argument("file")
        parser.add_argument("--dry-run", action="store_true", help="只校验并报告，不写入")
        parser.add_argument("--format", choices=["text", "json"], default="text")
        parser.add_argument("--sheet", help="工作表名称（默认第一个工作表）")
        parser.add_argument("--programme", help="项目标识（默认本机项目）")

    def handle(self, *args: Any, **options: Any) -> None:
        ledger, path = options["ledger"], options["file"]
        try:
            programme = programme_get(key=options["programme"])
        except Programme.DoesNotExist:  # the service says so, in the report's shape
            programme = None
        try:
            with console_progress(self.stderr, unit="行") as progress:
                report = import_file(
                    ledger_key=ledger,
                    path=path,
                    access=Access.operator(programme) if programme else Access.public(),
                    dry_run=options["dry_run"],
                    progress=progress,
                    programme=programme or options["programme"],
                    sheet=options["sheet"],
                )
        except UnusableInput as error:
            report = ImportReport.from_unusable(ledger, _name(path), error)
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            _render_text(report, self.stdout)
        if report.exit_code:
            summary = (
                "文件无法作为台账读取"
                if report.unusable
                else f"有 {len(report.errors)} 处错误，未写入任何数据"
            )
            raise CommandError(summary, returncode=report.exit_code)


def _name(path: str) -> str:
    from pathlib import Path

    return Path(path).name


def _render_text(report: ImportReport, out: Any) -> None:
    verb = "试导入" if report.dry_run else "导入"
    out.write(
        f"{verb}「{report.ledger}」{report.file}：共 {report.rows} 行，无误 {report.valid} 行；"
        f"新增 {report.inserted}，更新 {report.updated}，未变 {report.unchanged}。"
    )
    for notice in report.notices:
        out.write(f"提示：{notice}")
    if not report.errors:
        return
    out.write(f"错误 {len(report.errors)} 处（未写入任何数据）：")
    if out.isatty():
        from rich.console import Console
        from rich.table import Table

        table = Table("行", "列", "值", "问题")
        for error in report.errors:
            table.add_row(
                str(error.row or ""), error.column or "", error.value or "", error.message
            )
        Console(file=out._out if hasattr(out, "_out") else None).print(table)
        return
    for error in report.errors:
        where = f"第 {error.row} 行" if error.row else "文件"
        column = f"「{error.column}」" if error.column else ""
        value = f"（{error.value}）" if error.value else ""
        out.write(f"  {where}{column}{value}：{error.message}")
