"""Import jobs: an uploaded file handed to the background importer, and who may hand one in."""

import shutil
from pathlib import Path
from typing import Any, Protocol, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.db import transaction

from xiezuo.core.errors import ScopeError
from xiezuo.core.models import Grant
from xiezuo.core.scope import Role
from xiezuo.ingest import catalog
from xiezuo.ingest.models import ImportJob
from xiezuo.programs.models import Programme

__all__ = ["IMPORTER_ROLES", "check_may_import", "import_job_start", "may_import"]

# The offices that keep ledgers; cadres and assessors read, they do not load files.
IMPORTER_ROLES = frozenset({Role.PROGRAMME_OFFICE, Role.HELPER_OFFICE, Role.COUNTY_OFFICE})
# Longest stored file name, in UTF-8 bytes (file systems allow 255).
_NAME_BYTES = 200


class Upload(Protocol):
    """What an uploaded file offers (Django's `UploadedFile`)."""

    name: str | None

    def chunks(self) -> Any: ...


def may_import(*, user: AbstractBaseUser | AnonymousUser) -> bool:
    """Return True when `user` may import ledger files (an office's grant, or a superuser)."""
    if not user.is_authenticated:
        return False
    if getattr(user, "is_superuser", False):
        return True
    return Grant.objects.filter(user_id=user.pk, role__in=IMPORTER_ROLES).exists()


def check_may_import(*, user: AbstractBaseUser | AnonymousUser) -> None:
    """Raise ScopeError unless `user` may import ledger files."""
    if not may_import(user=user):
        raise ScopeError("只有协作办、帮扶方区和受援县扶贫办的账号可以导入台账。")


def import_job_start(
    *,
    user: AbstractBaseUser | AnonymousUser,
    programme: Programme,
    ledger_key: str,
    upload: Upload,
    dry_run: bool = False,
) -> ImportJob:
    """Keep the uploaded file, record the job and queue it for the importer; return the job.

    The job and its task are written in one transaction, so a worker never meets one without
    the other. The import runs with the scope the user holds when it runs.
    """
    from xiezuo.ingest.tasks import run_import  # tasks import the importer; keep this light

    check_may_import(user=user)
    catalog.ledger(ledger_key)  # KeyError names the known ledgers
    job = ImportJob(
        user=cast(User, user),  # check_may_import let only a signed-in user through
        programme=programme,
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
