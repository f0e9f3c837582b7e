"""`xiezuo template <ledger> [-o FILE]` / `xiezuo template --all -o DIR`: write ledger templates."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuo.ingest import catalog
from xiezuo.ingest.writing import template_file_name, write_template


class Command(BaseCommand):
    help = "生成台账模板（XLSX）：标题、说明、表头、下拉选项和示例行。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("ledger", nargs="?", help=f"台账：{', '.join(catalog.ledgers())}")
        parser.add_argument("--all", action="store_true", help="生成全部台账的模板")
        parser.add_argument("-o", "--output", help="输出文件（--all 时为目录），默认当前目录")

    def handle(self, *args: Any, **options: Any) -> None:
        output = Path(options["output"]) if options["output"] else None
        if options["all"]:
            if options["ledger"]:
                raise CommandError("--all 与台账名只能选一个。")
            directory = output or Path.cwd()
            directory.mkdir(parents=True, exist_ok=True)
            keys = list(catalog.ledgers())
            paths = [write_template(key, directory / template_file_name(key)) for key in keys]
        else:
            key = options["ledger"]
            if key not in catalog.ledgers():
                raise CommandError(
                    f"未知台账 {key!r}；可用: {', '.join(catalog.ledgers())}"
                    if key
                    else f"请指定台账（或 --all）；可用: {', '.join(catalog.ledgers())}"
                )
            path = output or Path.cwd()
            if path.is_dir():
                path /= template_file_name(key)
            paths = [write_template(key, path)]
        for path in paths:
            self.stdout.write(str(path))
