"""Reads of the ingest app: import batches and jobs, as the caller's scope allows.

A caller whose scope covers the whole programme (the programme office, an assessor, a
superuser) sees every batch and job of the programme; anyone else sees those they made.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import OuterRef, QuerySet, Subquery

from xiezuo.core.scope import Scope
from xiezuo.ingest.models import Batch, ImportJob
from xiezuo.programs.models import Programme

__all__ = ["batch_get", "batch_list", "import_job_get", "import_job_list"]

# Who asks: a signed-in user, or (seeing nothing) an anonymous one.
Caller = AbstractBaseUser | AnonymousUser


def batch_list(*, scope: Scope, user: Caller, programme: Programme) -> QuerySet[Batch]:
    """Return the programme's batches the caller may see, newest first, with their job's id.

    The error and notice lists stay in the database: a history does not need them.
    """
    batches = _visible(Batch.objects.filter(programme=programme), scope, user, programme)
    job = ImportJob.objects.filter(batch=OuterRef("pk")).order_by("-id").values("pk")[:1]
    return (
        batches.select_related("user")
        .defer("errors", "notices", "scope_regions")
        .annotate(job_id=Subquery(job))
        .order_by("-created_at", "-id")
    )


def batch_get(*, scope: Scope, user: Caller, programme: Programme, pk: int) -> Batch:
    """Return batch `pk` if the caller may see it; Batch.DoesNotExist otherwise."""
    return _visible(Batch.objects.filter(programme=programme), scope, user, programme).get(pk=pk)


def import_job_list(
    *, scope: Scope, user: Caller, programme: Programme, unfinished: bool = False
) -> QuerySet[ImportJob]:
    """Return the programme's import jobs the caller may see, newest first."""
    jobs = _visible(ImportJob.objects.filter(programme=programme), scope, user, programme)
    if unfinished:
        jobs = jobs.filter(status__in=[ImportJob.Status.QUEUED, ImportJob.Status.RUNNING])
    return jobs.select_related("user").defer("report").order_by("-created_at", "-id")


def import_job_get(*, scope: Scope, user: Caller, programme: Programme, pk: int) -> ImportJob:
    """Return import job `pk` if the caller may see it; ImportJob.DoesNotExist otherwise.

    A running job shows the progress its load records outside the database.
    """
    jobs = _visible(ImportJob.objects.filter(programme=programme), scope, user, programme)
    job = jobs.select_related("batch").get(pk=pk)
    job.read_progress()
    return job


def _visible[Row: (Batch, ImportJob)](
    rows: QuerySet[Row],
    scope: Scope,
    user: Caller,
    programme: Programme,
) -> QuerySet[Row]:
    """Return all `rows` for a programme-wide caller, the caller's own for anyone else."""
    if not scope.authenticated or not user.is_authenticated:
        return rows.none()
    whole = scope.covers(programme.helper_province_id) and scope.covers(
        programme.recipient_province_id
    )
    return rows if whole else rows.filter(user_id=user.pk)
