"""`xiezuo export <ledger> [--region CODE] [--programme KEY] -o FILE`: a ledger in template form."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuo.access import Access
from xiezuo.core.errors import XiezuoError
from xiezuo.core.progress import console_progress
from xiezuo.ingest import catalog
from xiezuo.ingest.writing import export_ledger
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import programme_get


class Command(BaseCommand):
    help = "导出台账（XLSX，或 .csv 文件名时为 CSV），格式与模板相同，可原样再导入。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ledger", help=f"台账：{', '.join(catalog.ledgers())}")
        parser.add_argument("-o", "--output", required=True, help="输出文件（.xlsx 或 .csv）")
        parser.add_argument("--region", help="只导出该区划（区县、乡镇或村代码）")
        parser.add_argument("--programme", help="项目标识（默认本机项目）")

    def handle(self, *args: Any, **options: Any) -> None:
        key = options["ledger"]
        if key not in catalog.ledgers():
            raise CommandError(f"未知台账 {key!r}；可用: {', '.join(catalog.ledgers())}")
        try:
            programme = programme_get(key=options["programme"])
        except Programme.DoesNotExist:
            raise CommandError(
                f"项目「{options['programme'] or '默认项目'}」不存在：请先运行 xiezuo setup。"
            ) from None
        try:
            with console_progress(self.stderr, unit="行") as progress:
                rows = export_ledger(
                    ledger_key=key,
                    access=Access.operator(programme),
                    region=options["region"],
                    path=options["output"],
                    progress=progress,
                )
        except XiezuoError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"已导出「{catalog.ledger(key).title}」{rows} 行 → {options['output']}")
