"""Background tasks of the ingest app, run by `xiezuo worker` (django-tasks-db)."""

import json
import logging
import math
import threading
import time
from pathlib import Path
from types import TracebackType

from django.contrib.auth.models import AnonymousUser
from django.db import DatabaseError, connection, connections
from django.tasks import task
from django.utils import timezone

from xiezuo.access.selectors import access_for
from xiezuo.ingest.errors import UnusableInput
from xiezuo.ingest.jobs import stale_seconds, worker_name
from xiezuo.ingest.models import ImportJob
from xiezuo.ingest.services import ImportReport, import_file

logger = logging.getLogger(__name__)

# The job row is written at most this often per stage (a new stage is always written).
PROGRESS_INTERVAL = 0.25


@task()
def run_import(job_id: int) -> str:
    """Import the uploaded file of job `job_id` and store the report on the job.

    A file that cannot be read as the ledger is a report too (status done); only an
    unexpected failure leaves the job failed. A job runs once: a second delivery, or a job
    cancelled meanwhile, is skipped. While it runs the job names this process as its worker
    and a thread beats its heartbeat (see `jobs.import_jobs_fail_stale`).
    Return the job's final status.
    """
    worker, now = worker_name(), timezone.now()
    claimed = ImportJob.objects.filter(pk=job_id, status=ImportJob.Status.QUEUED).update(
        status=ImportJob.Status.RUNNING, started_at=now, heartbeat_at=now, worker=worker
    )
    if not claimed:
        return "skipped"
    job = ImportJob.objects.select_related("user", "programme").get(pk=job_id)
    try:
        with Heartbeat(job_id, worker):
            report = _import(job)
            if report.errors:
                _annotate(job, report)
    except Exception as error:
        logger.exception("import job %s failed", job_id)
        _finish(
            job_id,
            worker,
            status=ImportJob.Status.FAILED,
            message=f"{type(error).__name__}: {error}",
        )
        raise
    _finish(job_id, worker, status=ImportJob.Status.DONE, report=report)
    return ImportJob.Status.DONE.value


def _annotate(job: ImportJob, report: ImportReport) -> None:
    """Write the annotated copy the import page offers (and, for a ledger with personal
    columns, the masked copy `selectors.annotated_file` serves to who may not see them); a
    failure only loses the copy."""
    from xiezuo.ingest.selectors import masked_errors, personal_masks
    from xiezuo.ingest.writing import write_annotated

    errors = [error.as_dict() for error in report.errors]
    try:
        write_annotated(
            source=job.upload_path,
            target=job.annotated_path,
            errors=errors,
            ledger_key=job.ledger,
        )
        if masks := personal_masks(job.ledger):
            write_annotated(
                source=job.upload_path,
                target=job.annotated_path.with_name("annotated-masked.xlsx"),
                errors=masked_errors(errors, masks),
                ledger_key=job.ledger,
                masked=masks,
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
            access=access_for(user=job.user or AnonymousUser(), programme=job.programme),
            user=job.user,
            dry_run=job.dry_run,
            progress=JobProgress(job.pk),
            programme=job.programme,
        )
    except UnusableInput as error:
        return ImportReport.from_unusable(job.ledger, job.original_name, error)


def _finish(
    job_id: int, worker: str, *, status: str, report: ImportReport | None = None, message: str = ""
) -> None:
    """Write the job's outcome, unless another worker has taken the job since (a retry).

    A job failed as stale meanwhile is overwritten: what this worker did is the truth.
    """
    fields: dict = {"status": status, "finished_at": timezone.now(), "message": message[:2000]}
    if report is not None:
        fields |= {
            "report": report_json(report),
            "batch_id": report.batch_id,
            "done": report.rows,
            "total": report.rows,
        }
    ImportJob.objects.filter(pk=job_id, worker=worker).update(**fields)


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
            stage=stage[:32], done=max(done, 0), total=total, heartbeat_at=timezone.now()
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


class Heartbeat:
    """Beat a running job's heartbeat from a thread of its own, every `interval` seconds.

    The thread keeps beating while the importer reads or validates for long without reporting
    progress. It has its own database connection: on PostgreSQL it beats through the import's
    transaction too; on SQLite its write waits for that transaction to commit (one writer at a
    time), which is why a live worker of this host is never stale. A failed beat is logged and
    the next one tried.
    """

    def __init__(self, job_id: int, worker: str, *, interval: float | None = None) -> None:
        self.job_id = job_id
        self.worker = worker
        self.interval = interval or min(30.0, max(1.0, stale_seconds() / 5))
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def __enter__(self) -> "Heartbeat":
        self.thread.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stopped.set()
        self.thread.join()

    def _run(self) -> None:
        try:
            while not self.stopped.wait(self.interval):
                try:
                    ImportJob.objects.filter(
                        pk=self.job_id, worker=self.worker, status=ImportJob.Status.RUNNING
                    ).update(heartbeat_at=timezone.now())
                except DatabaseError as error:
                    logger.warning("import job %s: heartbeat not written: %s", self.job_id, error)
        finally:
            connections.close_all()
