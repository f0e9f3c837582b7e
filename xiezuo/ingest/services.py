"""Writes of the ingest app: import a ledger file as a batch, and undo a batch.

`import_file` reads, normalises, validates, classifies and loads in that order; a file with any
error loads nothing. Every call that gets past reading leaves a `Batch` record (validated,
failed or loaded).
"""

import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any, cast
from zoneinfo import ZoneInfo

from django.apps import apps
from django.db import DatabaseError, transaction
from django.utils import timezone

from xiezuo.core.scope import Scope
from xiezuo.ingest import catalog
from xiezuo.ingest.errors import BatchError, RowError, UnusableInput
from xiezuo.ingest.models import Batch, BatchChange
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import programme_get

__all__ = ["ImportReport", "Progress", "batch_undo", "import_file", "programme_scope"]

# progress(stage, done, total or None)
Progress = Callable[[str, int, int | None], None]
_CHINA = ZoneInfo("Asia/Shanghai")


@dataclass
class ImportReport:
    """What an import found and did; `as_json()` is the report's public shape."""

    ledger: str
    file: str
    rows: int = 0
    valid: int = 0
    inserted: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    status: str = Batch.Status.FAILED
    dry_run: bool = False
    unusable: bool = False
    batch_id: int | None = None
    seconds: float = 0.0

    @classmethod
    def from_unusable(cls, ledger: str, file: str, error: UnusableInput) -> "ImportReport":
        """Return the report of a file that could not be read as the ledger at all."""
        return cls(
            ledger=ledger,
            file=file,
            errors=[RowError(None, None, None, error.message)],
            unusable=True,
        )

    @property
    def exit_code(self) -> int:
        """0 when the file had no error, 1 when it had (nothing loaded), 2 when unusable."""
        if self.unusable:
            return 2
        return 1 if self.errors else 0

    def as_json(self) -> dict[str, Any]:
        return {
            "ledger": self.ledger,
            "file": self.file,
            "rows": self.rows,
            "valid": self.valid,
            "inserted": self.inserted,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "errors": [error.as_dict() for error in self.errors],
        }


def programme_scope(programme: Programme) -> Scope:
    """Return the scope of the programme's operator: both provinces of the programme."""
    return Scope(
        region_codes=frozenset({programme.helper_province_id, programme.recipient_province_id}),
        authenticated=True,
    )


def import_file(
    *,
    ledger_key: str,
    path: Path | str,
    scope: Scope,
    user: Any = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    programme: Programme | str | None = None,
    sheet: str | None = None,
) -> ImportReport:
    """Import the ledger file at `path` as one batch; return the report.

    Rows outside `scope` are row errors. With `dry_run`, report what would be inserted, updated
    and left unchanged without writing ledger rows. Raise `UnusableInput` when the file cannot
    be read as the ledger (unknown ledger, not a spreadsheet, missing required column …).
    """
    # Reading, validating and loading are Polars work, loaded with the first file: the pages
    # and commands that import this module start without it.
    from xiezuo.ingest.loading import apply, classify
    from xiezuo.ingest.reading import read_table
    from xiezuo.ingest.validation import Context, validate

    started = time.perf_counter()
    path = Path(path)
    report_progress = progress or (lambda stage, done, total: None)
    try:
        ledger = catalog.ledger(ledger_key)
    except KeyError as error:
        raise UnusableInput(str(error.args[0]), ledger=ledger_key) from None
    loaded_programme = _programme(programme)
    report_progress("读取文件", 0, None)
    digest = _sha256(path)
    table = read_table(path, ledger, sheet=sheet)
    rows = table.frame.height
    report_progress("校验", 0, rows)
    context = Context(programme=loaded_programme, scope=scope, today=datetime.now(_CHINA).date())
    validated = validate(table, ledger, context)
    classified = classify(validated)
    errors = sorted(
        [*validated.errors, *classified.errors],
        key=lambda e: (e.row or 0, _position(ledger, e.column)),
    )
    report = ImportReport(
        ledger=ledger.key,
        file=path.name,
        rows=rows,
        valid=rows - len({e.row for e in errors if e.row is not None}),
        errors=errors,
        notices=table.notices,
        dry_run=dry_run,
    )
    report_progress("校验", rows, rows)
    batch = Batch(
        user=user if getattr(user, "pk", None) else None,
        ledger=ledger.key,
        programme=loaded_programme,
        file_name=path.name,
        sha256=digest,
        sheet=table.sheet or "",
        rows=rows,
        valid=report.valid,
        dry_run=dry_run,
        errors=[e.as_dict() for e in errors],
        notices=table.notices,
        scope_regions=[] if scope.everything else sorted(scope.region_codes),
    )
    if errors:
        batch.status = Batch.Status.FAILED
    else:
        report.inserted = classified.inserts.height
        report.updated = classified.updates.height
        report.unchanged = classified.unchanged
        batch.inserted, batch.updated, batch.unchanged = (
            report.inserted,
            report.updated,
            report.unchanged,
        )
        batch.status = Batch.Status.VALIDATED if dry_run else Batch.Status.LOADED
    try:
        with transaction.atomic():
            batch.seconds = time.perf_counter() - started
            batch.save()
            if batch.status == Batch.Status.LOADED:
                apply(classified, batch, progress=report_progress)
                batch.seconds = time.perf_counter() - started
                Batch.objects.filter(pk=batch.pk).update(seconds=batch.seconds)
    except DatabaseError as error:
        # A rule the database keeps that validation did not foresee: nothing was written.
        message = f"数据库拒绝写入，未导入任何数据：{str(error).strip().splitlines()[0][:300]}"
        report.errors = [RowError(None, None, None, message)]
        report.inserted = report.updated = report.unchanged = 0
        batch.pk = None
        batch.status = Batch.Status.FAILED
        batch.inserted = batch.updated = batch.unchanged = 0
        batch.errors = [report.errors[0].as_dict()]
        batch.save()
    report.status = batch.status
    report.batch_id = batch.pk
    report.seconds = batch.seconds
    return report


def batch_undo(batch: Batch) -> Batch:
    """Take back a loaded batch: delete the rows it inserted, restore the rows it updated.

    Refuse (BatchError) when a later loaded batch changed any of the same rows, or when other
    rows now refer to rows the batch inserted: undo those first.
    """
    from xiezuo.ingest.loading import restore

    with transaction.atomic():
        batch = Batch.objects.select_for_update().get(pk=batch.pk)
        if batch.status != Batch.Status.LOADED:
            raise BatchError(
                f"批次 {batch.pk} 的状态是「{batch.get_status_display()}」，"
                "只有已导入的批次可以撤销。",
                batch=batch.pk,
            )
        _refuse_if_overwritten(batch)
        _refuse_if_referenced(batch)
        restore(batch)
        batch.status = Batch.Status.UNDONE
        batch.undone_at = timezone.now()
        batch.save(update_fields=["status", "undone_at"])
    return batch


def _refuse_if_overwritten(batch: Batch) -> None:
    mine = list(batch.changes.values_list("model", "action", "row_id", "last_row_id"))
    models = {model for model, *_ in mine}
    later = (
        BatchChange.objects.filter(
            batch__status=Batch.Status.LOADED,
            batch__id__gt=batch.pk,
            model__in=models,
            action=BatchChange.Action.UPDATE,
        )
        .values_list("model", "row_id", "batch_id")
        .order_by("batch_id")
    )
    updated = {(model, row_id) for model, action, row_id, _ in mine if action == "update"}
    # An insert always records its range's end (`last_row_id`); only updates leave it empty.
    ranges = [
        (model, first, cast(int, last)) for model, action, first, last in mine if action == "insert"
    ]
    for model, row_id, later_batch in later:
        if (model, row_id) in updated or any(
            model == m and first <= row_id <= last for m, first, last in ranges
        ):
            raise BatchError(
                f"后来的批次 {later_batch} 又修改了本批次写入的记录，请先撤销批次 {later_batch}。",
                batch=batch.pk,
                later=later_batch,
            )


def _refuse_if_referenced(batch: Batch) -> None:
    for change in batch.changes.filter(action=BatchChange.Action.INSERT):
        model = apps.get_model(change.model)
        # Links of the model's own many-to-many fields go with the rows (the batch wrote them).
        owned = {field.remote_field.through for field in model._meta.many_to_many}
        for relation in model._meta.related_objects:
            if not relation.one_to_many and not relation.one_to_one:
                continue
            related = relation.related_model
            if related in owned:
                continue
            name = relation.field.attname
            count = related._default_manager.filter(
                **{f"{name}__gte": change.row_id, f"{name}__lte": change.last_row_id}
            ).count()
            if count:
                title = related._meta.verbose_name
                raise BatchError(
                    f"有 {count} 条「{title}」记录引用了本批次新增的行（如之后导入的台账），"
                    "请先撤销那些批次或删除这些记录。",
                    batch=batch.pk,
                    model=related._meta.label,
                    count=count,
                )


def _programme(programme: Programme | str | None) -> Programme:
    if isinstance(programme, Programme):
        return programme
    try:
        return programme_get(key=programme)
    except Programme.DoesNotExist:
        raise UnusableInput(
            f"项目「{programme or '默认项目'}」不存在：请先运行 xiezuo setup。", programme=programme
        ) from None


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    try:
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
    except OSError as error:
        raise UnusableInput(f"无法打开文件 {path.name}：{error.strerror}", file=path.name) from None
    return digest.hexdigest()


def _position(ledger: catalog.Ledger, header: str | None) -> int:
    try:
        return ledger.headers.index(header or "")
    except ValueError:
        return -1
