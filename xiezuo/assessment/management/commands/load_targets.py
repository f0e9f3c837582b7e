"""`xiezuo load_targets [--programme KEY] [--year Y] [--replace]`: default targets and grades."""

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuo.assessment.services import targets_load
from xiezuo.core.errors import XiezuoError
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import programme_get


class Command(BaseCommand):
    help = "载入项目的默认考核目标、权重与等次（assessment/data/targets/<项目>.toml）。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", help="项目标识（默认本机项目）")
        parser.add_argument(
            "--year", type=int, action="append", help="年度（可重复；默认文件所列）"
        )
        parser.add_argument("--file", type=Path, help="目标文件（默认随项目）")
        parser.add_argument("--replace", action="store_true", help="覆盖已有的默认目标与等次")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            programme = programme_get(key=options["programme"])
            count = targets_load(
                programme=programme,
                years=options["year"],
                path=options["file"],
                replace=options["replace"],
            )
        except Programme.DoesNotExist:
            raise CommandError("项目不存在：请先运行 xiezuo setup。") from None
        except XiezuoError as error:
            raise CommandError(error.message) from None
        self.stdout.write(f"已载入 {count} 条默认目标")
