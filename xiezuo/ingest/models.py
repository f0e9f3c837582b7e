"""Import batches: what was loaded from which file, by whom, and how to take it back; and the
jobs that import uploaded files in the background."""

import json
import uuid
from pathlib import Path

from django.conf import settings
from django.db import models
from django.utils import timezone

from xiezuo.programs.models import Programme


class Batch(models.Model):
    """One file imported into one ledger: its counts, its errors and its fate."""

    class Status(models.TextChoices):
        VALIDATED = "validated", "已校验（未写入）"
        FAILED = "failed", "有错误（未写入）"
        LOADED = "loaded", "已导入"
        UNDONE = "undone", "已撤销"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="导入人",
    )
    created_at = models.DateTimeField("导入时间", default=timezone.now)
    ledger = models.CharField("台账", max_length=32)
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    file_name = models.CharField("文件名", max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    sheet = models.CharField("工作表", max_length=64, blank=True)
    rows = models.PositiveIntegerField("行数", default=0)
    valid = models.PositiveIntegerField("无误行数", default=0)
    inserted = models.PositiveIntegerField("新增", default=0)
    updated = models.PositiveIntegerField("更新", default=0)
    unchanged = models.PositiveIntegerField("未变", default=0)
    status = models.CharField("状态", max_length=12, choices=Status)
    dry_run = models.BooleanField("试导入", default=False)
    errors = models.JSONField("错误", default=list, blank=True)
    notices = models.JSONField("提示", default=list, blank=True)
    # The regions the importer's scope held; empty for a programme-wide importer.
    scope_regions = models.JSONField("权限范围", default=list, blank=True)
    seconds = models.FloatField("用时(秒)", default=0)
    undone_at = models.DateTimeField("撤销时间", null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = "导入批次"
        verbose_name_plural = "导入批次"

    def __str__(self) -> str:
        return f"{self.ledger} {self.file_name} ({self.get_status_display()})"


class BatchChange(models.Model):
    """Rows a batch wrote: a range of inserted ids, or one updated row and its old values."""

    class Action(models.TextChoices):
        INSERT = "insert", "新增"
        UPDATE = "update", "更新"

    batch = models.ForeignKey(Batch, on_delete=models.CASCADE, related_name="changes")
    model = models.CharField("模型", max_length=64)  # "registry.Member"
    action = models.CharField("操作", max_length=8, choices=Action)
    row_id = models.BigIntegerField("行 id")
    # Inserts are recorded as ranges of consecutive ids: row_id … last_row_id.
    last_row_id = models.BigIntegerField("末行 id", null=True, blank=True)
    previous = models.JSONField("原值", null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["model", "row_id"])]

    def __str__(self) -> str:
        return f"{self.batch_id} {self.action} {self.model} {self.row_id}"


class ImportJob(models.Model):
    """One uploaded file waiting for, going through or done with the importer.

    The file is kept under `XIEZUO_DATA_DIR/uploads/<upload_key>/<original name>` so that the
    annotated copy can be made from it later (until `xiezuo prune` removes it). `report` is
    the importer's report (its JSON shape plus notices and status); `batch` the batch it left,
    if any. A running job names its `worker` (host:pid) and beats `heartbeat_at`; one whose
    worker died is failed by `jobs.import_jobs_fail_stale` and may be retried.
    """

    class Status(models.TextChoices):
        QUEUED = "queued", "排队中"
        RUNNING = "running", "导入中"
        DONE = "done", "已完成"
        FAILED = "failed", "任务出错"
        CANCELLED = "cancelled", "已取消"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="上传人",
    )
    programme = models.ForeignKey(
        Programme, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ledger = models.CharField("台账", max_length=32)
    upload_key = models.UUIDField("上传标识", default=uuid.uuid4, unique=True, editable=False)
    original_name = models.CharField("文件名", max_length=255)
    dry_run = models.BooleanField("试导入", default=False)
    status = models.CharField("状态", max_length=12, choices=Status, default=Status.QUEUED)
    stage = models.CharField("阶段", max_length=32, blank=True)
    done = models.PositiveBigIntegerField("已处理", default=0)
    total = models.PositiveBigIntegerField("总数", null=True, blank=True)
    report = models.JSONField("报告", null=True, blank=True)
    message = models.TextField("任务错误", blank=True)
    batch = models.ForeignKey(
        Batch,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
        verbose_name="批次",
    )
    task_id = models.CharField("任务 id", max_length=64, blank=True)
    created_at = models.DateTimeField("上传时间", default=timezone.now)
    started_at = models.DateTimeField("开始时间", null=True, blank=True)
    finished_at = models.DateTimeField("完成时间", null=True, blank=True)
    heartbeat_at = models.DateTimeField("最近心跳", null=True, blank=True)
    worker = models.CharField("后台进程", max_length=128, blank=True)  # host:pid

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "finished_at"])]
        verbose_name = "导入任务"
        verbose_name_plural = "导入任务"

    def __str__(self) -> str:
        return f"{self.ledger} {self.original_name} ({self.get_status_display()})"

    @property
    def upload_path(self) -> Path:
        """Return where the uploaded file is kept."""
        return Path(settings.DATA_DIR) / "uploads" / str(self.upload_key) / self.original_name

    @property
    def annotated_path(self) -> Path:
        """Return where the task keeps the annotated copy of a file with errors."""
        return self.upload_path.parent / "annotated.xlsx"

    @property
    def progress_path(self) -> Path:
        """Return where the task records progress it makes inside the load's transaction."""
        return self.upload_path.parent / "progress.json"

    def read_progress(self) -> None:
        """Take stage, done and total from the progress record while the job runs.

        The load writes its progress to a small file rather than to this row: the row would
        stay invisible until the load commits, and on SQLite a second writer would wait for it.
        """
        if self.finished:
            return
        try:
            record = json.loads(self.progress_path.read_text(encoding="utf-8"))
            stage, done, total = record["stage"], int(record["done"]), record["total"]
        except (OSError, ValueError, KeyError, TypeError):
            return  # none yet, or being replaced: the row's values stand
        self.stage, self.done = str(stage)[:32], max(done, 0)
        self.total = int(total) if total is not None else None

    @property
    def finished(self) -> bool:
        return self.status in FINISHED

    @property
    def retryable(self) -> bool:
        """Return True when the job may be run again: it failed or was cancelled."""
        return self.status in {self.Status.FAILED, self.Status.CANCELLED}

    @property
    def cancellable(self) -> bool:
        """Return True when the job may be cancelled: still queued, or failed."""
        return self.status in {self.Status.QUEUED, self.Status.FAILED}


# The statuses a job ends in.
FINISHED = frozenset({ImportJob.Status.DONE, ImportJob.Status.FAILED, ImportJob.Status.CANCELLED})
