"""Import batches through the API: upload a file (a job for the task worker, as the import
page queues it), poll the job, read its report; or check a file at once (a dry run, as
`xiezuo import --dry-run`). Uploads pass the same guards as the page's (`ingest.limits`)
before anything is kept."""

import tempfile
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from django.conf import settings
from django.core.files import File as DjangoFile
from django.http import HttpRequest
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from xiezuo.access import Verb
from xiezuo.api.auth import caller, caller_access
from xiezuo.api.errors import ApiError
from xiezuo.api.listing import STREAMED, ListParams, listing
from xiezuo.ingest.catalog import ledger as get_ledger
from xiezuo.ingest.catalog import ledgers
from xiezuo.ingest.errors import UnusableInput
from xiezuo.ingest.jobs import (
    JobStateError,
    import_job_cancel,
    import_job_retry,
    import_job_start,
    import_jobs_fail_stale,
    stored_name,
)
from xiezuo.ingest.limits import Limits, check_upload
from xiezuo.ingest.models import Batch, ImportJob
from xiezuo.ingest.selectors import (
    batch_get,
    batch_list,
    import_job_get,
    import_job_list,
    job_errors,
    masked_errors,
    personal_masks,
)
from xiezuo.ingest.services import import_file

router = Router(tags=["imports"])

if TYPE_CHECKING:
    LedgerKey = str
else:  # the catalog's keys, an enum in the schema
    LedgerKey = Literal[tuple(ledgers())]


class RowErrorOut(Schema):
    row: int | None = Field(..., description="the row as Excel numbers it")
    column: str | None = Field(..., description="the catalog header")
    value: str | None
    message: str


class ReportOut(Schema):
    ledger: str
    file: str
    rows: int
    valid: int
    inserted: int
    updated: int
    unchanged: int
    errors: list[RowErrorOut]
    notices: list[str]


class JobOut(Schema):
    id: int
    ledger: str
    file: str
    dry_run: bool
    status: str
    stage: str
    done: int
    total: int | None
    message: str
    batch: int | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class JobPage(Schema):
    items: list[JobOut]
    next: str | None


class BatchOut(Schema):
    id: int
    ledger: str
    file: str
    sha256: str
    status: str
    dry_run: bool
    rows: int
    valid: int
    inserted: int
    updated: int
    unchanged: int
    created_at: datetime
    undone_at: datetime | None


class BatchPage(Schema):
    items: list[BatchOut]
    next: str | None


def _job(job: ImportJob) -> dict[str, Any]:
    return {
        "id": job.pk,
        "ledger": job.ledger,
        "file": job.original_name,
        "dry_run": job.dry_run,
        "status": job.status,
        "stage": job.stage,
        "done": job.done,
        "total": job.total,
        "message": job.message,
        "batch": job.batch_id,
        "created_at": job.created_at,
        "started_at": job.started_at,
        "finished_at": job.finished_at,
    }


def _batch(batch: Batch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "ledger": batch.ledger,
        "file": batch.file_name,
        "sha256": batch.sha256,
        "status": batch.status,
        "dry_run": batch.dry_run,
        "rows": batch.rows,
        "valid": batch.valid,
        "inserted": batch.inserted,
        "updated": batch.updated,
        "unchanged": batch.unchanged,
        "created_at": batch.created_at,
        "undone_at": batch.undone_at,
    }


class _Kept:
    """The upload written to a private folder and checked against the limits."""

    def __init__(self, ledger_key: str, upload: UploadedFile) -> None:
        uploads = Path(settings.DATA_DIR) / "uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        self.folder = tempfile.TemporaryDirectory(dir=uploads, prefix="api-")
        self.path = Path(self.folder.name) / stored_name(upload.name or "")
        with self.path.open("wb") as handle:
            for chunk in upload.chunks():
                handle.write(chunk)
        try:
            check_upload(self.path, Limits.for_ledger(get_ledger(ledger_key)))
        except UnusableInput as error:
            self.folder.cleanup()
            raise ApiError(400, "unusable_file", error.message) from None

    def __enter__(self) -> "_Kept":
        return self

    def __exit__(self, *exc: object) -> None:
        self.folder.cleanup()


@router.post("/imports/jobs", response={202: JobOut})
def import_upload(
    request: HttpRequest,
    ledger: Form[LedgerKey],
    file: File[UploadedFile],
    dry_run: Form[bool] = False,
) -> object:
    """Upload a ledger file: it is kept and queued for the task worker; poll the job."""
    access = caller_access(request)
    access.check(Verb.IMPORT_LEDGERS)
    with _Kept(ledger, file) as kept, kept.path.open("rb") as handle:
        job = import_job_start(
            access=access,
            user=caller(request),
            ledger_key=ledger,
            upload=DjangoFile(handle, name=kept.path.name),
            dry_run=dry_run,
        )
    return Status(202, _job(job))


@router.post("/imports/check", response={200: ReportOut})
def import_check(request: HttpRequest, ledger: Form[LedgerKey], file: File[UploadedFile]) -> object:
    """Check a ledger file at once without writing it (a dry run): its report, or 400 with
    every error as row, column, value and message."""
    access = caller_access(request)
    access.check(Verb.IMPORT_LEDGERS)
    with _Kept(ledger, file) as kept:
        try:
            report = import_file(
                ledger_key=ledger, path=kept.path, access=access, user=caller(request), dry_run=True
            )
        except UnusableInput as error:
            raise ApiError(400, "unusable_file", error.message) from None
    payload = report.as_json()
    model = get_ledger(ledger).model
    regions = access.import_regions(model)
    if not (
        access.everything
        or (regions.region_codes and access.shows_personal_in(regions.region_codes))
    ):
        payload["errors"] = masked_errors(payload["errors"], personal_masks(ledger))
    if report.unusable:
        raise ApiError(400, "unusable_file", payload["errors"][0]["message"])
    if payload["errors"]:
        raise ApiError(
            400, "invalid_rows", f"文件有 {len(payload['errors'])} 处错误，未写入", **payload
        )
    return payload


@router.get("/imports/jobs", response=JobPage, openapi_extra={"responses": STREAMED})
def job_list(request: HttpRequest, params: Query[ListParams]) -> object:
    """List the import jobs the caller may see (their own; every one for the programme
    office and assessors), newest first."""
    rows = import_job_list(access=caller_access(request))
    return listing(
        request,
        rows,
        params,
        key="-pk",
        shape=lambda jobs: [_job(j) for j in jobs],
        fields=list(JobOut.model_fields),
        name="import-jobs",
    )


def _job_get(request: HttpRequest, job_id: int) -> ImportJob:
    job = import_job_get(access=caller_access(request), pk=job_id)
    if job.status == ImportJob.Status.RUNNING and import_jobs_fail_stale(job_ids=[job.pk]):
        job.refresh_from_db()
    return job


@router.get("/imports/jobs/{job_id}", response=JobOut)
def job_detail(request: HttpRequest, job_id: int) -> object:
    """Return a job: its status and progress (poll it until it is finished)."""
    return _job(_job_get(request, job_id))


@router.get("/imports/jobs/{job_id}/report", response=ReportOut)
def job_report(request: HttpRequest, job_id: int) -> object:
    """Return a finished job's report: counts, and every error as row, column, value and
    message (personal values masked unless the caller sees them where the file could write)."""
    job = _job_get(request, job_id)
    if not job.finished or not job.report:
        raise ApiError(
            409, "not_finished", f"导入任务 {job.pk} 尚未完成（{job.get_status_display()}）"
        )
    report = dict(job.report)
    report["errors"] = job_errors(access=caller_access(request), job=job)
    report.setdefault("notices", [])
    return report


@router.post("/imports/jobs/{job_id}/retry", response=JobOut)
def job_retry(request: HttpRequest, job_id: int) -> object:
    """Queue a failed or cancelled job again (409 in any other state)."""
    caller_access(request).check(Verb.IMPORT_LEDGERS)
    try:
        return _job(import_job_retry(job=_job_get(request, job_id)))
    except JobStateError as error:
        raise ApiError(409, "conflict", error.message) from None


@router.post("/imports/jobs/{job_id}/cancel", response=JobOut)
def job_cancel(request: HttpRequest, job_id: int) -> object:
    """Cancel a queued job or give up a failed one (409 in any other state)."""
    caller_access(request).check(Verb.IMPORT_LEDGERS)
    try:
        return _job(import_job_cancel(job=_job_get(request, job_id)))
    except JobStateError as error:
        raise ApiError(409, "conflict", error.message) from None


@router.get("/imports/batches", response=BatchPage, openapi_extra={"responses": STREAMED})
def batch_list_route(request: HttpRequest, params: Query[ListParams]) -> object:
    """List the import batches the caller may see, newest first."""
    rows = batch_list(access=caller_access(request))
    return listing(
        request,
        rows,
        params,
        key="-pk",
        shape=lambda batches: [_batch(b) for b in batches],
        fields=list(BatchOut.model_fields),
        name="import-batches",
    )


@router.get("/imports/batches/{batch_id}", response=BatchOut)
def batch_detail(request: HttpRequest, batch_id: int) -> object:
    """Return one import batch."""
    return _batch(batch_get(access=caller_access(request), pk=batch_id))
