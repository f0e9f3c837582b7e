"""The household registry (建档立卡): households, members, incomes and status history.

Coded fields hold the label of their code list (`xiezuo/core/data/codelists.toml`).
"""

from decimal import Decimal

from django.db import models
from simple_history.models import HistoricalRecords

from xiezuo.regions.models import Region
from xiezuo.registry.calculations import is_poor_at_end_of


class Household(models.Model):
    """A rural household of the registry: a registered poor household (建档立卡贫困户), or, with
    `registered` false, a household outside the register that is watched against falling into
    poverty (监测对象: 边缘易致贫户, 突发严重困难户; the monitored ledger). Both kinds hold members
    and incomes through the same ledgers; every count of the register reads `registered` ones.
    """

    household_no = models.CharField("户编号", max_length=32, unique=True)
    village = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="households", verbose_name="村"
    )
    # The village's county, kept beside it so that scope filters and county sums use an index.
    county = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="county_households", verbose_name="县"
    )
    householder_name = models.CharField("户主姓名", max_length=64)
    householder_id_number = models.CharField("户主证件号码", max_length=22)
    size = models.PositiveSmallIntegerField("家庭人口数")
    attribute = models.CharField("贫困户属性", max_length=16)
    standard = models.CharField("识别标准", max_length=8)
    main_cause = models.CharField("主要致贫原因", max_length=16)
    other_causes = models.CharField("其他致贫原因", max_length=100, blank=True)
    identified_year = models.PositiveSmallIntegerField("识别年度", null=True, blank=True)
    status = models.CharField("脱贫状态", max_length=16)
    exit_year = models.PositiveSmallIntegerField("脱贫年度", null=True, blank=True)
    fallback_year = models.PositiveSmallIntegerField("返贫年度", null=True, blank=True)
    relocated = models.BooleanField("易地扶贫搬迁户", default=False)
    dangerous_house = models.CharField("危房", max_length=4, default="否")
    safe_water = models.BooleanField("饮水安全", default=True)
    responsible_name = models.CharField("帮扶责任人", max_length=64, blank=True)
    responsible_unit = models.CharField("帮扶责任人单位", max_length=100, blank=True)
    responsible_phone = models.CharField("帮扶责任人电话", max_length=20, blank=True)
    registered = models.BooleanField("建档立卡", default=True, db_default=True)
    # A monitored household's watch (the monitored ledger): from inclusion to risk eliminated.
    monitored_from = models.DateField("纳入日期", null=True, blank=True)
    monitored_until = models.DateField("风险消除日期", null=True, blank=True)
    # Field-level history of edits made one record at a time (the admin, services); the bulk
    # paths (imports, the demo) write around it and are recorded as import batches instead.
    edits = HistoricalRecords()

    class Meta:
        verbose_name = verbose_name_plural = "农户"
        ordering = ["household_no"]
        indexes = [
            models.Index(fields=["county", "identified_year"]),
            models.Index(fields=["village"]),
        ]

    def __str__(self) -> str:
        return f"{self.household_no} {self.householder_name}"

    def is_poor_at_end_of(self, year: int) -> bool:
        """Return True when the household counts as poor at the end of `year` (DOMAIN.md §3)."""
        return is_poor_at_end_of(
            year,
            identified_year=self.identified_year,
            exit_year=self.exit_year,
            fallback_year=self.fallback_year,
        )


class Member(models.Model):
    """A person in a registered household."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="members")
    name = models.CharField("姓名", max_length=64)
    id_number = models.CharField("证件号码", max_length=22, unique=True)
    sex = models.CharField("性别", max_length=1)
    birth_date = models.DateField("出生日期")
    relation = models.CharField("与户主关系", max_length=8)
    ethnicity = models.CharField("民族", max_length=8, default="汉族")
    education = models.CharField("文化程度", max_length=8, blank=True)
    schooling = models.CharField("在校生状况", max_length=8, blank=True)
    health = models.CharField("健康状况", max_length=8)
    labour_skill = models.CharField("劳动技能", max_length=12)
    work_location = models.CharField("务工状况", max_length=8, blank=True)
    months_worked = models.PositiveSmallIntegerField("务工时间(月)", default=0)
    medical_insurance = models.BooleanField("基本医疗保险", default=True)
    critical_illness_insurance = models.BooleanField("大病保险", default=True)
    pension = models.BooleanField("基本养老保险", default=False)
    dibao = models.BooleanField("低保", default=False)
    # Field-level history of edits made one record at a time (the admin, services); the bulk
    # paths (imports, the demo) write around it and are recorded as import batches instead.
    edits = HistoricalRecords()

    class Meta:
        ordering = ["household", "id"]

    def __str__(self) -> str:
        return self.name


class Income(models.Model):
    """A household's income of one year, in yuan."""

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="incomes")
    year = models.PositiveSmallIntegerField("年度")
    wages = models.DecimalField("工资性收入(元)", max_digits=12, decimal_places=2, default=0)
    business = models.DecimalField("生产经营性收入(元)", max_digits=12, decimal_places=2, default=0)
    property_income = models.DecimalField(
        "财产性收入(元)", max_digits=12, decimal_places=2, default=0
    )
    transfers = models.DecimalField("转移性收入(元)", max_digits=12, decimal_places=2, default=0)
    costs = models.DecimalField("生产经营性支出(元)", max_digits=12, decimal_places=2, default=0)
    # Field-level history of edits made one record at a time (the admin, services); the bulk
    # paths (imports, the demo) write around it and are recorded as import batches instead.
    edits = HistoricalRecords()

    class Meta:
        ordering = ["household", "year"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="unique_income_year")
        ]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"

    @property
    def net(self) -> Decimal:
        return self.wages + self.business + self.property_income + self.transfers - self.costs


class StatusChange(models.Model):
    """A step in a household's history: identified, exited or fell back, in a year."""

    class Kind(models.TextChoices):
        IDENTIFIED = "identified", "识别"
        EXITED = "exited", "脱贫"
        FELL_BACK = "fell_back", "返贫"

    household = models.ForeignKey(Household, on_delete=models.CASCADE, related_name="history")
    year = models.PositiveSmallIntegerField("年度")
    kind = models.CharField("变动", max_length=12, choices=Kind)

    class Meta:
        ordering = ["household", "year", "id"]
        indexes = [models.Index(fields=["kind", "year"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year} {self.get_kind_display()}"


class HouseholdYear(models.Model):
    """A household's standing in one year, derived from the registry for the yearly assessment.

    Kept by `xiezuo.registry.services.household_years_refresh` (never edited by hand): one row
    per household and year of the programmes where it counts for an outcome (DOMAIN.md §3):
    poor at the end of the year, exited or fell back in the year, or with an income record in
    the year and the year before.
    """

    # No database constraints: the rows are derived, and bulk deletes of households (an undone
    # import) must not trip over them; the next refresh drops what they leave.
    household = models.ForeignKey(
        Household, on_delete=models.CASCADE, related_name="years", db_constraint=False
    )
    county = models.ForeignKey(
        Region, on_delete=models.DO_NOTHING, related_name="+", db_constraint=False
    )
    year = models.PositiveSmallIntegerField("年度")
    people = models.PositiveIntegerField("人数")  # member records
    poor = models.BooleanField("年末未脱贫")
    exited = models.BooleanField("当年脱贫")
    fell_back = models.BooleanField("当年返贫")
    # Net income ÷ household size, of the year and of the year before; empty without an income
    # record of that year (or without a size).
    income_per_capita = models.FloatField("人均纯收入(元)", null=True)
    income_per_capita_before = models.FloatField("上年人均纯收入(元)", null=True)

    class Meta:
        ordering = ["year", "county", "household"]
        constraints = [
            models.UniqueConstraint(fields=["household", "year"], name="unique_household_year")
        ]
        indexes = [models.Index(fields=["year", "county"])]

    def __str__(self) -> str:
        return f"{self.household_id} {self.year}"
