"""`xiezuo labour match [--posts FILE] [--region CODE] [--format json] [--save]`: match the
registered poor labourers to the posts, exactly (docs/labour.md)."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuo.access import Access
from xiezuo.core.errors import XiezuoError
from xiezuo.core.progress import console_progress
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import programme_get

STAGES = {"读取": "读取", "分组": "分组", "求解": "求解"}


class Command(BaseCommand):
    help = "劳务协作岗位匹配：人数最多，其次月工资合计最高（精确最优）。"

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        match = verbs.add_parser("match", help="匹配贫困劳动力与岗位")
        match.add_argument("--posts", help="岗位文件（岗位台账模板）；缺省用已导入的岗位")
        match.add_argument("--region", help="只匹配该区划（县、乡镇或村）的贫困劳动力")
        match.add_argument("--format", choices=["text", "json"], default="text")
        match.add_argument("--save", action="store_true", help="保存为匹配记录与匹配建议")
        match.add_argument("--programme", help="项目标识（默认本机项目）")

    def handle(self, *args: Any, **options: Any) -> None:
        from xiezuo.labour.models import MatchRun
        from xiezuo.labour.services import match_compute, match_save, posts_from_file

        try:
            programme = programme_get(key=options["programme"])
        except Programme.DoesNotExist:
            raise CommandError(
                f"项目「{options['programme'] or '默认项目'}」不存在：请先运行 xiezuo setup。"
            ) from None
        access = Access.operator(programme)
        try:
            posts = (
                posts_from_file(path=options["posts"], programme=programme)
                if options["posts"]
                else None
            )
            with console_progress(self.stderr, titles=STAGES) as progress:
                outcome = match_compute(
                    access=access,
                    programme=programme,
                    region=options["region"],
                    posts=posts,
                    progress=progress,
                )
            run = None
            if options["save"]:
                run = MatchRun.objects.create(programme=programme, region=options["region"] or "")
                match_save(access=access, outcome=outcome, run=run)
        except XiezuoError as error:
            raise CommandError(error.message) from None
        except OSError as error:
            raise CommandError(f"无法读取岗位文件：{error}") from None
        if options["format"] == "json":
            self.stdout.write(json.dumps(outcome.as_json(), ensure_ascii=False, indent=2))
            return
        result = outcome.match
        self.stdout.write(
            f"岗位 {result.posts} 个，候选 {result.candidates} 人；匹配 {result.placed} 人，"
            f"月工资合计 {result.wage_total} 元；空缺 {sum(n for _, n in result.unfilled)} 个；"
            f"用时 {outcome.seconds:.2f} 秒。"
        )
        if run is not None:
            self.stdout.write(f"已保存为匹配记录 {run.pk}（{result.placed} 条匹配建议）。")
