"""`xiezuo undo_batch ID`: take back a loaded import batch."""

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from xiezuo.ingest.errors import BatchError
from xiezuo.ingest.models import Batch
from xiezuo.ingest.services import batch_undo


class Command(BaseCommand):
    help = "撤销一个已导入的批次：删除它新增的行，恢复它更新前的值。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("batch_id", type=int)

    def handle(self, *args: Any, batch_id: int, **options: Any) -> None:
        try:
            batch = batch_undo(Batch.objects.get(pk=batch_id))
        except Batch.DoesNotExist:
            raise CommandError(f"没有编号为 {batch_id} 的批次。") from None
        except BatchError as error:
            raise CommandError(error.message) from None
        self.stdout.write(
            f"已撤销批次 {batch.pk}（{batch.ledger} {batch.file_name}）："
            f"删除新增 {batch.inserted} 行，恢复更新 {batch.updated} 行。"
        )
