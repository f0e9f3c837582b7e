"""`xiezuo monitor --year Y [--as-of DATE] [--region CODE] --format json`: the monitoring
cases of a year, their categories, reasons, status and overdue deadlines."""

import json
from typing import IO, Any, cast

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuo.core.errors import XiezuoError
from xiezuo.precision.management.commands import _arguments as arguments
from xiezuo.precision.reports import MonitoringReport
from xiezuo.precision.selectors import monitoring_report

OVERDUE = {"confirm": "逾期未确认", "notice": "公示不足", "measure": "逾期无措施"}


class Command(BaseCommand):
    help = "防止返贫监测：监测对象、类别与原因、状态和逾期事项。"

    def add_arguments(self, parser: CommandParser) -> None:
        arguments.add_common(parser)
        parser.add_argument("--as-of", help="截至日期（默认今天；年度已过则为年末）")

    def handle(self, *args: Any, **options: Any) -> None:
        year = arguments.year(options["year"])
        as_of = arguments.day(options["as_of"])
        region = arguments.region(options["region"])
        access = arguments.operator_access(options)
        try:
            report = monitoring_report(access=access, year=year, as_of=as_of, region=region)
        except XiezuoError as error:
            raise CommandError(error.message) from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False, indent=2))
        else:
            print_report(report, cast(IO[str], self.stdout))


def print_report(report: MonitoringReport, stream: IO[str]) -> None:
    from rich.console import Console
    from rich.table import Table

    console = Console(file=stream, width=160)
    table = Table(
        title=f"{report.year} 年监测对象（截至 {report.as_of}，监测标准 {report.threshold} 元，"
        f"{len(report.cases)} 户）"
    )
    for header in ("户编号", "类别", "原因", "首条线索", "确认时限", "状态", "逾期"):
        table.add_column(header)
    for case in report.cases:
        table.add_row(
            case.household,
            "、".join(case.categories),
            "\n".join(case.reasons),
            str(case.first_clue or "—"),
            str(case.confirm_by or "—"),
            case.status,
            "[red]" + "、".join(OVERDUE[key] for key in case.overdue) + "[/red]"
            if case.overdue
            else "",
        )
    console.print(table)
