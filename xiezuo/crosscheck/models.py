"""Cross-checks of the register against other departments' lists (issue 14; DOMAIN.md §6)."""

import datetime as dt

from django.conf import settings
from django.db import models

from xiezuo.registry.models import Household, Member

# The review queue
#
# A run of the checks (`checks.flags_for`) produces `Flag`s; `services.flags_store` keeps each
# as a `CrossCheckFlag` under a stable fingerprint, so a flag seen again in a later run is the
# same row and keeps its decision. A county office confirms a flag (the household is then
# marked for correction, with a reason and a deadline, and the rectification pages show it) or
# dismisses it with a reason. Nothing here changes the register.


class CrossCheckFlag(models.Model):
    """A registered person (or household) caught by one rule against one outside list, and
    the decision a person took on it."""

    class Status(models.TextChoices):
        PENDING = "pending", "待核实"
        CONFIRMED = "confirmed", "已确认"
        DISMISSED = "dismissed", "已排除"

    class Match(models.TextChoices):
        EXACT = "exact", "证件号码精确匹配"
        FUZZY = "fuzzy", "姓名出生日期模糊匹配"

    fingerprint = models.CharField("指纹", max_length=64, unique=True)
    year = models.PositiveSmallIntegerField("年度")
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="crosscheck_flags", verbose_name="户"
    )
    # Empty for a flag on the household as a whole.
    member = models.ForeignKey(
        Member,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="crosscheck_flags",
        verbose_name="成员",
    )
    # The member's 证件号码 as registered when the flag was stored (kept: the contract's `person`).
    person = models.CharField("证件号码", max_length=22, blank=True)
    rule = models.CharField("规则", max_length=32)
    source = models.CharField("来源", max_length=32)
    match = models.CharField("匹配方式", max_length=8, choices=Match)
    score = models.FloatField("匹配得分")
    severity = models.CharField("严重程度", max_length=16, blank=True)
    evidence = models.JSONField("证据", default=dict, blank=True)
    status = models.CharField("状态", max_length=16, choices=Status, default=Status.PENDING)
    # False once a later run of the same county and year no longer produced the flag.
    current = models.BooleanField("最近一次比对仍命中", default=True)
    first_seen = models.DateTimeField("首次发现")
    last_seen = models.DateTimeField("最近发现")
    # The decision (one per flag: a decided flag is not decided again).
    reason = models.TextField("理由", blank=True)
    deadline = models.DateField("整改期限", null=True, blank=True)
    decided_at = models.DateTimeField("处理时间", null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name="处理人",
    )
    # Kept as text as well: the record outlives the account.
    decided_by_name = models.CharField("处理人姓名", max_length=150, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "比对疑点"
        ordering = ["year", "household", "rule", "id"]
        indexes = [
            models.Index(fields=["year", "status", "rule"], name="crosscheck_flag_queue"),
            models.Index(fields=["household", "year"], name="crosscheck_flag_household"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.rule} {self.household_id} {self.get_status_display()}"

    def is_overdue(self, today: dt.date) -> bool:
        """Return True when a confirmed flag's correction deadline passed before `today`."""
        return (
            self.status == self.Status.CONFIRMED
            and self.deadline is not None
            and self.deadline < today
        )
