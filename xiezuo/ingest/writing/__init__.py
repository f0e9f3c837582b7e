"""Writing ledger workbooks: templates, exports in template form, and annotated error files.

A template and an export share one layout (title, notes, the catalog headers on row 3, data
below), so an exported file imports back unchanged.
"""

from xiezuo.ingest.writing._annotate import annotated_workbook, write_annotated
from xiezuo.ingest.writing._export import (
    ExportError,
    export_file_name,
    export_ledger,
    ledger_rows,
)
from xiezuo.ingest.writing._template import template_file_name, template_workbook, write_template

__all__ = [
    "ExportError",
    "annotated_workbook",
    "export_file_name",
    "export_ledger",
    "ledger_rows",
    "template_file_name",
    "template_workbook",
    "write_annotated",
    "write_template",
]
