"""Other departments' lists checked against the register (issue 14; DOMAIN.md §6).

Six outside lists, each a ledger (`ingest/catalog/23-deaths.toml` … `28-cadres.toml`): deaths
(civil affairs / public security), vehicles, real property, business registrations, the public
payroll and village cadres. Every row carries the person as the source knows them (证件号码 — may
be empty — 姓名, 出生日期 and a region code) and belongs to one list: a year and a source
department (`year`, `source`). Importing a list for a (year, source) replaces that list whole.

Verbose names are the template headers. ID numbers are stored as the importer normalises them
(`xiezuo.core.ids`), or empty.
"""

import datetime as dt

from django.conf import settings
from django.db import models

from xiezuo.regions.models import Region
from xiezuo.registry.models import Household, Member


class OutsideRecord(models.Model):
    """The fields every outside list shares: the list (year, source) and the person."""

    year = models.PositiveSmallIntegerField("年度")
    source = models.CharField("来源单位", max_length=100)
    id_number = models.CharField("证件号码", max_length=22, blank=True)
    name = models.CharField("姓名", max_length=64)
    birth_date = models.DateField("出生日期")
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="区划代码"
    )

    class Meta:
        abstract = True
        ordering = ["year", "source", "id"]

    def __str__(self) -> str:
        return f"{self.year} {self.source} {self.name}"

    @classmethod
    def scoped_records(cls, *, access, region: str | None = None):
        """Return the rows the caller reads (the export's and the API's door:
        `lists.list_rows`)."""
        from xiezuo.crosscheck.lists import list_rows

        return list_rows(access=access, model=cls, region=region)


def _yuan(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2)


class Death(OutsideRecord):
    """A death recorded by civil affairs or public security (死亡人员)."""

    died_on = models.DateField("死亡日期")

    class Meta(OutsideRecord.Meta):
        verbose_name = "死亡人员"
        indexes = [models.Index(fields=["year", "source"]), models.Index(fields=["id_number"])]


class Vehicle(OutsideRecord):
    """A registered motor vehicle (车辆)."""

    plate = models.CharField("号牌号码", max_length=16)
    vehicle_type = models.CharField("车辆类型", max_length=32, blank=True)
    price = _yuan("购置价格(元)")
    registered_on = models.DateField("登记日期")

    class Meta(OutsideRecord.Meta):
        verbose_name = "车辆"
        indexes = [models.Index(fields=["year", "source"]), models.Index(fields=["id_number"])]


class Property(OutsideRecord):
    """A registered real property (不动产); the region is where the property lies."""

    location = models.CharField("坐落", max_length=200)
    area = models.DecimalField("建筑面积(㎡)", max_digits=10, decimal_places=2)
    registered_on = models.DateField("登记日期")

    class Meta(OutsideRecord.Meta):
        verbose_name = "不动产"
        verbose_name_plural = "不动产"
        indexes = [models.Index(fields=["year", "source"]), models.Index(fields=["id_number"])]


class Business(OutsideRecord):
    """A business registration naming the person (工商登记)."""

    company = models.CharField("企业名称", max_length=200)
    credit_code = models.CharField("统一社会信用代码", max_length=18)
    capital = models.DecimalField("注册资本(万元)", max_digits=14, decimal_places=2, null=True)
    registered_on = models.DateField("登记日期")

    class Meta(OutsideRecord.Meta):
        verbose_name = "工商登记"
        verbose_name_plural = "工商登记"
        indexes = [models.Index(fields=["year", "source"]), models.Index(fields=["id_number"])]


class Payroll(OutsideRecord):
    """A spell on the public payroll (财政供养人员)."""

    employer = models.CharField("单位名称", max_length=200)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)

    class Meta(OutsideRecord.Meta):
        verbose_name = "财政供养"
        verbose_name_plural = "财政供养"
        indexes = [models.Index(fields=["year", "source"]), models.Index(fields=["id_number"])]


class Cadre(OutsideRecord):
    """A village cadre in post (村干部); the region is the village (村代码)."""

    post = models.CharField("职务", max_length=32)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)

    class Meta(OutsideRecord.Meta):
        verbose_name = "村干部"
        verbose_name_plural = "村干部"
        indexes = [models.Index(fields=["year", "source"]), models.Index(fields=["id_number"])]


# The outside lists by ledger key (the catalog's `key`, and `Flag.source`).
LISTS: dict[str, type[OutsideRecord]] = {
    "deaths": Death,
    "vehicles": Vehicle,
    "properties": Property,
    "businesses": Business,
    "payroll": Payroll,
    "cadres": Cadre,
}


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
