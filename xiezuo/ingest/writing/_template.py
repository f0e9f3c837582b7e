"""Ledger templates: the empty sheet an official fills in, with one sample row."""

import io
from pathlib import Path

from xiezuo.ingest.catalog import ledger as get_ledger
from xiezuo.ingest.writing._layout import LedgerSheet, sample_value

WORKBOOK_OPTIONS = {"strings_to_numbers": False, "strings_to_formulas": False}


def template_workbook(ledger_key: str) -> bytes:
    """Return the XLSX template of a ledger; KeyError names the known ledgers."""
    buffer = io.BytesIO()
    _write(ledger_key, buffer)
    return buffer.getvalue()


def write_template(ledger_key: str, path: Path | str) -> Path:
    """Write the XLSX template of a ledger to `path`; return the path."""
    path = Path(path)
    _write(ledger_key, str(path))
    return path


def template_file_name(ledger_key: str) -> str:
    """Return the default file name of a ledger's template."""
    return f"{ledger_key}-模板.xlsx"


def _write(ledger_key: str, target: io.BytesIO | str) -> None:
    import xlsxwriter

    ledger = get_ledger(ledger_key)
    workbook = xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, "in_memory": True})
    sheet = LedgerSheet(workbook, ledger, title=f"{ledger.title}台账（模板）")
    sheet.write([sample_value(column) for column in ledger.columns])
    workbook.close()
