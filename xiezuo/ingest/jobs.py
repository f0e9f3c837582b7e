"""Import jobs: an uploaded file handed to the background importer."""

import shutil
from pathlib import Path
from typing import Any, Protocol, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction

from xiezuo.access import Access, Verb
from xiezuo.ingest import catalog
from xiezuo.ingest.models import ImportJob

__all__ = ["import_job_start"]

# Longest stored file name, in UTF-8 bytes (file systems allow 255).
_NAME_BYTES = 200


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
    from xiezuo.ingest.tasks import run_import  # tasks import the importer; keep this light

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
            result = run_import.enqueue(job.pk)
            ImportJob.objects.filter(pk=job.pk).update(task_id=str(result.id)[:64])
    except BaseException:
        shutil.rmtree(path.parent, ignore_errors=True)
        raise
    job.refresh_from_db()
    return job


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
