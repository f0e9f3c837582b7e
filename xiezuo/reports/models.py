"""The self-evaluation reports an office signs off, and the paragraphs it drafts before.

A report is one unit's (a helper district, a recipient county, or the programme) for one
year. Until it is signed off it is live: built from the year's latest assessment run with the
office's draft paragraphs. Signing it off freezes the content dict as JSON together with the
SHA-256 of its canonical form (`xiezuo.reports.services.canonical`); a later version
supersedes it but never changes it.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from xiezuo.assessment.models import AssessmentRun
from xiezuo.programs.models import Programme


class ReportUnitType(models.TextChoices):
    HELPER = "helper", "帮扶方"
    RECIPIENT = "recipient", "受援方"
    PROGRAMME = "programme", "项目"


class ReportDraft(models.Model):
    """The office's own paragraphs of a unit's report, before it is signed off.

    `paragraphs`: `[{"after": "summary" | an area key, "text": "…"}, …]` in the order shown.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name="项目"
    )
    year = models.PositiveSmallIntegerField("年度")
    unit_type = models.CharField("单位类型", max_length=16, choices=ReportUnitType)
    unit = models.CharField("单位", max_length=40)
    paragraphs = models.JSONField("补充段落", default=list, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="修改人",
    )
    updated = models.DateTimeField("修改时间", auto_now=True)

    class Meta:
        verbose_name = verbose_name_plural = "自评报告草稿"
        ordering = ["programme", "year", "unit_type", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "unit_type", "unit"], name="unique_report_draft"
            )
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.unit_type}:{self.unit} 草稿"


class SignedReport(models.Model):
    """One signed-off version of a unit's report: its content frozen, with its hash."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="+", verbose_name="项目"
    )
    year = models.PositiveSmallIntegerField("年度")
    unit_type = models.CharField("单位类型", max_length=16, choices=ReportUnitType)
    unit = models.CharField("单位", max_length=40)
    version = models.PositiveSmallIntegerField("版本")
    content = models.JSONField("报告内容")
    sha256 = models.CharField("SHA-256", max_length=64)
    run = models.ForeignKey(
        AssessmentRun,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="考核运行",
    )
    # Kept as a number as well: the record outlives the run.
    run_number = models.PositiveIntegerField("考核运行编号")
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="签发人",
    )
    signed_by_name = models.CharField("签发人姓名", max_length=150, blank=True)
    signed_at = models.DateTimeField("签发时间")
    is_current = models.BooleanField("现行版本", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "已签发自评报告"
        ordering = ["programme", "year", "unit_type", "unit", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "unit_type", "unit", "version"],
                name="unique_report_version",
            ),
            models.UniqueConstraint(
                fields=["programme", "year", "unit_type", "unit"],
                condition=Q(is_current=True),
                name="one_current_report",
            ),
        ]

    def __str__(self) -> str:
        state = "现行" if self.is_current else "已被替代"
        return f"{self.year} {self.unit_type}:{self.unit} v{self.version}（{state}）"

    @property
    def superseded(self) -> bool:
        return not self.is_current
