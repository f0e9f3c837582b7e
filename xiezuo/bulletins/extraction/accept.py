"""Accepting reviewed proposals: the rows go through the normal import path, as batches.

The accepted rows of each ledger are written to a workbook in that ledger's template layout
(`xiezuo.ingest.writing`) and imported with `xiezuo.ingest.services.import_file` under the
caller's access: validated as any uploaded file, one batch per ledger, undoable as any batch.
All ledgers go in one transaction: when any row of any ledger has an error, nothing is
written (no rows, no batch), and the errors come back by proposal and column. The batches are
linked to the article (`article.batches`).
"""

import datetime as dt
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import transaction

from xiezuo.core.errors import XiezuoError

if TYPE_CHECKING:
    from xiezuo.access import Access
    from xiezuo.bulletins.models import Article
    from xiezuo.ingest.models import Batch
    from xiezuo.programs.models import Programme

# Data rows of a template start on Excel row 4 (title, notes, headers above).
FIRST_EXCEL_ROW = 4


@dataclass(frozen=True)
class Proposal:
    """One reviewed row: its ledger and {template header: value as typed}."""

    ledger: str
    values: dict[str, str]


@dataclass(frozen=True)
class ProposalError:
    proposal: int | None  # index in the list given; None for a problem of the whole ledger
    column: str | None
    message: str


class ProposalsRejected(XiezuoError):
    """Some accepted rows do not pass the ledger's validation: nothing was written."""

    def __init__(self, errors: list[ProposalError]) -> None:
        super().__init__(f"{len(errors)} 处错误，未导入任何台账行。", errors=errors)
        self.errors = errors


class _Undo(Exception):
    pass


def proposals_accept(
    *,
    access: "Access",
    programme: "Programme",
    article: "Article",
    proposals: Sequence[Proposal],
    user: Any = None,
) -> list["Batch"]:
    """Import `proposals` as one batch per ledger and link the batches to `article`; raise
    ProposalsRejected (nothing written) when a row has an error."""
    from xiezuo.access.rules import Verb
    from xiezuo.ingest.errors import UnusableInput
    from xiezuo.ingest.models import Batch
    from xiezuo.ingest.services import import_file

    access.check(Verb.IMPORT_LEDGERS)
    if not proposals:
        raise XiezuoError("没有勾选任何台账行。")
    by_ledger: dict[str, list[int]] = {}
    for index, proposal in enumerate(proposals):
        by_ledger.setdefault(proposal.ledger, []).append(index)
    errors: list[ProposalError] = []
    batches: list[Batch] = []
    with tempfile.TemporaryDirectory(prefix="xiezuo-bulletin-") as folder:
        files = {
            key: _workbook(key, [proposals[i].values for i in indices], Path(folder))
            for key, indices in by_ledger.items()
        }
        try:
            with transaction.atomic():
                for key, indices in by_ledger.items():
                    try:
                        report = import_file(
                            ledger_key=key,
                            path=files[key],
                            access=access,
                            user=user,
                            programme=programme,
                        )
                    except UnusableInput as error:
                        errors.append(ProposalError(None, None, error.message))
                        continue
                    errors.extend(_located(problem, indices) for problem in report.errors)
                    if not report.errors and report.batch_id is not None:
                        batches.append(Batch.objects.get(pk=report.batch_id))
                if errors:
                    raise _Undo
                article.batches.add(*batches)
        except _Undo:
            raise ProposalsRejected(errors) from None
    return batches


def _located(problem: Any, indices: list[int]) -> ProposalError:
    """The proposal and column of an import error (rows counted as Excel counts them)."""
    position = None if problem.row is None else problem.row - FIRST_EXCEL_ROW
    proposal = indices[position] if position is not None and 0 <= position < len(indices) else None
    return ProposalError(proposal, problem.column, problem.message)


def _workbook(ledger_key: str, rows: list[dict[str, str]], folder: Path) -> Path:
    """Write `rows` as a workbook in the ledger's template layout."""
    import xlsxwriter

    from xiezuo.ingest.catalog import ledger as get_ledger
    from xiezuo.ingest.writing._layout import LedgerSheet
    from xiezuo.ingest.writing._template import WORKBOOK_OPTIONS

    ledger = get_ledger(ledger_key)
    path = folder / f"{ledger_key}.xlsx"
    workbook = xlsxwriter.Workbook(str(path), {**WORKBOOK_OPTIONS, "in_memory": True})
    sheet = LedgerSheet(workbook, ledger, title=f"{ledger.title}台账（工作动态提取）")
    for row in rows:
        cells = [_cell(column.type, row.get(column.header, "")) for column in ledger.columns]
        sheet.write([None if isinstance(cell, _Raw) else cell for cell in cells])
        for position, cell in enumerate(cells):
            if isinstance(cell, _Raw):  # not a date or number: as typed, for validation to judge
                sheet.worksheet.write_string(sheet.row - 1, position, cell.text)
    workbook.close()
    return path


@dataclass(frozen=True)
class _Raw:
    text: str


def _cell(kind: str, value: Any) -> Any:
    """A value typed as the template's cell, or `_Raw` text when it is not one."""
    text = str(value).strip() if value is not None else ""
    if not text:
        return None
    try:
        if kind == "date":
            return dt.date.fromisoformat(text)
        if kind in ("int", "year"):
            return int(text)
        if kind == "decimal":
            return float(text)
    except ValueError:
        return _Raw(text)
    return text
