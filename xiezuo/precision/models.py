"""The ledgers of precision work and monitoring (issue: precision work; DOMAIN.md §6).

Household-level records (measures, the five assurances, risk clues) hang on a registry
household — registered, or monitored outside the register (`Household.registered` false).
County checks are region-level figures of the third-party exit checks. `MonitoringCase` is not
a ledger: it keeps what a county office records on the monitoring board (confirmation, the
village notice, elimination) for a household in a year.

Verbose names are the template headers; coded fields hold the label of their code list
(`core/data/codelists.toml`). Amounts here are in 元.
"""

import datetime as dt

from django.db import models
from django.db.models import F, Q

from xiezuo.regions.models import Region
from xiezuo.registry.models import Household


def _yuan(verbose_name: str, **options) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **options)


def _percent(verbose_name: str) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2)


class Measure(models.Model):
    """An assistance measure (帮扶措施) for a household, or for one of its members."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="measures")
    # Empty for a household-level measure.
    id_number = models.CharField("证件号码", max_length=22, blank=True)
    category = models.CharField("措施类别", max_length=16)
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    amount = _yuan("金额(元)", null=True, blank=True)
    unit = models.CharField("责任单位", max_length=200, blank=True)

    class Meta:
        ordering = ["household", "start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="measure_ends_after_start",
            )
        ]
        indexes = [models.Index(fields=["household", "category"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.category} {self.start_date}"

    def active_in(self, year: int) -> bool:
        """Return True when the measure is in force on any day of `year`."""
        return self.start_date <= dt.date(year, 12, 31) and (
            self.end_date is None or self.end_date >= dt.date(year, 1, 1)
        )


class Assurance(models.Model):
    """A household's 两不愁三保障 of one year: each of the five is met or not."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="assurances")
    year = models.PositiveSmallIntegerField("年度")
    food_clothing = models.BooleanField("吃穿不愁")
    education = models.BooleanField("义务教育有保障")
    medical = models.BooleanField("基本医疗有保障")
    housing = models.BooleanField("住房安全有保障")
    water = models.BooleanField("饮水安全有保障")

    FIVE = ("food_clothing", "education", "medical", "housing", "water")

    class Meta:
        ordering = ["household", "year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="unique_assurance_year")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"

    @property
    def all_met(self) -> bool:
        return all(getattr(self, name) for name in self.FIVE)


class Clue(models.Model):
    """A risk clue (风险线索) about a registered or monitored household."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="clues")
    found_on = models.DateField("发现日期")
    source = models.CharField("线索来源", max_length=16)
    category = models.CharField("风险类别", max_length=16)
    rigid_spending = _yuan("刚性支出(元)", null=True, blank=True)
    note = models.CharField("说明", max_length=500, blank=True)

    class Meta:
        ordering = ["household", "found_on", "id"]
        indexes = [models.Index(fields=["found_on"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.found_on} {self.category}"


class CountyCheck(models.Model):
    """A county's third-party exit check of a year (县级核查): the three rates of 摘帽."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="区划代码"
    )
    year = models.PositiveSmallIntegerField("年度")
    missed_rate = _percent("漏评率(%)")
    wrong_exit_rate = _percent("错退率(%)")
    approval = _percent("群众认可度(%)")

    class Meta:
        ordering = ["region", "year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="unique_county_check_year"),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}"


class MonitoringCase(models.Model):
    """What a county office recorded about a monitoring case: a household watched in a year.

    The case itself (its categories and reasons) is computed from the ledgers each time; this
    row keeps the steps people take: confirmation, the village notice, risk eliminated.
    """

    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="monitoring_cases"
    )
    year = models.PositiveSmallIntegerField("年度")
    confirmed_on = models.DateField("确认日期", null=True, blank=True)
    notice_from = models.DateField("公示开始", null=True, blank=True)
    notice_to = models.DateField("公示结束", null=True, blank=True)
    eliminated_on = models.DateField("风险消除日期", null=True, blank=True)
    note = models.CharField("备注", max_length=500, blank=True)
    updated_at = models.DateTimeField("更新时间", auto_now=True)
    updated_by = models.CharField("更新人", max_length=150, blank=True)

    class Meta:
        ordering = ["year", "household"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="unique_monitoring_case"),
            models.CheckConstraint(
                condition=Q(notice_to__isnull=True) | Q(notice_to__gte=F("notice_from")),
                name="notice_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"
