"""Import jobs: an uploaded file handed to the background importer;
a job whose worker died, retried or cancelled; old files and jobs pruned.

A running job names its worker (`host:pid`) and beats `heartbeat_at` while it runs. It is
*stale* when its worker ran on this host and is no longer alive, or, for a worker on another
host (whose process cannot be looked at), when it has not beaten for
`XIEZUO_JOB_STALE_SECONDS` (default 600). A worker of this host that is alive is never
stale: on SQLite, one host by nature, the heartbeat cannot be written while the import's
transaction holds the write lock, however long that takes. A stale job is failed; its load
never committed (the import is one transaction), so retrying it starts from a clean database.
"""

import logging
import os
import shutil
import socket
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol, cast

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xiezuo.access import Access, Verb
from xiezuo.core.errors import XiezuoError
from xiezuo.ingest import catalog
from xiezuo.ingest.models import FINISHED, ImportJob

__all__ = [
    "JobStateError",
    "PruneResult",
    "import_job_cancel",
    "import_job_retry",
    "import_job_start",
    "import_jobs_fail_stale",
    "import_jobs_prune",
    "prune_days",
    "stale_seconds",
    "worker_name",
]

logger = logging.getLogger(__name__)

# Longest stored file name, in UTF-8 bytes (file systems allow 255).
_NAME_BYTES = 200
STALE_SECONDS = 600
PRUNE_DAYS = 30


class JobStateError(XiezuoError):
    """The job is not in a state that allows the action (retry a running job, cancel a done one)."""


class Upload(Protocol):
    """What an uploaded file offers (Django's `UploadedFile`)."""

    name: str | None

    def chunks(self) -> Any: ...


def import_job_start(
    *,
    access: Access,
    user: AbstractBaseUser | AnonymousUser,
    ledger_key: str,
    upload: Upload,
    dry_run: bool = False,
) -> ImportJob:
    """Keep the uploaded file, record the job and queue it for the importer; return the job.

    The job and its task are written in one transaction, so a worker never meets one without
    the other. The caller must be allowed to import (ScopeError otherwise); the import runs
    with the access the user holds when it runs.
    """

    access.check(Verb.IMPORT_LEDGERS)
    catalog.ledger(ledger_key)  # KeyError names the known ledgers
    job = ImportJob(
        user=cast(User, user),  # the check let only a signed-in user through
        programme=access.programme,
        ledger=ledger_key,
        original_name=stored_name(upload.name or ""),
        dry_run=dry_run,
    )
    path = job.upload_path
    path.parent.mkdir(parents=True, exist_ok=False)
    try:
        with path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        with transaction.atomic():
            job.save()
            _enqueue(job)
    except BaseException:
        shutil.rmtree(path.parent, ignore_errors=True)
        raise
    job.refresh_from_db()
    return job


def import_job_retry(*, job: ImportJob) -> ImportJob:
    """Queue a failed or cancelled job again with its kept file; return the job.

    Raise JobStateError when the job is queued, running or done, or its file is gone.
    """
    if not job.upload_path.is_file():
        raise JobStateError("原文件已清理，无法重试：请重新上传。", job=job.pk)
    with transaction.atomic():
        requeued = ImportJob.objects.filter(
            pk=job.pk, status__in=[ImportJob.Status.FAILED, ImportJob.Status.CANCELLED]
        ).update(
            status=ImportJob.Status.QUEUED,
            stage="",
            done=0,
            total=None,
            report=None,
            message="",
            batch=None,
            started_at=None,
            finished_at=None,
            heartbeat_at=None,
            worker="",
        )
        if not requeued:
            raise JobStateError(_refusal(job, "重试"), job=job.pk)
        _enqueue(job)
    if job.annotated_path != job.upload_path:  # the last run's copy; this run writes its own
        job.annotated_path.unlink(missing_ok=True)
    job.refresh_from_db()
    return job


def import_job_cancel(*, job: ImportJob) -> ImportJob:
    """Cancel a queued job (the worker will skip it) or give up a failed one; return the job.

    A running job cannot be cancelled: its load is one transaction that either commits or not.
    Raise JobStateError otherwise.
    """
    cancelled = ImportJob.objects.filter(
        pk=job.pk, status__in=[ImportJob.Status.QUEUED, ImportJob.Status.FAILED]
    ).update(status=ImportJob.Status.CANCELLED, finished_at=timezone.now())
    if not cancelled:
        job.refresh_from_db()
        raise JobStateError(_refusal(job, "取消"), job=job.pk)
    job.refresh_from_db()
    return job


def import_jobs_fail_stale(
    *, job_ids: list[int] | None = None, stale_after: float | None = None
) -> list[int]:
    """Fail the running jobs whose worker died or stopped beating; return their ids.

    `job_ids` limits the check to those jobs; `stale_after` (seconds) defaults to
    `stale_seconds()`. The task results of failed jobs are failed too.
    """
    stale_after = stale_seconds() if stale_after is None else stale_after
    now = timezone.now()
    running = ImportJob.objects.filter(status=ImportJob.Status.RUNNING)
    if job_ids is not None:
        running = running.filter(pk__in=job_ids)
    failed = []
    for pk, worker, heartbeat, started, task_id in running.values_list(
        "pk", "worker", "heartbeat_at", "started_at", "task_id"
    ):
        last = heartbeat or started or now
        silent = (now - last).total_seconds()
        alive = _worker_alive(worker)
        dead = alive is False
        if alive or (not dead and silent < stale_after):
            continue
        reason = "后台任务进程已退出" if dead else f"后台任务进程 {silent:.0f} 秒没有报告进度"
        message = (
            f"导入中断：{reason}（{worker or '未知进程'}）。导入在一个事务中写入，"
            "中断时没有提交，数据库中没有写入这个文件的任何数据。可以重试或取消。"
        )
        # Only if nothing changed meanwhile: the worker may have just finished.
        unchanged = ImportJob.objects.filter(
            pk=pk, status=ImportJob.Status.RUNNING, worker=worker, heartbeat_at=heartbeat
        )
        if unchanged.update(status=ImportJob.Status.FAILED, message=message, finished_at=now):
            logger.warning("import job %s failed: %s", pk, reason)
            failed.append(pk)
            _fail_task(task_id, message)
    return failed


@dataclass(frozen=True)
class PruneResult:
    """What a prune removed (or, in a dry run, would remove)."""

    cutoff: datetime
    jobs: int
    folders: int
    bytes: int
    task_results: int


def import_jobs_prune(*, days: float | None = None, dry_run: bool = False) -> PruneResult:
    """Delete finished import jobs older than `days` and their uploaded files; return counts.

    Also delete upload folders no job refers to and older than `days`, and finished task
    results older than `days`. Import batches (`Batch`, the audit trail and the undo path)
    are kept, whatever their age. With `dry_run`, count without deleting.
    """
    from django_tasks_db.models import DBTaskResult

    days = prune_days() if days is None else days
    cutoff = timezone.now() - timedelta(days=days)
    old = ImportJob.objects.filter(status__in=FINISHED).filter(
        Q(finished_at__lt=cutoff) | Q(finished_at__isnull=True, created_at__lt=cutoff)
    )
    uploads = Path(settings.DATA_DIR) / "uploads"
    keys = {str(key) for key in old.values_list("upload_key", flat=True)}
    live = {
        str(key)
        for key in ImportJob.objects.exclude(pk__in=old).values_list("upload_key", flat=True)
    }
    folders = []
    if uploads.is_dir():
        for folder in uploads.iterdir():
            if folder.name in live or not folder.is_dir():
                continue
            if folder.name in keys or folder.stat().st_mtime < cutoff.timestamp():
                folders.append(folder)
    size = sum(f.stat().st_size for folder in folders for f in folder.rglob("*") if f.is_file())
    results = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff)
    jobs, task_results = old.count(), results.count()
    if not dry_run:
        for folder in folders:
            shutil.rmtree(folder, ignore_errors=True)
        jobs, _ = old.delete()
        task_results, _ = results.delete()
    return PruneResult(
        cutoff=cutoff, jobs=jobs, folders=len(folders), bytes=size, task_results=task_results
    )


def stale_seconds() -> float:
    """Return after how many silent seconds a running job counts as stale."""
    return float(os.environ.get("XIEZUO_JOB_STALE_SECONDS") or STALE_SECONDS)


def prune_days() -> float:
    """Return after how many days finished jobs and their files are pruned."""
    return float(os.environ.get("XIEZUO_PRUNE_DAYS") or PRUNE_DAYS)


def worker_name() -> str:
    """Return who runs a job: this host and process."""
    return f"{socket.gethostname()}:{os.getpid()}"[:128]


def stored_name(name: str) -> str:
    """Return an uploaded file's name made safe to keep: no folders, no control characters."""
    name = Path(name.replace("\\", "/")).name
    name = "".join(c for c in name if c.isprintable()).strip().lstrip(".").strip()
    if not name:
        return "upload"
    suffix = Path(name).suffix if len(Path(name).suffix) <= 10 else ""
    stem = name[: len(name) - len(suffix)]
    while stem and len((stem + suffix).encode()) > _NAME_BYTES:
        stem = stem[:-1]
    return (stem + suffix) or "upload"


def _enqueue(job: ImportJob) -> None:
    from xiezuo.ingest.tasks import run_import  # tasks import the importer; keep this light

    result = run_import.enqueue(job.pk)
    ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])


def _refusal(job: ImportJob, action: str) -> str:
    job.refresh_from_db(fields=["status"])
    return f"任务 {job.pk} 的状态是「{job.get_status_display()}」，不能{action}。"


def _worker_alive(worker: str) -> bool | None:
    """Return whether `worker` (host:pid) still runs; None when it ran on another host."""
    host, _, pid = worker.rpartition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return None
    try:
        os.kill(int(pid), 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # alive, another user's
        return True
    return True


def _fail_task(task_id: str, message: str) -> None:
    """Fail the task result of a job whose worker died (it would stay "running")."""
    from django.tasks import TaskResultStatus
    from django_tasks_db.models import DBTaskResult

    try:
        task = uuid.UUID(task_id)
    except ValueError:  # not the database backend's task
        return
    DBTaskResult.objects.filter(pk=task, status=TaskResultStatus.RUNNING).update(
        status=TaskResultStatus.FAILED, finished_at=timezone.now(), traceback=message
    )
