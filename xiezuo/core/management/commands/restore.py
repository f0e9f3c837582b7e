"""`xiezuo restore FILE`: replace the database's contents with a backup, then verify it."""

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuo.core.backup import BackupError, restore
from xiezuo.core.management.commands.backup import manifest_path


class Command(BaseCommand):
    help = (
        "用备份文件恢复数据库（当前数据全部被替换）。恢复前请停止网站和后台任务进程。"
        "备份旁有 FILE.sums.json 时，逐表核对行数和校验值，不符则退出码 1。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="xiezuo backup 写出的备份文件")
        parser.add_argument("--yes", action="store_true", help="不再询问，直接恢复")

    def handle(self, *args: Any, file: Path, yes: bool, **options: Any) -> None:
        if not yes and sys.stdin.isatty():
            answer = input(f"将用 {file} 替换当前数据库的全部数据，继续吗？[y/N] ")
            if answer.strip().lower() not in {"y", "yes", "是"}:
                raise CommandError("已取消。", returncode=2)
        try:
            sums = restore(file)
        except BackupError as error:
            raise CommandError(error.message, returncode=2) from error
        rows = sum(s.rows for s in sums.values())
        self.stdout.write(f"已从 {file} 恢复：{len(sums)} 张表，共 {rows:,} 行。")
        manifest = manifest_path(file)
        if not manifest.is_file():
            self.stdout.write("（没有校验文件，未核对。）")
            return
        expected = json.loads(manifest.read_text(encoding="utf-8"))
        wrong = [
            table
            for table, figures in expected.items()
            if table not in sums
            or (sums[table].rows, sums[table].digest) != (figures["rows"], figures["digest"])
        ]
        if wrong:
            raise CommandError(f"恢复后与备份时不符的表：{', '.join(wrong)}", returncode=1)
        self.stdout.write(f"已核对 {len(expected)} 张表的行数和校验值：与备份时一致。")
