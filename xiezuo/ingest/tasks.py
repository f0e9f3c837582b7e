"""Background tasks of the ingest app, run by `xiezuo db_worker` (django-tasks-db)."""

import json
import logging
import math
import time
from pathlib import Path

from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.tasks import task
from django.utils import timezone

from xiezuo.ingest.errors import UnusableInput
from xiezuo.ingest.models import ImportJob
from xiezuo.ingest.services import ImportReport, import_file
from xiezuo.programs.selectors import scope_for

logger = logging.getLogger(__name__)

# The job row is written at most this often per stage (a new stage is always written).
PROGRESS_INTERVAL = 0.25


@task()
def run_import(job_id: int) -> str:
    """Import the uploaded file of job `job_id` and store the report on the job.

    A file that cannot be read as the ledger is a report too (status done); only an
    unexpected failure leaves the job failed. A job runs once: a second delivery is skipped.
    Return the job's final status.
    """
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=timezone.now()
    )
    if not claimed:
        return "skipped"
    job = ImportJob.objects.select_related("user", "programme").get(pk=job_id)
    try:
        report = _import(job)
    except Exception as error:
        logger.exception("import job %s failed", job_id)
        _finish(job_id, status=ImportJob.Status.FAILED, message=f"{type(error).__name__}: {error}")
        raise
    if report.errors:
        _annotate(job, report)
    _finish(job_id, status=ImportJob.Status.DONE, report=report)
    return ImportJob.Status.DONE.value


def _annotate(job: ImportJob, report: ImportReport) -> None:
    """Write the annotated copy the import page offers; a failure only loses the copy."""
    from xiezuo.ingest.writing import write_annotated

    try:
        write_annotated(
            source=job.upload_path,
            target=job.annotated_path,
            errors=[error.as_dict() for error in report.errors],
            ledger_key=job.ledger,
        )
    except Exception:
        logger.exception("annotated copy of import job %s failed", job.pk)


def _import(job: ImportJob) -> ImportReport:
    try:
        if job.programme is None:
            raise UnusableInput("导入任务所属的项目已不存在。")
        return import_file(
            ledger_key=job.ledger,
            path=job.upload_path,
            scope=scope_for(user=job.user or AnonymousUser(), programme=job.programme),
            user=job.user,
            dry_run=job.dry_run,
            progress=JobProgress(job.pk),
            programme=job.programme,
        )
    except UnusableInput as error:
        return ImportReport.from_unusable(job.ledger, job.original_name, error)


def _finish(
    job_id: int, *, status: str, report: ImportReport | None = None, message: str = ""
) -> None:
    fields: dict = {"status": status, "finished_at": timezone.now(), "message": message[:2000]}
    if report is not None:
        fields |= {
            "report": report_json(report),
            "batch_id": report.batch_id,
            "done": report.rows,
            "total": report.rows,
        }
    ImportJob.objects.filter(pk=job_id).update(**fields)


def report_json(report: ImportReport) -> dict:
    """Return the report as the job keeps it: the public JSON shape, notices and outcome."""
    return {
        **report.as_json(),
        "notices": list(report.notices),
        "status": str(report.status),
        "dry_run": report.dry_run,
        "unusable": report.unusable,
        "batch_id": report.batch_id,
        "seconds": round(report.seconds, 3),
    }


class JobProgress:
    """The importer's progress callback: write stage, done and total to the job row.

    Writes are throttled to one per `interval` seconds within a stage. Progress reported
    inside the load's own transaction goes to the job's progress record (a small file beside
    the upload, see `ImportJob.read_progress`) instead: the row would stay invisible to the
    page polling it until the load commits, and on SQLite a second writer would wait for it.
    """

    def __init__(self, job_id: int, *, interval: float = PROGRESS_INTERVAL) -> None:
        self.job_id = job_id
        self.interval = interval
        self.depth = len(connection.atomic_blocks)
        self.stage: str | None = None
        self.written = -math.inf
        self.record: Path | None = None

    def __call__(self, stage: str, done: int, total: int | None) -> None:
        now = time.monotonic()
        if stage == self.stage and now - self.written < self.interval:
            return
        self.stage, self.written = stage, now
        if len(connection.atomic_blocks) > self.depth:
            self._write_record(stage, done, total)
            return
        ImportJob.objects.filter(pk=self.job_id).update(
            stage=stage[:32], done=max(done, 0), total=total
        )
        if self.record is not None:
            self.record.unlink(missing_ok=True)  # the row is current again

    def _write_record(self, stage: str, done: int, total: int | None) -> None:
        if self.record is None:
            job = ImportJob.objects.only("upload_key", "original_name").get(pk=self.job_id)
            self.record = job.progress_path
        partial = self.record.with_suffix(".partial")
        try:
            partial.write_text(
                json.dumps({"stage": stage[:32], "done": max(done, 0), "total": total}),
                encoding="utf-8",
            )
            partial.replace(self.record)  # readers never see half a record
        except OSError:
            logger.warning("progress record of import job %s not written", self.job_id)
