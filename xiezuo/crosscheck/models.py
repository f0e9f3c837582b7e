"""Other departments' lists checked against the register (issue 14; DOMAIN.md §6).

Six outside lists, each a ledger (`ingest/catalog/23-deaths.toml` … `28-cadres.toml`): deaths
(civil affairs / public security), vehicles, real property, business registrations, the public
payroll and village cadres. Every row carries the person as the source knows them (证件号码 — may
be empty — 姓名, 出生日期 and a region code) and belongs to one list: a year and a source
department (`year`, `source`). Importing a list for a (year, source) replaces that list whole.

Verbose names are the template headers. ID numbers are stored as the importer normalises them
(`xiezuo.core.ids`), or empty.
"""

from django.db import models

from xiezuo.regions.models import Region


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
