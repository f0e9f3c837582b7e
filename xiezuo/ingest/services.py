"""Writes of the ingest app: import a ledger file as a batch, and undo a batch.

`import_file` reads, normalises, validates, classifies and loads in that order; a file with any
error loads nothing. Every call that gets past reading leaves a `Batch` record (validated,
failed or loaded).
"""

import hashlib
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast
from zoneinfo import ZoneInfo

from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from xiezuo.access import Access, Regions
from xiezuo.core.bulk import large_sqlite_cache
from xiezuo.core.errors import ScopeError
from xiezuo.core.progress import Progress, silent
from xiezuo.ingest import catalog
from xiezuo.ingest.errors import BatchError, RowError, UnusableInput, shown
from xiezuo.ingest.models import Batch, BatchChange
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import programme_get
from xiezuo.registry.services import household_years_refresh

if TYPE_CHECKING:
    # Reading, validating and loading are Polars work, imported with the first file: the pages
    # and commands that import this module start without it.
    from xiezuo.ingest.loading import Loader
    from xiezuo.ingest.reading import TableStream
    from xiezuo.ingest.validation import Context

__all__ = ["ImportReport", "Progress", "batch_undo", "import_file"]

# progress(stage, done, total or None)
_CHINA = ZoneInfo("Asia/Shanghai")
# The models whose writes change the registry's yearly household status.
REGISTRY_LABELS = frozenset({"registry.Household", "registry.Member", "registry.Income"})


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
            "notices": list(self.notices),
        }


def import_file(
    *,
    ledger_key: str,
    path: Path | str,
    access: Access,
    user: Any = None,
    dry_run: bool = False,
    progress: Progress | None = None,
    programme: Programme | str | None = None,
    sheet: str | None = None,
) -> ImportReport:
    """Import the ledger file at `path` as one batch; return the report.

    The caller must hold the verb the ledger needs (`Access.import_verb`); rows outside the
    regions they may write (`Access.import_regions`) are row errors. With `dry_run`, report what
    would be inserted, updated and left unchanged without writing ledger rows; a caller who
    may not see the ledger's personal fields there is not told which registered rows differ
    (they count as updated). Raise `UnusableInput` when the file cannot be read as the ledger
    (unknown ledger, not a spreadsheet, over the limits, missing required column …) or the
    caller may not import it.

    The file is read in chunks in a background thread; each chunk is validated, classified and
    (while the file has shown no error) written into one open transaction as the next chunk is
    read. Errors are collected over the whole file; any error rolls the transaction back, so a
    file with an error loads nothing.
    """
    from xiezuo.ingest.loading import Loader
    from xiezuo.ingest.reading import open_table
    from xiezuo.ingest.validation import Context

    started = time.perf_counter()
    path = Path(path)
    report_progress = progress or silent
    try:
        ledger = catalog.ledger(ledger_key)
    except KeyError as error:
        raise UnusableInput(str(error.args[0]), ledger=ledger_key) from None
    loaded_programme = _programme(programme)
    try:
        access.check(access.import_verb(ledger.model))
    except ScopeError as error:
        raise UnusableInput(error.message, ledger=ledger_key) from None
    regions = access.import_regions(ledger.model)
    report_progress("读取文件", 0, None)
    digest = _sha256(path)
    context = Context(programme=loaded_programme, scope=regions, today=datetime.now(_CHINA).date())
    batch = Batch(
        user=user if getattr(user, "pk", None) else None,
        ledger=ledger.key,
        programme=loaded_programme,
        file_name=path.name,
        sha256=digest,
        dry_run=dry_run,
        scope_regions=[] if regions.everything else sorted(regions.region_codes),
        status=Batch.Status.VALIDATED if dry_run else Batch.Status.LOADED,
    )
    run = _Run(ledger=ledger, context=context, progress=report_progress)
    try:
        with open_table(path, ledger, sheet=sheet, chunk_rows=_chunk_rows()) as stream:
            batch.sheet = stream.sheet or ""
            run.notices = stream.notices
            if dry_run:
                run.read(stream, loader=None)
            else:
                with large_sqlite_cache(), transaction.atomic():
                    batch.save()
                    loader = Loader(batch, progress=report_progress)
                    run.read(stream, loader=loader)
                    if run.errors:
                        raise _RollBack
                    report_progress("保存", run.rows, run.rows)
                    loader.finish()
                    _registry_changed([ledger.model])
                    batch.seconds = time.perf_counter() - started
                    _settle(batch, run)
                    batch.save()
    except _RollBack:
        pass
    except DatabaseError as error:
        # A rule the database keeps that validation did not foresee: nothing was written.
        message = f"数据库拒绝写入，未导入任何数据：{str(error).strip().splitlines()[0][:300]}"
        run.errors = [RowError(None, None, None, message)]
    if run.replaced and not run.errors:
        run.notices = [
            *run.notices,
            f"已整体替换同一年度、同一来源单位的原有名单（删除原有 {run.replaced} 行）。",
        ]
    if dry_run and _masked_for(access, ledger, regions):
        # Whether a registered row differs only in a masked field must not show.
        run.updates += run.unchanged
        run.unchanged = 0
        run.notices = [*run.notices, _MASKED_DRY_RUN]
    report = ImportReport(
        ledger=ledger.key,
        file=path.name,
        rows=run.rows,
        errors=run.sorted_errors(),
        notices=run.notices,
        dry_run=dry_run,
    )
    report.valid = run.rows - len({e.row for e in report.errors if e.row is not None})
    if not report.errors:
        report.inserted, report.updated, report.unchanged = run.inserts, run.updates, run.unchanged
    if report.errors or dry_run:
        batch.pk = None
        batch.seconds = time.perf_counter() - started
        _settle(batch, run, report=report)
        batch.save()
    report.status = batch.status
    report.batch_id = batch.pk
    report.seconds = batch.seconds
    return report


def _chunk_rows() -> int:
    from xiezuo.ingest.reading import CHUNK_ROWS

    return int(getattr(settings, "IMPORT_CHUNK_ROWS", CHUNK_ROWS))


class _RollBack(Exception):
    """The file had errors: take back every chunk written."""


@dataclass
class _Run:
    """One file going through validation and classification, chunk by chunk."""

    ledger: catalog.Ledger
    context: "Context"
    progress: Progress
    rows: int = 0
    inserts: int = 0
    updates: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)
    notices: list[str] = field(default_factory=list)
    seen: Any = None  # the natural keys of earlier chunks (a Polars frame)
    lists: set[tuple[Any, ...]] = field(default_factory=set)  # the lists replaced so far
    replaced: int = 0  # rows of earlier lists deleted by a replacing import

    def read(self, stream: "TableStream", *, loader: "Loader | None") -> None:
        """Validate and classify every chunk; write it while the file is clean so far."""
        from xiezuo.ingest.loading import classify, replace_lists
        from xiezuo.ingest.validation import validate

        stage = "校验" if loader is None else "校验并写入"
        expected = stream.expected_rows
        self.progress(stage, 0, expected)
        for table in stream:
            self.rows += table.frame.height
            validated = validate(table, self.ledger, self.context)
            self.errors.extend(validated.errors)
            # A file read in several chunks says its notices chunk by chunk.
            self.notices.extend(n for n in validated.notices if n not in self.notices)
            self.errors.extend(self._repeated(validated))
            if loader is not None and not self.errors and self.ledger.extra.get("replace"):
                self.replaced += replace_lists(self.ledger, validated, self.lists)
            classified = classify(validated)
            self.errors.extend(classified.errors)
            self.inserts += classified.inserts.height
            self.updates += classified.updates.height
            self.unchanged += classified.unchanged
            if loader is not None and not self.errors:
                loader.write(classified)
            # The sheet's own row count is a hint: never show more done than the total.
            total = max(expected, self.rows) if expected is not None else None
            self.progress(stage, self.rows, total)
        self.errors.extend(stream.cell_errors())

    def _repeated(self, validated: Any) -> list[RowError]:
        """Return errors of rows whose natural key an earlier chunk already had."""
        import polars as pl

        from xiezuo.ingest.reading import ROW

        keys = list(validated.key_fields)
        if not keys or not all(k in validated.frame.columns for k in keys):
            return []
        mine = (
            validated.frame.select(ROW, *keys)
            .drop_nulls(keys)
            .unique(subset=keys, keep="first", maintain_order=True)
        )
        errors: list[RowError] = []
        if self.seen is not None:
            repeated = mine.join(self.seen, on=keys, how="inner")
            header = self.ledger.natural_key[0]
            title = "+".join(self.ledger.natural_key)
            for row in repeated.iter_rows(named=True):
                shown_key = " ".join(str(row[k]) for k in keys)
                errors.append(
                    RowError(
                        row[ROW],
                        header,
                        shown(row[keys[0]]),
                        f"与第 {row['__first_row']} 行重复（{title}：{shown_key}）。",
                    )
                )
            mine = mine.join(self.seen, on=keys, how="anti")
        mine = mine.rename({ROW: "__first_row"})
        self.seen = mine if self.seen is None else pl.concat([self.seen, mine])
        return errors

    def sorted_errors(self) -> list[RowError]:
        return sorted(self.errors, key=lambda e: (e.row or 0, _position(self.ledger, e.column)))


def _settle(batch: Batch, run: _Run, *, report: ImportReport | None = None) -> None:
    """Give the batch the run's counts, errors and outcome."""
    errors = report.errors if report is not None else run.sorted_errors()
    batch.rows = run.rows
    batch.valid = run.rows - len({e.row for e in errors if e.row is not None})
    batch.errors = [e.as_dict() for e in errors]
    batch.notices = run.notices
    if errors:
        batch.status = Batch.Status.FAILED
        batch.inserted = batch.updated = batch.unchanged = 0
    else:
        batch.inserted, batch.updated, batch.unchanged = run.inserts, run.updates, run.unchanged


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
        _registry_changed(batch.changes.values_list("model", flat=True))
        batch.status = Batch.Status.UNDONE
        batch.undone_at = timezone.now()
        batch.save(update_fields=["status", "undone_at"])
    return batch


def _registry_changed(labels: Iterable[str]) -> None:
    """Bring the registry's yearly household status up to date after a write to households,
    members or incomes (the assessment's outcomes read it)."""
    if REGISTRY_LABELS & set(labels):
        household_years_refresh()


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
            # Rows derived from the registry (no database constraint, e.g. the yearly household
            # figures) are refreshed after the undo, not a reason to refuse it.
            if related in owned or not relation.field.db_constraint:
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


_MASKED_DRY_RUN = (
    "您的账号看不到本台账的个人信息字段：试导入不区分已登记的行是否有变化，一律计为更新。"
)


def _masked_for(access: Access, ledger: catalog.Ledger, regions: Regions) -> bool:
    """Return True when some personal field of the ledger is masked for the caller where
    they import."""
    personal = access.personal(ledger.model)
    if personal is None or access.everything:
        return False
    if not {c.field for c in ledger.columns} & set(personal.fields):
        return False
    return not access.shows_personal_in(regions.region_codes or ["000000"])


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
