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


class AuditEvent(models.Model):
    """One use of personal data worth answering for later: an export, an unmasked view of a
    household by a helper-side user, an API bulk read (`xiezuo.access.audit.audit`)."""

    class Action(models.TextChoices):
        EXPORT = "export", "导出"
        VIEW_UNMASKED = "view_unmasked", "查看未脱敏信息"
        API_READ = "api_read", "接口读取"
        SIGN_REPORT = "sign_report", "签发自评报告"
        CROSSCHECK = "crosscheck", "比对疑点处理"

    at = models.DateTimeField("时间", auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="用户",
    )
    # Kept as text as well: the record outlives the account.
    username = models.CharField("用户名", max_length=150, blank=True)
    action = models.CharField("操作", max_length=16, choices=Action)
    what = models.CharField("对象", max_length=200)  # a ledger key, a 户编号, an API route
    region = models.CharField("区域", max_length=12, blank=True)
    rows = models.PositiveIntegerField("行数", default=0)
    detail = models.JSONField("详情", default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = verbose_name_plural = "审计日志"
        indexes = [models.Index(fields=["user", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username} {self.get_action_display()} {self.what}"
