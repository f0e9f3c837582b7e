"""`xiezuo snapshot -o DIR`: write the tables the assessment reads to Parquet."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from xiezuo.assessment.services import snapshot_write


class Command(BaseCommand):
    help = "把考核所需的表写成 Parquet 快照（供 duckdb、spark 引擎使用）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", type=Path, required=True, help="快照目录")

    def handle(self, *args: Any, **options: Any) -> None:
        counts = snapshot_write(directory=options["output"])
        total = sum(counts.values())
        self.stdout.write(f"已写出 {len(counts)} 张表、{total} 行 → {options['output']}")
