"""Exports: a ledger written back in template form, streamed, every row the caller may read.

Rows come through the scoped selectors in chunks (`.iterator(chunk_size=…)`) and go straight
to the file (xlsxwriter's `constant_memory` mode, or CSV), so memory stays flat whatever the
row count. A project's beneficiary households are fetched once per chunk.
"""

import csv
import itertools
from pathlib import Path

from django.utils import timezone

from xiezuo.access import Access
from xiezuo.access.audit import audit
from xiezuo.access.models import AuditEvent
from xiezuo.core import codes
from xiezuo.core.errors import XiezuoError
from xiezuo.core.progress import Progress
from xiezuo.ingest import records  # a module: records imports this package
from xiezuo.ingest.catalog import Ledger
from xiezuo.ingest.catalog import ledger as get_ledger
from xiezuo.ingest.writing._layout import (
    MAX_DATA_ROWS,
    Cell,
    LedgerSheet,
    csv_text,
    notes_text,
)
from xiezuo.ingest.writing._template import WORKBOOK_OPTIONS

CHUNK_ROWS = 2_000


class ExportError(XiezuoError):
    """The ledger cannot be exported as asked."""


def export_file_name(ledger_key: str, *, csv_format: bool = False) -> str:
    """Return the default file name of a ledger's export."""
    return f"{ledger_key}-导出.{'csv' if csv_format else 'xlsx'}"


def export_ledger(
    *,
    ledger_key: str,
    access: Access,
    path: Path | str,
    region: str | None = None,
    progress: Progress | None = None,
) -> int:
    """Write every row of a ledger the caller may read to `path`; return the row count.

    XLSX unless `path` ends in .csv (UTF-8 with a BOM). The layout is the template's, so the
    file imports back unchanged. Personal fields are masked where `access` may not see them
    (`Access.mask`). Every export is written to the audit log. Raise KeyError for an unknown
    ledger, ScopeError outside the access and ExportError when the rows do not fit in one
    Excel sheet.
    """
    ledger = get_ledger(ledger_key)
    path = Path(path)
    if region is not None:
        try:
            codes.level_of(region)
        except ValueError as error:
            raise ExportError(str(error), region=region) from None
    rows_read = records.ledger_records_for(ledger, access=access, region=region)
    total = rows_read.count()
    as_csv = path.suffix.lower() == ".csv"
    if not as_csv and total > MAX_DATA_ROWS:
        raise ExportError(
            f"「{ledger.title}」共 {total:,} 行，超过一张 Excel 工作表的容量"
            f"（{MAX_DATA_ROWS:,} 行）。请导出为 .csv 文件，或用 --region 分区导出。",
            rows=total,
        )
    rows = records.ledger_rows(ledger, rows_read, access)
    written = 0
    if progress:
        progress("导出", written, total)
    with _CsvOut(path, ledger) if as_csv else _XlsxOut(path, ledger) as out:
        for chunk in itertools.batched(rows, CHUNK_ROWS):
            for values in chunk:
                out.write(values)
            written += len(chunk)
            if progress:
                progress("导出", written, total)
    audit(
        access=access,
        action=AuditEvent.Action.EXPORT,
        what=ledger_key,
        rows=written,
        region=region,
        # Whether the ledger holds personal fields (shown or masked per row's region).
        detail={"file": path.name, "personal": access.personal(ledger.model) is not None},
    )
    return written


# --- writing them ---------------------------------------------------------------------------


def _title(ledger: Ledger) -> str:
    return f"{ledger.title}台账（{timezone.localdate().isoformat()} 导出）"


class _XlsxOut:
    """An XLSX in template form, written row by row in constant memory."""

    def __init__(self, path: Path, ledger: Ledger) -> None:
        import xlsxwriter

        self.path = path
        self.workbook = xlsxwriter.Workbook(
            str(path), {**WORKBOOK_OPTIONS, "constant_memory": True}
        )
        self.sheet = LedgerSheet(self.workbook, ledger, title=_title(ledger))

    def write(self, values: list[Cell]) -> None:
        self.sheet.write(values)

    def __enter__(self) -> "_XlsxOut":
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.workbook.close()
        if kind is not None:
            self.path.unlink(missing_ok=True)


class _CsvOut:
    """A CSV in template form: UTF-8 with a BOM, so Excel opens it in the right encoding.

    A cell beginning with = + - @, a tab or a carriage return would run as a formula when the
    file is opened in a spreadsheet (CSV injection): it is written with a leading ' (OWASP's
    advice), which the importer strips again, so the file re-imports unchanged.
    """

    def __init__(self, path: Path, ledger: Ledger) -> None:
        from xiezuo.ingest.normalise import escape_text  # its module is Polars work

        self.escape = escape_text
        self.path = path
        self.columns = ledger.columns
        self.handle = path.open("w", encoding="utf-8-sig", newline="")
        self.writer = csv.writer(self.handle)
        self.writer.writerows([[_title(ledger)], [notes_text(ledger)], ledger.headers])

    def write(self, values: list[Cell]) -> None:
        self.writer.writerow(
            [
                self.escape(csv_text(column, value))
                for column, value in zip(self.columns, values, strict=True)
            ]
        )

    def __enter__(self) -> "_CsvOut":
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.handle.close()
        if kind is not None:
            self.path.unlink(missing_ok=True)
