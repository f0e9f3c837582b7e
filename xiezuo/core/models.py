import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from xiezuo.core.scope import Role


class Grant(models.Model):
    """A role a user holds over a region (a district, a county, a village…)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField("角色", max_length=32, choices=Role)
    region_code = models.CharField("区划代码", max_length=12)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region_code"], name="unique_grant")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} {self.region_code}"


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
