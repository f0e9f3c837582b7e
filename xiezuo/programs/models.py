from django.db import models

from xiezuo.programs.keys import pairing_key
from xiezuo.regions.models import Region


class Programme(models.Model):
    """A paired cooperation programme: a helper province's districts help a recipient's counties."""

    key = models.SlugField("标识", unique=True)
    name = models.CharField("名称", max_length=200)
    start_year = models.PositiveSmallIntegerField("起始年度")
    end_year = models.PositiveSmallIntegerField("终止年度")
    helper_province = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="帮扶方"
    )
    recipient_province = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name="受援方"
    )
    fund_envelope = models.DecimalField("资金总额(万元)", max_digits=14, decimal_places=2)
    description = models.TextField("说明", blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.name

    @property
    def years(self) -> range:
        return range(self.start_year, self.end_year + 1)


class PovertyLine(models.Model):
    """The rural poverty line of a year under one standard (national, provincial, municipal)."""

    class Standard(models.TextChoices):
        NATIONAL = "国家标准"
        PROVINCIAL = "省定标准"
        MUNICIPAL = "市定标准"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="poverty_lines")
    year = models.PositiveSmallIntegerField("年度")
    standard = models.CharField("标准", max_length=8, choices=Standard, default=Standard.NATIONAL)
    yuan_per_person = models.DecimalField("元/人·年", max_digits=10, decimal_places=2)
    note = models.CharField("出处", max_length=200, blank=True)

    class Meta:
        ordering = ["programme", "standard", "year"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "standard"], name="unique_poverty_line"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.standard} {self.yuan_per_person}"


class Pairing(models.Model):
    """A helper district paired with a recipient county inside a programme."""

    class Provenance(models.TextChoices):
        CONFIRMED = "confirmed", "有出处"
        ILLUSTRATIVE = "illustrative", "示意（未证实）"

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="pairings")
    helper = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="pairings_as_helper", verbose_name="帮扶方"
    )
    recipient = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        related_name="pairings_as_recipient",
        verbose_name="受援方",
    )
    start_date = models.DateField("开始日期")
    end_date = models.DateField("结束日期", null=True, blank=True)
    provenance = models.CharField("依据", max_length=16, choices=Provenance)
    source = models.CharField("出处", max_length=300, blank=True)

    class Meta:
        ordering = ["programme", "helper", "recipient"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "helper", "recipient"], name="unique_pairing"
            )
        ]

    def __str__(self) -> str:
        return self.key

    @property
    def key(self) -> str:
        """Return the pairing's stable key, `HELPER→RECIPIENT` (`programs.keys`)."""
        return pairing_key(self.helper_id, self.recipient_id)
