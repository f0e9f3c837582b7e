"""What `xiezuo precision` and `xiezuo monitor` share: reading the arguments officials type
(full-width digits, 2020年, 2020/6/30) and choosing the programme. A bad argument exits 2."""

from datetime import date
from typing import Any

from django.core.management.base import CommandError, CommandParser

from xiezuo.access import Access
from xiezuo.core import codes
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import programme_get
from xiezuo.regions.models import Region

BAD_ARGUMENT = 2


def add_common(parser: CommandParser) -> None:
    parser.add_argument("--year", required=True, help="年度（如 2020）")
    parser.add_argument("--region", help="只看该区划（区县、乡镇或村代码）")
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--programme", help="项目标识（默认本机项目）")


def bad(message: str) -> CommandError:
    return CommandError(message, returncode=BAD_ARGUMENT)


def year(text: str) -> int:
    """Return the year typed ("2020", "２０２０", "2020年"); exit 2 otherwise."""
    from xiezuo.ingest.normalise import year_value

    value = year_value(text)
    if value is None or not 1900 <= value <= 2100:
        raise bad(f"无效的年度：{text!r}（应为四位数年份，如 2020）")
    return value


def day(text: str | None) -> date | None:
    """Return the date typed ("2020-06-30", "２０２０年6月30日", "2020/6/30"); exit 2 otherwise."""
    if text is None:
        return None
    from xiezuo.ingest.normalise import date_value

    value = date_value(text)
    if value is None:
        raise bad(f"无效的日期：{text!r}（应如 2020-06-30）")
    return value


def region(text: str | None) -> str | None:
    """Return the region code typed (full-width digits allowed) of a known region; exit 2
    otherwise."""
    if text is None:
        return None
    from xiezuo.ingest.normalise import region_text

    code = region_text(text) or ""
    try:
        codes.level_of(code)
    except ValueError:
        raise bad(f"无效的区划代码：{text!r}（6、9 或 12 位数字）") from None
    if not Region.objects.filter(code=code).exists():
        raise bad(f"未知的区划代码：{code}")
    return code


def operator_access(options: dict[str, Any]) -> Access:
    """Return the operator's access to the programme asked for (default: this machine's)."""
    try:
        programme = programme_get(key=options["programme"])
    except Programme.DoesNotExist:
        raise CommandError(
            f"项目「{options['programme'] or '默认项目'}」不存在：请先运行 xiezuo setup。"
        ) from None
    return Access.operator(programme)
