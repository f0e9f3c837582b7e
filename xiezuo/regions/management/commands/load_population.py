from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuo.regions.errors import RegionDataError
from xiezuo.regions.services import load_population


class Command(BaseCommand):
    help = "Load rural registered population (区划代码, 年度, 乡村户籍人口) from CSV or XLSX."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", type=Path, help="CSV or XLSX with 区划代码, 年度, 乡村户籍人口")

    def handle(self, *args: object, **options: object) -> None:
        path = options["file"]
        assert isinstance(path, Path)
        if not path.is_file():
            raise CommandError(f"找不到文件: {path}")
        try:
            count = load_population(path=path)
        except RegionDataError as error:
            for item in error.extra.get("errors", []):
                self.stderr.write(f"第 {item['row']} 行「{item['column']}」: {item['message']}")
            raise CommandError(error.message) from error
        self.stdout.write(self.style.SUCCESS(f"已载入 {count} 行乡村户籍人口"))
