from django.db import models

from xiezuo.core.codes import Level


class Region(models.Model):
    """An administrative division, from province down to village."""

    class LevelChoices(models.IntegerChoices):
        PROVINCE = Level.PROVINCE, "省"
        CITY = Level.CITY, "市"
        COUNTY = Level.COUNTY, "县"
        TOWNSHIP = Level.TOWNSHIP, "乡镇"
        VILLAGE = Level.VILLAGE, "村"

    code = models.CharField("区划代码", max_length=12, primary_key=True)
    name = models.CharField("名称", max_length=64)
    level = models.PositiveSmallIntegerField("级别", choices=LevelChoices)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    # County flags (false / empty for other levels).
    poor_county = models.BooleanField("贫困县", default=False)
    deep_poverty = models.BooleanField("深度贫困县", default=False)
    exit_year = models.PositiveSmallIntegerField("摘帽年度", null=True, blank=True)

    class Meta:
        ordering = ["code"]
        indexes = [models.Index(fields=["level", "code"])]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class RuralPopulation(models.Model):
    """Rural registered population (乡村户籍人口) of a region in a year."""

    region = models.ForeignKey(Region, on_delete=models.CASCADE, related_name="populations")
    year = models.PositiveSmallIntegerField("年度")
    population = models.PositiveIntegerField("乡村户籍人口")

    class Meta:
        verbose_name = verbose_name_plural = "乡村户籍人口"
        ordering = ["region", "year"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="unique_population_year")
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year}: {self.population}"
