"""Reads of the ingest app: import batches and jobs, as the caller's access allows.

A caller who may see every import of the programme (the programme office, an assessor, a
superuser: `Verb.VIEW_ALL_IMPORTS`) sees every batch and job of it; anyone else sees those
they made.
"""

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from django.db.models import OuterRef, QuerySet, Subquery

from xiezuo.access import Access, Verb
from xiezuo.access.masking import masked, scrub
from xiezuo.ingest import catalog
from xiezuo.ingest.models import Batch, ImportJob

__all__ = [
    "annotated_file",
    "batch_get",
    "batch_list",
    "import_job_get",
    "import_job_list",
    "job_errors",
    "masked_columns",
    "masked_errors",
    "personal_masks",
]


def batch_list(*, access: Access) -> QuerySet[Batch]:
    """Return the programme's batches the caller may see, newest first, with their job's id.

    The error and notice lists stay in the database: a history does not need them.
    """
    batches = _visible(Batch.objects.all(), access)
    job = ImportJob.objects.filter(batch=OuterRef("pk")).order_by("-id").values("pk")[:1]
    return (
        batches.select_related("user")
        .defer("errors", "notices", "scope_regions")
        .annotate(job_id=Subquery(job))
        .order_by("-created_at", "-id")
    )


def batch_get(*, access: Access, pk: int) -> Batch:
    """Return batch `pk` if the caller may see it; Batch.DoesNotExist otherwise."""
    return _visible(Batch.objects.all(), access).get(pk=pk)


def import_job_list(*, access: Access, unfinished: bool = False) -> QuerySet[ImportJob]:
    """Return the programme's import jobs the caller may see, newest first."""
    jobs = _visible(ImportJob.objects.all(), access)
    if unfinished:
        jobs = jobs.filter(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
    return jobs.select_related("user").defer("report").order_by("-created_at", "-id")


def import_job_get(*, access: Access, pk: int) -> ImportJob:
    """Return import job `pk` if the caller may see it; ImportJob.DoesNotExist otherwise.

    A running job shows the progress its load records outside the database.
    """
    job = _visible(ImportJob.objects.all(), access).select_related("batch").get(pk=pk)
    job.read_progress()
    return job


def _visible[Row: (Batch, ImportJob)](rows: QuerySet[Row], access: Access) -> QuerySet[Row]:
    """Return the access's programme's rows: all of them for a caller who may see every
    import, the caller's own for anyone else."""
    if not access.authenticated or access.programme is None:
        return rows.none()
    rows = rows.filter(programme=access.programme)
    if access.may(Verb.VIEW_ALL_IMPORTS):
        return rows
    if access.user_id is None:
        return rows.none()
    return rows.filter(user_id=access.user_id)


def personal_masks(ledger_key: str) -> dict[str, Callable[[Any], Any]]:
    """Return {catalog header: masking function} of the ledger's personal columns."""
    ledger = catalog.ledgers().get(ledger_key)
    personal = Access.personal(ledger.model) if ledger else None
    if ledger is None or personal is None:
        return {}
    return {
        column.header: partial(masked, personal.fields[column.field])
        for column in ledger.columns
        if column.field in personal.fields
    }


def masked_columns(*, access: Access, job: ImportJob) -> dict[str, Callable[[Any], Any]]:
    """Return {catalog header: masking function} of the job's personal columns that the caller
    may not see, empty when they see them all.

    The file may hold rows anywhere its importer could write (the batch's regions): the caller
    sees its personal data only when `Access.shows_personal` holds in all of them (a county
    office, its own county's file); a job without a batch needs a caller who sees everything.
    """
    regions = job.batch.scope_regions if job.batch else []
    if access.everything or (regions and access.shows_personal_in(regions)):
        return {}
    return personal_masks(job.ledger)


def masked_errors(
    errors: list[dict[str, Any]], masks: dict[str, Callable[[Any], Any]]
) -> list[dict[str, Any]]:
    """Return reported errors with the values of masked columns masked, and ID numbers
    quoted in messages too."""
    if not masks:
        return errors
    shown = []
    for error in errors:
        mask = masks.get(error.get("column") or "")
        shown.append(
            {
                **error,
                "value": mask(error.get("value")) if mask else error.get("value"),
                "message": scrub(str(error.get("message") or "")),
            }
        )
    return shown


def job_errors(*, access: Access, job: ImportJob) -> list[dict[str, Any]]:
    """Return the job's reported errors as the caller may see them (`masked_columns`)."""
    errors: list[dict[str, Any]] = list((job.report or {}).get("errors") or [])
    return masked_errors(errors, masked_columns(access=access, job=job))


def annotated_file(*, access: Access, job: ImportJob) -> Path:
    """Return the annotated copy of the job's file the caller may read: the masked copy when
    they may not see its personal columns (the task writes both)."""
    if masked_columns(access=access, job=job):
        return job.annotated_path.with_name("annotated-masked.xlsx")
    return job.annotated_path
