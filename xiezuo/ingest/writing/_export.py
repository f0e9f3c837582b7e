"""Exports: a ledger written back in template form, streamed, every row the caller may read.

Rows come through the scoped selectors in chunks (`.iterator(chunk_size=…)`) and go straight
to the file (xlsxwriter's `constant_memory` mode, or CSV), so memory stays flat whatever the
row count. A project's beneficiary households are fetched once per chunk.
"""

import csv
import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.apps import apps
from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from xiezuo.access import Access
from xiezuo.access.audit import audit
from xiezuo.access.models import AuditEvent
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.core.progress import Progress
from xiezuo.ingest.catalog import Column, Ledger
from xiezuo.ingest.catalog import ledger as get_ledger
from xiezuo.ingest.writing._layout import (
    LIST_SEPARATOR,
    MAX_DATA_ROWS,
    Cell,
    LedgerSheet,
    cell_value,
    csv_text,
    notes_text,
)
from xiezuo.ingest.writing._template import WORKBOOK_OPTIONS
from xiezuo.ledgers.selectors import ledger_records
from xiezuo.precision.models import CountyCheck
from xiezuo.precision.selectors import county_check_list, household_records
from xiezuo.regions.models import RuralPopulation
from xiezuo.registry.models import Household
from xiezuo.registry.selectors import household_list

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
    records = _records(ledger, access=access, region=region)
    total = records.count()
    as_csv = path.suffix.lower() == ".csv"
    if not as_csv and total > MAX_DATA_ROWS:
        raise ExportError(
            f"「{ledger.title}」共 {total:,} 行，超过一张 Excel 工作表的容量"
            f"（{MAX_DATA_ROWS:,} 行）。请导出为 .csv 文件，或用 --region 分区导出。",
            rows=total,
        )
    rows = _rows(ledger, records, access)
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


# --- reading the rows -----------------------------------------------------------------------


def _records(ledger: Ledger, *, access: Access, region: str | None) -> QuerySet[Any]:
    """Return the ledger's rows the caller may read, through the scoped selectors."""
    model: type[Model] = apps.get_model(ledger.model)
    if model is Household:
        registered = ledger.extra.get("fixed", {}).get("registered", True)
        return household_list(access=access, region=region, registered=registered)
    if model is CountyCheck:
        return county_check_list(access=access, region=region)
    if model._meta.app_label == "precision":
        return household_records(access=access, model=model, region=region)  # type: ignore[type-var]
    if model._meta.app_label == "registry":
        households = household_list(access=access, region=region, registered=None).values("pk")
        return model._default_manager.filter(household__in=households)
    if model is RuralPopulation:
        return _population(access=access, region=region)
    scoped = getattr(model, "scoped_records", None)
    if scoped is not None:  # a ledger outside the pairings reads through its own selector
        return scoped(access=access, region=region)
    return ledger_records(access=access, model=model, region=region)  # type: ignore[type-var]


def _population(*, access: Access, region: str | None) -> QuerySet[RuralPopulation]:
    if not access.authenticated:
        raise ScopeError("需要登录才能导出人口数据")
    records = RuralPopulation.objects.all()
    if not access.everything:
        inside = Q(pk__in=[])
        for code in access.read_regions:
            inside |= Q(region__code__startswith=codes.prefix(code))
        records = records.filter(inside)
    if region:
        if not access.covers(region):
            raise ScopeError(f"无权导出区域 {region} 的人口数据", region=region)
        records = records.filter(region__code__startswith=codes.prefix(region))
    return records


def _lookup(column: Column) -> str:
    if column.type == "household":
        return column.field.removesuffix("_id") + "__household_no"
    if column.type == "households":
        return "pk"  # filled per chunk
    return column.field


def _rows(ledger: Ledger, records: QuerySet[Any], access: Access) -> Iterator[list[Cell]]:
    """Yield each record as cells in catalog order, masked per `Access.mask`."""
    model = records.model
    columns = ledger.columns
    personal = access.personal(ledger.model)
    masked = personal is not None and any(c.field in personal.fields for c in columns)
    lookups = [*(_lookup(c) for c in columns), "pk"]
    if personal is not None and masked:
        lookups.append(personal.region)
    pk_at = len(columns)
    lists = [i for i, c in enumerate(columns) if c.type == "households"]
    shown: dict[str, bool] = {}
    iterator = records.values_list(*lookups).iterator(chunk_size=CHUNK_ROWS)
    for chunk in itertools.batched(iterator, CHUNK_ROWS):
        households = {
            i: _household_lists(model, columns[i], [row[pk_at] for row in chunk]) for i in lists
        }
        for row in chunk:
            values = [cell_value(c, value) for c, value in zip(columns, row, strict=False)]
            if masked:
                code = row[-1]
                if code not in shown:
                    shown[code] = not access.masks(ledger.model, code)
                if not shown[code]:
                    cells = access.mask(
                        ledger.model,
                        {c.field: v for c, v in zip(columns, values, strict=True)},
                        region=code,
                    )
                    values = [cells[c.field] for c in columns]
            for i in lists:
                values[i] = LIST_SEPARATOR.join(households[i].get(row[pk_at], ())) or None
            yield values


def _household_lists(model: type[Model], column: Column, pks: list[int]) -> dict[int, list[str]]:
    """Return the 户编号 of a many-to-many household column for the records `pks`."""
    field = model._meta.get_field(column.field)
    through = field.remote_field.through  # type: ignore[union-attr]
    own, other = field.m2m_field_name(), field.m2m_reverse_field_name()  # type: ignore[union-attr]
    found: dict[int, list[str]] = {}
    for pk, household_no in (
        through._default_manager.filter(**{f"{own}_id__in": pks})
        .order_by(f"{own}_id", f"{other}__household_no")
        .values_list(f"{own}_id", f"{other}__household_no")
    ):
        found.setdefault(pk, []).append(household_no)
    return found


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
