from django.conf import settings
from django.db import models

from xiezuo.access.rules import Role


class Grant(models.Model):
    """A role a user holds over a region (a district, a county, a village…)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="grants"
    )
    role = models.CharField("角色", max_length=32, choices=Role)
    region_code = models.CharField("区划代码", max_length=12)

    class Meta:
        db_table = "core_grant"  # the table it had before it moved here
        verbose_name = verbose_name_plural = "授权"
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "region_code"], name="unique_grant")
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.get_role_display()} {self.region_code}"
