"""`xiezuo bulletins extract FILE [--format json]` and `xiezuo bulletins import FILE…`
(docs/bulletins.md)."""

import json
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuo.core.errors import XiezuoError


class Command(BaseCommand):
    help = "工作动态：从文本文件提取协作活动（extract），或发布文本文件为工作动态（import）。"

    def add_arguments(self, parser: CommandParser) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        extract = verbs.add_parser("extract", help="从工作动态文本提取协作活动与台账草稿行")
        extract.add_argument("file", help="工作动态文本文件（UTF-8 或 GB18030）")
        extract.add_argument("--format", choices=["text", "json"], default="text")
        extract.add_argument("--programme", help="项目标识（默认本机项目）")
        publish = verbs.add_parser("import", help="把工作动态文本文件发布到门户")
        publish.add_argument("files", nargs="+", help="工作动态文本文件")
        publish.add_argument("--channel", default="工作动态", help="栏目（默认 工作动态）")
        publish.add_argument("--draft", action="store_true", help="只存为草稿，不发布")
        publish.add_argument("--programme", help="项目标识（默认本机项目）")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["verb"] == "extract":
                self._extract(options)
            else:
                self._import(options)
        except XiezuoError as error:
            raise CommandError(error.message) from None

    def _programme(self, key: str | None, *, required: bool) -> Any:
        from xiezuo.programs.models import Programme
        from xiezuo.programs.selectors import programme_get

        try:
            return programme_get(key=key)
        except Programme.DoesNotExist:
            if required or key:
                raise CommandError(
                    f"项目「{key or '默认项目'}」不存在：请先运行 xiezuo setup。"
                ) from None
            return None

    def _extract(self, options: dict[str, Any]) -> None:
        from django.db import DatabaseError

        from xiezuo.bulletins.extraction import extract
        from xiezuo.bulletins.extraction.loading import (
            place_index,
            place_index_from_file,
            programme_sides_from_file,
            sides_for,
        )
        from xiezuo.bulletins.textfile import read_article

        article = read_article(options["file"])
        try:
            programme = self._programme(options["programme"], required=False)
            places, sides = place_index(), sides_for(programme)
        except DatabaseError:
            # No database set up yet: the packaged division table and programme.
            places, sides = place_index_from_file(), programme_sides_from_file()
        activities = extract(article, places=places, sides=sides)
        if options["format"] == "json":
            out = {
                "title": article.title,
                "published": article.published.strftime("%Y-%m-%dT%H:%M:%S"),
                "source": article.source,
                "activities": [activity.as_json() for activity in activities],
            }
            self.stdout.write(json.dumps(out, ensure_ascii=False, indent=2))
            return
        self.stdout.write(
            f"{article.title}（{article.published:%Y-%m-%d %H:%M}，{article.source}）"
        )
        if not activities:
            self.stdout.write("未发现可提取的协作活动。")
        from xiezuo.bulletins.extraction.rules import kind_names

        names = kind_names()

        for number, activity in enumerate(activities, 1):
            shown = activity.as_json()
            detail = "，".join(
                f"{key}={value}"
                for key, value in shown.items()
                if key not in ("kind", "row", "evidence", "ledger")
            )
            self.stdout.write(f"{number}. {names[activity.kind]}：{detail}")
            self.stdout.write(f"   依据：{activity.evidence}")

    def _import(self, options: dict[str, Any]) -> None:
        from xiezuo.access import Access
        from xiezuo.bulletins.services import articles_import  # type: ignore[attr-defined]

        programme = self._programme(options["programme"], required=True)
        access = Access.operator(programme)
        articles = articles_import(
            options["files"],
            access=access,
            channel=options["channel"],
            publish=not options["draft"],
        )
        for article in articles:
            self.stdout.write(f"已{'存为草稿' if options['draft'] else '发布'}：{article.title}")
        self.stdout.write(f"共 {len(articles)} 篇。")
