"""`xiezuo crosscheck --year Y [--region CODE] [--fuzzy/--no-fuzzy] --format json`: the
register of a year checked against the outside lists and against itself (docs/crosscheck.md).

JSON: `{"year": Y, "flags": [Flag.as_json(), …]}`. After computing, the flags are handed to
the review queue's `flags_store` when that service exists.
"""

import json
from argparse import BooleanOptionalAction
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from xiezuo.core.errors import XiezuoError
from xiezuo.precision.management.commands import _arguments as arguments


class Command(BaseCommand):
    help = (
        "比对核查：建档立卡家庭成员与财政供养、村干部、车辆、不动产、工商登记、死亡名单比对，"
        "并查重复登记。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        arguments.add_common(parser)
        parser.add_argument(
            "--fuzzy",
            action=BooleanOptionalAction,
            default=True,
            help="按姓名、出生日期和区划模糊比对没有（或对不上）证件号码的名单行（默认开启）",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        from xiezuo.crosscheck.checks import flags_for

        year = arguments.year(options["year"])
        if year > timezone.localdate().year:  # every list row would count: a year not lived yet
            raise arguments.bad(f"{year} 年尚未到来，无法比对（年度不能晚于今年）")
        region = arguments.region(options["region"])
        access = arguments.operator_access(options)
        try:
            flags = flags_for(access=access, year=year, region=region, fuzzy=options["fuzzy"])
            _store(access=access, year=year, region=region, flags=flags)
        except XiezuoError as error:
            raise CommandError(error.message) from None
        if options["format"] == "json":
            document = {"year": year, "flags": [flag.as_json() for flag in flags]}
            self.stdout.write(json.dumps(document, ensure_ascii=False, indent=2))
        else:
            print_flags(year, flags, cast(IO[str], self.stdout))


def _store(*, access: Any, year: int, region: str | None, flags: list) -> int | None:
    """Hand the flags to the review queue (`services.flags_store`) when it is installed."""
    import importlib

    try:
        services = importlib.import_module("xiezuo.crosscheck.services")
    except ImportError:
        return None
    store = getattr(services, "flags_store", None)
    if store is None:
        return None
    return cast(int, store(access=access, year=year, region=region, flags=flags))


def print_flags(year: int, flags: list, stream: IO[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    from xiezuo.crosscheck.rules import rules

    console = Console(file=stream, width=160)
    labels = {rule.key: rule.label for rule in rules()}
    table = Table(title=f"{year} 年比对疑点（{len(flags)} 条）")
    for header in ("户编号", "证件号码", "规则", "名单", "匹配", "得分", "说明"):
        table.add_column(header)
    for flag in flags:
        evidence = flag.evidence
        differed = "；".join(
            f"{d['field']}：{d['registry']}→{d['list']}" for d in evidence.get("differed", [])
        )
        table.add_row(
            flag.household,
            flag.person,
            labels.get(flag.rule, flag.rule),
            flag.source,
            "精确" if flag.match == "exact" else "模糊",
            f"{flag.score:.2f}",
            differed or "、".join(evidence.get("agreed", [])) + " 一致",
        )
    console.print(table)
    counts: dict[str, int] = {}
    for flag in flags:
        counts[flag.rule] = counts.get(flag.rule, 0) + 1
    summary = "，".join(f"{labels[k]} {n} 条" for k, n in counts.items() if k in labels)
    console.print(f"按规则：{summary or '无疑点'}")
