"""Targets, weights and grade sets per programme-year, and the stored assessment runs.

Unit keys (`unit`): the region code of a helper district or recipient county, the pairing's
`HELPER→RECIPIENT` (e.g. `110105→130723`), or the programme's key.
"""

import datetime as dt
from pathlib import Path

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.db import models
from django.db.models import Q
from django.utils.functional import cached_property

from xiezuo.programs.models import Programme


class UnitType(models.TextChoices):
    PAIRING = "pairing", "结对"
    HELPER = "helper", "帮扶方"
    RECIPIENT = "recipient", "受援方"
    PROGRAMME = "programme", "项目"


def _number(verbose_name: str, **options) -> models.DecimalField:
    """Return an indicator figure: up to 10^17 with 6 places (amounts, counts, percentages)."""
    return models.DecimalField(verbose_name, max_digits=24, decimal_places=6, **options)


def _optional_number(verbose_name: str) -> models.DecimalField:
    return _number(verbose_name, null=True, blank=True)


class IndicatorTarget(models.Model):
    """The target and weight of an indicator in a programme-year.

    A row with a blank `unit` is the default for every unit of its type; a row naming a unit
    overrides it for that unit. The defaults loaded from `data/targets/<programme>.toml` are
    per pairing (`unit_type` pairing, `unit` blank): a helper district, a recipient county and
    the programme take that target × their number of pairings for counts and sums, and the
    same target for rates, growths and flags, unless a row for their type or for them exists.
    """

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="indicator_targets", verbose_name="项目"
    )
    year = models.PositiveSmallIntegerField("年度")
    indicator = models.CharField("指标", max_length=8)
    unit_type = models.CharField("单位类型", max_length=16, choices=UnitType)
    unit = models.CharField(
        "单位",
        max_length=40,
        blank=True,
        help_text="区划代码、HELPER→RECIPIENT 或项目标识；空为默认",
    )
    target = _optional_number("目标值")
    weight = models.DecimalField("权重", max_digits=7, decimal_places=4, default=0)

    class Meta:
        verbose_name = verbose_name_plural = "指标目标"
        ordering = ["programme", "year", "indicator", "unit_type", "unit"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "year", "indicator", "unit_type", "unit"],
                name="unique_indicator_target",
            ),
            models.CheckConstraint(
                condition=Q(target__isnull=True) | Q(target__gt=0), name="target_positive"
            ),
            models.CheckConstraint(condition=Q(weight__gte=0), name="weight_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.indicator} {self.unit_type}:{self.unit or '默认'}"


class GradeBand(models.Model):
    """One grade of a programme-year's grade set: a total score of `min_score` or more."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="grade_bands", verbose_name="项目"
    )
    year = models.PositiveSmallIntegerField("年度")
    grade = models.CharField("等次", max_length=8)
    min_score = models.DecimalField("最低分", max_digits=7, decimal_places=2)

    class Meta:
        verbose_name = verbose_name_plural = "考核等次"
        ordering = ["programme", "year", "-min_score"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "year", "grade"], name="unique_grade_band")
        ]

    def __str__(self) -> str:
        return f"{self.year} {self.grade} ≥ {self.min_score}"


class AssessmentRun(models.Model):
    """One evaluation of a programme-year, kept so that its ranking can be reproduced."""

    class Engine(models.TextChoices):
        DB = "db", "数据库"
        DUCKDB = "duckdb", "DuckDB（快照）"
        SPARK = "spark", "Spark（快照）"

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="assessment_runs", verbose_name="项目"
    )
    year = models.PositiveSmallIntegerField("年度")
    as_of = models.DateField("截至日期")
    engine = models.CharField("计算引擎", max_length=8, choices=Engine)
    parameters = models.JSONField("参数", default=dict, blank=True)
    duration = models.DurationField("用时")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="用户",
    )
    who = models.CharField("执行人", max_length=150, blank=True)
    created = models.DateTimeField("时间", auto_now_add=True)

    class Meta:
        verbose_name = verbose_name_plural = "考核运行"
        ordering = ["-created", "-id"]
        indexes = [models.Index(fields=["programme", "year", "-created"], name="run_latest")]

    def __str__(self) -> str:
        return f"{self.programme_id} {self.year} 截至 {self.as_of} ({self.engine})"


class IndicatorResult(models.Model):
    """An indicator's value, target, weight and score for one unit of a run."""

    run = models.ForeignKey(
        AssessmentRun, on_delete=models.CASCADE, related_name="results", verbose_name="运行"
    )
    indicator = models.CharField("指标", max_length=8)
    unit_type = models.CharField("单位类型", max_length=16, choices=UnitType)
    unit = models.CharField("单位", max_length=40)
    value = _optional_number("值")
    numerator = _optional_number("分子")
    denominator = _optional_number("分母")
    target = _optional_number("目标值")
    weight = models.DecimalField("权重", max_digits=7, decimal_places=4, null=True, blank=True)
    score = models.DecimalField("得分", max_digits=9, decimal_places=4, null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "指标结果"
        ordering = ["run", "unit_type", "unit", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "indicator", "unit_type", "unit"], name="unique_indicator_result"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.unit_type}:{self.unit} = {self.value}"


class UnitResult(models.Model):
    """A unit's total score, grade and rank among its peers in a run."""

    run = models.ForeignKey(
        AssessmentRun, on_delete=models.CASCADE, related_name="units", verbose_name="运行"
    )
    unit_type = models.CharField("单位类型", max_length=16, choices=UnitType)
    unit = models.CharField("单位", max_length=40)
    score = models.DecimalField("总分", max_digits=9, decimal_places=2)
    grade = models.CharField("等次", max_length=8, blank=True)
    rank = models.PositiveIntegerField("排名")

    class Meta:
        verbose_name = verbose_name_plural = "单位结果"
        ordering = ["run", "unit_type", "rank", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["run", "unit_type", "unit"], name="unique_unit_result")
        ]

    def __str__(self) -> str:
        return f"{self.unit_type}:{self.unit} {self.score} {self.grade} #{self.rank}"


class Alert(models.Model):
    """A unit lagging behind the target pro-rated to the as-of date of an in-year run."""

    class Level(models.TextChoices):
        RED = "red", "红色预警"
        AMBER = "amber", "黄色预警"

    run = models.ForeignKey(
        AssessmentRun, on_delete=models.CASCADE, related_name="alerts", verbose_name="运行"
    )
    indicator = models.CharField("指标", max_length=8)
    unit_type = models.CharField("单位类型", max_length=16, choices=UnitType)
    unit = models.CharField("单位", max_length=40)
    level = models.CharField("级别", max_length=8, choices=Level)
    value = _number("值")
    expected = _number("应达值")

    class Meta:
        verbose_name = verbose_name_plural = "预警"
        ordering = ["run", "level", "unit_type", "unit", "indicator"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "indicator", "unit_type", "unit"], name="unique_alert"
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.indicator} {self.unit_type}:{self.unit}"


# --- rectification (整改) -----------------------------------------------------------------------


class EvidenceStorage(FileSystemStorage):
    """Where evidence files live: `MEDIA_ROOT` when set, else `XIEZUO_DATA_DIR/media`.

    The location is read when a file is first stored or opened, not at import time. Evidence
    is never served from a public URL: the pages hand it out after a scope check.
    """

    @cached_property
    def base_location(self) -> str:
        return self._value_or_setting(
            self._location,  # type: ignore[attr-defined]
            str(settings.MEDIA_ROOT or Path(settings.DATA_DIR) / "media"),
        )


def evidence_path(item: "RectificationItem", filename: str) -> str:
    """Return where an item's evidence file is kept: `rectification/<item>/<file name>`."""
    return f"rectification/{item.pk}/{Path(filename).name}"


class RectificationItem(models.Model):
    """A task that follows a lagging indicator: what to fix, who fixes it, by when, evidence.

    Drafted from a run's red and amber alerts (`rectification_services.rectification_draft`).
    Overdue is derived (the deadline has passed and the item is not done), never stored.
    `records` links evidence records: `[{"ledger": "fund", "id": 12}, …]`, table names as in
    `tables.TABLES`.
    """

    class Status(models.TextChoices):
        OPEN = "open", "待整改"
        IN_PROGRESS = "in_progress", "整改中"
        DONE = "done", "已完成"

    run = models.ForeignKey(
        AssessmentRun,
        on_delete=models.CASCADE,
        related_name="rectification_items",
        verbose_name="考核运行",
    )
    alert = models.ForeignKey(
        Alert,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="rectification_items",
        verbose_name="预警",
    )
    unit_type = models.CharField("单位类型", max_length=16, choices=UnitType)
    unit = models.CharField("单位", max_length=40)
    indicator = models.CharField("指标", max_length=8)
    finding = models.TextField("问题")
    responsible_office = models.CharField("责任单位", max_length=200)
    deadline = models.DateField("整改期限")
    status = models.CharField("状态", max_length=16, choices=Status, default=Status.OPEN)
    note = models.TextField("整改说明", blank=True)
    evidence_file = models.FileField(
        "佐证材料", upload_to=evidence_path, storage=EvidenceStorage(), blank=True, max_length=300
    )
    records = models.JSONField("关联记录", default=list, blank=True)
    created = models.DateTimeField("创建时间", auto_now_add=True)
    updated = models.DateTimeField("更新时间", auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="创建人",
    )

    class Meta:
        verbose_name = verbose_name_plural = "整改事项"
        ordering = ["deadline", "unit_type", "unit", "indicator", "id"]
        indexes = [
            models.Index(fields=["unit_type", "unit", "deadline"], name="rectification_unit"),
            models.Index(fields=["status", "deadline"], name="rectification_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "indicator", "unit_type", "unit"], name="unique_rectification"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator} {self.unit_type}:{self.unit} {self.get_status_display()}"

    def is_overdue(self, today: dt.date) -> bool:
        """Return True when the deadline passed before `today` and the item is not done."""
        return self.status != self.Status.DONE and self.deadline < today

    @property
    def evidence_name(self) -> str:
        return Path(self.evidence_file.name or "").name if self.evidence_file else ""
