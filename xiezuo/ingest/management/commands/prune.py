"""`xiezuo prune`: delete finished import jobs and their uploaded files after some days."""

from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.template.defaultfilters import filesizeformat

from xiezuo.ingest.jobs import import_jobs_prune, prune_days


class Command(BaseCommand):
    help = (
        "删除超过保留天数的已结束导入任务及其上传文件（以及后台任务记录）；"
        "导入批次（审计记录和撤销依据）永久保留。"
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--days",
            type=float,
            default=None,
            help="保留天数（默认 XIEZUO_PRUNE_DAYS，未设置时 30）",
        )
        parser.add_argument("--dry-run", action="store_true", help="只统计，不删除")

    def handle(self, *args: Any, days: float | None, dry_run: bool, **options: Any) -> None:
        days = prune_days() if days is None else days
        result = import_jobs_prune(days=days, dry_run=dry_run)
        verb = "将删除" if dry_run else "已删除"
        self.stdout.write(
            f"{verb} {result.cutoff:%Y-%m-%d %H:%M} 之前结束的导入任务 {result.jobs} 个、"
            f"上传文件夹 {result.folders} 个（{filesizeformat(result.bytes)}）、"
            f"后台任务记录 {result.task_results} 条；导入批次全部保留。"
        )
