"""`xiezuo backup -o FILE`: a consistent copy of the database, taken while the site runs."""

import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuo.core.backup import BackupError, backup


def manifest_path(path: Path) -> Path:
    """Return where the row counts and checksums of a backup are written beside it."""
    return path.with_name(path.name + ".sums.json")


class Command(BaseCommand):
    help = (
        "备份数据库：SQLite 在线备份，PostgreSQL 用 pg_dump（自定义格式）；"
        "同时在旁边写出每张表的行数和校验值（FILE.sums.json），恢复后据此核对。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("-o", "--output", required=True, type=Path, help="备份文件路径")

    def handle(self, *args: Any, output: Path, **options: Any) -> None:
        try:
            sums = backup(output)
        except BackupError as error:
            raise CommandError(error.message) from error
        manifest_path(output).write_text(
            json.dumps(
                {t: {"rows": s.rows, "digest": s.digest} for t, s in sorted(sums.items())},
                ensure_ascii=False,
                indent=1,
            ),
            encoding="utf-8",
        )
        rows = sum(s.rows for s in sums.values())
        self.stdout.write(f"已备份到 {output}：{len(sums)} 张表，共 {rows:,} 行。")
