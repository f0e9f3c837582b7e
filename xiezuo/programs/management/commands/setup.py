from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuo.core.errors import XiezuoError
from xiezuo.programs.services import programme_load
from xiezuo.regions.services import load_county_flags, load_divisions


class Command(BaseCommand):
    help = "Migrate, load the division tree and a programme's configuration (no households)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--programme", default="beijing-hebei", help="built-in programme key")

    def handle(self, *args: object, programme: str, verbosity: int, **options: object) -> None:
        call_command("migrate", verbosity=max(verbosity - 1, 0), interactive=False)
        regions = load_divisions()
        load_county_flags()
        try:
            loaded = programme_load(key=programme)
        except XiezuoError as error:
            raise CommandError(error.message) from error
        if verbosity:
            self.stdout.write(
                f"区划新增 {regions} 条；项目「{loaded.name}」：{loaded.pairings.count()} 对结对"
            )
