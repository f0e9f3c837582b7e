from datetime import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """A bearer token of one user for the API: only the SHA-256 of its secret is kept.

    Made and revoked by `xiezuo token` (`xiezuo.api.tokens`); the secret is shown once.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField("名称", max_length=100, blank=True)
    hash = models.CharField("SHA-256", max_length=64, unique=True)
    created = models.DateTimeField("创建时间", default=timezone.now)
    expires = models.DateTimeField("过期时间", null=True, blank=True)
    read_only = models.BooleanField("只读", default=False)
    revoked = models.DateTimeField("吊销时间", null=True, blank=True)
    last_used = models.DateTimeField("最近使用", null=True, blank=True)

    class Meta:
        ordering = ["-created", "-id"]
        verbose_name = verbose_name_plural = "接口令牌"

    def __str__(self) -> str:
        return f"{self.pk} {self.user} {self.name}".strip()

    def usable(self, now: datetime | None = None) -> bool:
        """Return True when the token is neither revoked nor expired."""
        now = now or timezone.now()
        return self.revoked is None and (self.expires is None or self.expires > now)
