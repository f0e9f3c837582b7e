import uuid

from django.db import models
from django.utils import timezone


class DataVersion(models.Model):
    """A counter of changes to one body of data, bumped in the transaction of every write to it.

    Caches of figures derived from the data key on it (`core.versions`). `token` changes with
    every bump, so a number that repeats (a rolled-back write, a database rebuilt from scratch)
    never brings back a stale cache entry.
    """

    name = models.CharField("数据", max_length=32, unique=True)
    number = models.PositiveBigIntegerField("版本号", default=0)
    token = models.UUIDField("版本标识", default=uuid.uuid4)
    changed_at = models.DateTimeField("修改时间", default=timezone.now)

    class Meta:
        verbose_name = "数据版本"
        verbose_name_plural = "数据版本"

    def __str__(self) -> str:
        return f"{self.name} v{self.number}"
