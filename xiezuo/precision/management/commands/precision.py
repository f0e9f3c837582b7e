"""`xiezuo precision --year Y [--region CODE] --format json`: gaps, exit tests, village and
county exits of a year (docs/precision.md)."""

import json
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuo.core.errors import XiezuoError
from xiezuo.precision.management.commands import _arguments as arguments
from xiezuo.precision.reports import PrecisionReport
from xiezuo.precision.selectors import precision_report


class Command(BaseCommand):
    help = "精准帮扶：措施缺口、错退与可脱贫户、村和县的退出检验（含测算）。"

    def add_arguments(self, parser: CommandParser) -> None:
        arguments.add_common(parser)

    def handle(self, *args: Any, **options: Any) -> None:
        year = arguments.year(options["year"])
        region = arguments.region(options["region"])
        access = arguments.operator_access(options)
        try:
            report = precision_report(access=access, year=year, region=region)
        except XiezuoError as error:
            raise CommandError(error.message) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            print_report(report, cast(IO[str], self.stdout))


def print_report(report: PrecisionReport, stream: IO[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream, width=160)
    gaps = Table(title=f"{report.year} 年措施缺口（{len(report.gaps)} 户）")
    for header in ("户编号", "村", "主要致贫原因", "应有措施", "其他致贫原因"):
        gaps.add_column(header)
    for gap in report.gaps:
        gaps.add_row(
            gap.household,
            gap.village,
            gap.cause,
            "、".join(gap.expected),
            "、".join(gap.other_causes),
        )
    console.print(gaps)
    console.print(f"错退（{len(report.wrong_exits)} 户）：{'、'.join(report.wrong_exits) or '无'}")
    console.print(
        f"可脱贫（{len(report.ready_to_exit)} 户）：{'、'.join(report.ready_to_exit) or '无'}"
    )
    villages = Table(title="村退出检验")
    for header in ("村代码", "村", "乡村户籍人口", "贫困人口", "贫困发生率(%)", "可退出"):
        villages.add_column(header)
    for v in report.villages:
        villages.add_row(
            v.village,
            v.name,
            "—" if v.population is None else str(v.population),
            str(v.poor_people),
            "—" if v.incidence is None else f"{v.incidence:.2f}",
            "是" if v.passes else "否",
        )
    console.print(villages)
    counties = Table(title="县摘帽检验")
    for header in (
        "县",
        "贫困发生率(%)",
        "漏评率",
        "错退率",
        "认可度",
        "摘帽",
        "未达标",
        "还需脱贫",
    ):
        counties.add_column(header)
    for c in report.counties:
        counties.add_row(
            f"{c.name} {c.county}",
            "—" if c.incidence is None else f"{c.incidence:.2f}",
            *(
                "—" if r is None else f"{r:.2f}"
                for r in (c.missed_rate, c.wrong_exit_rate, c.approval)
            ),
            "是" if c.passes else "否",
            "；".join(c.failing),
            f"{c.people_to_exit} 人（{'、'.join(v for v, _ in c.villages_to_exit)}）"
            if c.people_to_exit
            else "0",
        )
    console.print(counties)


def _rate(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"
