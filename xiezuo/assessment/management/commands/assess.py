"""`xiezuo assess --year Y`: run the yearly assessment, store it and print or write it."""

import datetime as dt
import getpass
import json
from pathlib import Path
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from rich.console import Console

from xiezuo.assessment.reports import print_tables, write_workbook
from xiezuo.assessment.selectors import run_payload
from xiezuo.assessment.services import assessment_run
from xiezuo.core.errors import XiezuoError
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import programme_get


class Command(BaseCommand):
    help = "运行年度考核（22 项指标与 4 项成效指标），保存结果并输出表格、JSON 或 XLSX。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--year", type=int, required=True, help="考核年度")
        parser.add_argument("--as-of", type=dt.date.fromisoformat, help="截至日期（默认年末）")
        # The engines module is Ibis itself; it checks the name when the run connects.
        parser.add_argument("--engine", default="db", help="计算引擎：db（默认）、duckdb 或 spark")
        parser.add_argument("--snapshot", type=Path, help="快照目录（duckdb、spark 引擎）")
        parser.add_argument("--format", choices=("table", "json", "xlsx"), default="table")
        parser.add_argument("-o", "--output", type=Path, help="输出文件（xlsx 必填）")
        parser.add_argument("--programme", help="项目标识（默认本机项目）")

    def handle(self, *args: Any, **options: Any) -> None:
        from xiezuo.assessment.engines import ENGINES

        if options["engine"] not in ENGINES:
            raise CommandError(f"未知的计算引擎 {options['engine']}（可用: {'、'.join(ENGINES)}）")
        if options["format"] == "xlsx" and not options["output"]:
            raise CommandError("XLSX 格式需要 -o 文件名")
        if options["engine"] == "db" and options["snapshot"]:
            raise CommandError("--snapshot 只用于 duckdb、spark 引擎")
        try:
            programme = programme_get(key=options["programme"])
        except Programme.DoesNotExist:
            raise CommandError("项目不存在：请先运行 xiezuo setup。") from None
        try:
            run = assessment_run(
                programme=programme,
                year=options["year"],
                as_of=options["as_of"],
                engine=options["engine"],
                snapshot=options["snapshot"],
                who=f"cli:{getpass.getuser()}",
            )
        except XiezuoError as error:
            raise CommandError(error.message) from None
        output: Path | None = options["output"]
        if options["format"] == "xlsx" and output:
            write_workbook(run, output)
            self.stderr.write(f"已写出考核表 {output}")
        elif options["format"] == "json":
            text = json.dumps(run_payload(run), ensure_ascii=False, indent=2)
            if output:
                output.write_text(text + "\n", encoding="utf-8")
            else:
                self.stdout.write(text)
        elif output:
            with output.open("w", encoding="utf-8") as stream:
                print_tables(run, Console(file=stream, width=160))
        else:
            print_tables(run, Console(file=cast(IO[str], self.stdout), width=160))
        self.stderr.write(
            f"考核运行 #{run.pk} 已保存（用时 {run.duration.total_seconds():.2f} 秒）"
        )
