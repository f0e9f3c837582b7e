"""The official's file handed back with every bad cell filled red and commented.

A small XLSX keeps its own cells, formats and sheets (openpyxl loads it, marks the cells,
saves it). A CSV, an old .xls, a large XLSX or one openpyxl cannot open becomes a new XLSX of
its cells, marked the same way, written row by row (the sheet is streamed in chunks, so memory
stays flat however large it is). A file over the import limits (a zip bomb …) is never opened:
its copy is the error sheet alone. `write_annotated` writes the copy to a file (the import
task does, so that no web request ever builds one). Problems that belong to no row (the file
as a whole) go to a first sheet 错误说明; a file too broken to show gets that sheet alone.
Cells are found the way the reader found them: rows as Excel numbers them, columns by the
header row matched after `normalise_header`.
"""

import csv
import io
import itertools
import warnings
import zipfile
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from xiezuo.ingest.catalog import ledger as get_ledger
from xiezuo.ingest.catalog import ledgers
from xiezuo.ingest.errors import UnusableInput
from xiezuo.ingest.limits import Limits, check_csv, check_zip
from xiezuo.ingest.writing._layout import LAST_ROW, display_width

ERRORS_SHEET = "错误说明"
AUTHOR = "协作系统"
FILL = "FFFFC7CE"  # Excel's own "bad" red
_ZIP, _OLE2 = b"PK\x03\x04", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_EXCEL_ROWS = LAST_ROW + 1
_EXCEL_COLUMNS = 16_384
_EXCEL_CELL_CHARS = 32_767
_COMMENT_CHARS = 2_000
# An XLSX that unpacks to more than this is rewritten row by row rather than loaded whole.
KEEP_FORMAT_BYTES = 16 << 20


@dataclass(frozen=True)
class _Problem:
    row: int | None
    column: str | None
    value: Any
    message: str


def annotated_workbook(
    *,
    original: bytes,
    file_name: str,
    errors: Iterable[Mapping[str, Any]],
    ledger_key: str | None = None,
    sheet: str | None = None,
) -> bytes:
    """Return the file with its bad cells highlighted and commented, as XLSX bytes.

    `errors` are `{"row", "column", "value", "message"}` as the importer reports them (row as
    Excel numbers it, column the catalog header, both None for the file as a whole).
    `ledger_key` lets header aliases be recognised for that ledger alone (without it, any
    ledger's aliases count); `sheet` names the sheet that was read (default: the first).
    """
    problems = _problems(errors)
    lookup = _header_lookup(ledger_key)
    if original.startswith(_ZIP):
        marked = _mark_workbook(original, file_name, problems, lookup, sheet)
        if marked is not None:
            return marked
    rows = _rows_of(original)
    buffer = io.BytesIO()
    if rows is None:
        _rebuild(iter(()), file_name, problems, lookup, sheet_name=None, output=buffer)
    else:
        name, cells = rows
        _rebuild(cells, file_name, problems, lookup, sheet_name=name, output=buffer)
    return buffer.getvalue()


def write_annotated(
    *,
    source: Path,
    target: Path,
    errors: Iterable[Mapping[str, Any]],
    ledger_key: str | None = None,
    sheet: str | None = None,
) -> Path:
    """Write the annotated copy of the file at `source` to `target`; return `target`.

    Memory stays bounded whatever the file: one over the import limits is not opened (the copy
    is its error sheet), a large XLSX is streamed, and the copy is written to disk as it goes.
    """
    problems = _problems(errors)
    lookup = _header_lookup(ledger_key)
    limits = Limits.for_ledger(get_ledger(ledger_key) if ledger_key in ledgers() else None)
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".part")
    with source.open("rb") as handle:
        head = handle.read(8)
    name: str | None = None
    rows: Iterator[list[Any]] = iter(())
    try:
        if head.startswith(_ZIP):
            check_zip(source, limits)
            if _unpacked(source) <= KEEP_FORMAT_BYTES:
                marked = _mark_workbook(source.read_bytes(), source.name, problems, lookup, sheet)
                if marked is not None:
                    partial.write_bytes(marked)
                    return partial.replace(target)
            found = _streamed_rows(source, sheet, limits)
        else:
            # An old .xls is capped in bytes alone (it holds 65,536 rows at most).
            if not head.startswith(_OLE2) or source.stat().st_size > limits.max_bytes:
                check_csv(source, limits)
            found = _rows_of(source.read_bytes())
        if found is not None:
            name, rows = found
    except UnusableInput:
        rows = iter(())  # over the limits: the error sheet says why
    with partial.open("wb") as output:
        _rebuild(rows, source.name, problems, lookup, sheet_name=name, output=output)
    return partial.replace(target)


def _problems(errors: Iterable[Mapping[str, Any]]) -> list["_Problem"]:
    return [
        _Problem(
            e.get("row"),
            None if e.get("column") is None else str(e.get("column")),
            e.get("value"),
            str(e.get("message") or ""),
        )
        for e in errors
    ]


def _unpacked(path: Path) -> int:
    try:
        with zipfile.ZipFile(path) as archive:
            return sum(part.file_size for part in archive.infolist())
    except (zipfile.BadZipFile, OSError):
        return 0


def _streamed_rows(
    path: Path, sheet: str | None, limits: Limits
) -> tuple[str | None, Iterator[list[Any]]] | None:
    """Return (sheet name, rows) of an XLSX read chunk by chunk; None when unreadable."""
    import fastexcel

    from xiezuo.ingest.sheetstream import SheetFacts, stream_sheet

    try:
        names = list(fastexcel.read_excel(path).sheet_names)
    except Exception:  # not a workbook after all
        return None
    if not names:
        return None
    index = names.index(sheet) if sheet in names else 0

    def rows() -> Iterator[list[Any]]:
        expected = 1
        try:
            for chunk in stream_sheet(path, index, limits, SheetFacts(), chunk_rows=20_000):
                while expected < chunk.first_row:
                    yield []
                    expected += 1
                for row in chunk.frame.iter_rows():
                    yield list(row)
                    expected += 1
        except UnusableInput as error:
            yield [f"（从这一行起无法读取，以下内容未显示：{error.message}）"]

    return names[index], rows()


# --- headers -------------------------------------------------------------------------------


def _header_lookup(ledger_key: str | None) -> dict[str, set[str]]:
    """Return {normalised header or alias: the catalog headers it stands for}."""
    from xiezuo.ingest.reading import normalise_header  # Polars: loaded with the first file

    chosen = [get_ledger(ledger_key)] if ledger_key else list(ledgers().values())
    lookup: dict[str, set[str]] = {}
    for ledger in chosen:
        for column in ledger.columns:
            for text in (column.header, *column.aliases):
                lookup.setdefault(normalise_header(text), set()).add(column.header)
    return lookup


def _find_header(first_rows: list[tuple[Any, ...]], lookup: dict[str, set[str]]) -> dict[str, int]:
    """Return {catalog header: 0-based column} of the row carrying the most headers."""
    from xiezuo.ingest.reading import normalise_header

    best: dict[str, int] = {}
    for cells in first_rows:
        found: dict[str, int] = {}
        for position, cell in enumerate(cells):
            if cell is None:
                continue
            for header in lookup.get(normalise_header(cell), ()):
                found.setdefault(header, position)
        if len(found) > len(best):
            best = found
    return best


@dataclass
class _Placed:
    """Problems sorted into cells and the file-level list."""

    cells: dict[tuple[int, int], list[str]]  # (1-based row, 0-based column) → messages
    file_level: list[_Problem]


def _place(problems: list[_Problem], columns: dict[str, int], max_row: int) -> _Placed:
    placed = _Placed(cells={}, file_level=[])
    for problem in problems:
        row = _row_number(problem.row)
        if row is None or row > max_row:
            placed.file_level.append(problem)
            continue
        message = problem.message
        position = columns.get(problem.column or "")
        if position is None:
            # A row-level problem without a column of the file: mark the row's first cell.
            position = 0
            if problem.column:
                message = f"「{problem.column}」{message}"
        placed.cells.setdefault((row, position), []).append(message)
    return placed


def _row_number(row: Any) -> int | None:
    try:
        number = int(row)
    except (TypeError, ValueError):
        return None
    return number if number >= 1 else None


def _comment_text(messages: list[str]) -> str:
    text = "\n".join(dict.fromkeys(messages))
    return text if len(text) <= _COMMENT_CHARS else text[: _COMMENT_CHARS - 1] + "…"


# --- an XLSX kept as it is -------------------------------------------------------------------


def _mark_workbook(
    original: bytes,
    file_name: str,
    problems: list[_Problem],
    lookup: dict[str, set[str]],
    sheet: str | None,
) -> bytes | None:
    """Return the workbook with its cells marked; None when openpyxl cannot open it."""
    import openpyxl

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # unsupported extensions are dropped, as Excel would
            workbook = openpyxl.load_workbook(
                io.BytesIO(original),
                keep_vba=file_name.lower().endswith(".xlsm"),
                rich_text=True,
            )
    except Exception:  # any failure is the file's: it is shown another way
        return None
    try:
        return _mark(workbook, problems, lookup, sheet)
    except Exception:  # a workbook openpyxl reads but cannot mark or write back: rebuild it
        return None


def _mark(
    workbook: Any, problems: list[_Problem], lookup: dict[str, set[str]], sheet: str | None
) -> bytes | None:
    from openpyxl.comments import Comment
    from openpyxl.styles import PatternFill

    from xiezuo.ingest.reading import HEADER_SEARCH_ROWS

    if ERRORS_SHEET in workbook.sheetnames:  # left from an earlier round
        del workbook[ERRORS_SHEET]
    sheets = workbook.worksheets
    if not sheets:
        return None
    worksheet = workbook[sheet] if sheet in workbook.sheetnames else sheets[0]
    if worksheet not in sheets:
        worksheet = sheets[0]
    first_rows = list(worksheet.iter_rows(max_row=HEADER_SEARCH_ROWS, values_only=True))
    columns = _find_header(first_rows, lookup)
    placed = _place(problems, columns, _EXCEL_ROWS)
    fill = PatternFill(fill_type="solid", fgColor=FILL, bgColor=FILL)
    for (row, position), messages in placed.cells.items():
        cell = _top_left(worksheet, row, position + 1)
        text = _comment_text(messages)
        if cell.comment is not None and cell.comment.author != AUTHOR:
            text = f"{cell.comment.text}\n—\n{text}"  # keep the official's own note
        comment = Comment(text, AUTHOR)
        comment.width, comment.height = 320, min(60 + 18 * text.count("\n"), 400)
        cell.comment = comment
        cell.fill = fill
    if placed.file_level:
        _error_sheet_openpyxl(workbook, placed.file_level)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _top_left(worksheet: Any, row: int, column: int) -> Any:
    """Return the cell, or the first cell of the merged range holding it."""
    from openpyxl.cell.cell import MergedCell

    cell = worksheet.cell(row=row, column=column)
    if not isinstance(cell, MergedCell):
        return cell
    for merged in worksheet.merged_cells.ranges:
        if cell.coordinate in merged:
            return worksheet.cell(row=merged.min_row, column=merged.min_col)
    return cell


def _error_sheet_openpyxl(workbook: Any, problems: list[_Problem]) -> None:
    from openpyxl.styles import Alignment, Font

    sheet = workbook.create_sheet(ERRORS_SHEET, 0)
    for cells in _error_rows(problems):
        sheet.append(cells)
    sheet["A1"].font = Font(bold=True, size=12)
    for cell in sheet[3]:
        cell.font = Font(bold=True)
    for letter, width in zip("ABCD", _error_widths(problems), strict=True):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=4):
        row[3].alignment = Alignment(wrap_text=True, vertical="top")


def _error_rows(problems: list[_Problem]) -> list[list[Any]]:
    return [
        ["以下问题不属于表中某一单元格（或所在行不在表中）。修改后请删除本工作表再导入。"],
        [],
        ["行", "列", "值", "问题"],
        *(
            [p.row if _row_number(p.row) else None, p.column, _shown(p.value), p.message]
            for p in problems
        ),
    ]


def _error_widths(problems: list[_Problem]) -> list[int]:
    return [
        8,
        min(max((display_width(p.column or "") for p in problems), default=0) + 2, 30),
        min(max((display_width(_shown(p.value) or "") for p in problems), default=0) + 2, 40),
        80,
    ]


def _shown(value: Any) -> str | None:
    return None if value is None else str(value)[:500]


# --- anything else, rebuilt as a new XLSX ------------------------------------------------------


def _rows_of(original: bytes) -> tuple[str | None, Iterator[list[Any]]] | None:
    """Return (sheet name, rows of cells) of a CSV or a workbook calamine reads; else None."""
    if original.startswith((_ZIP, _OLE2)):
        return _workbook_rows(original)
    if not original.strip() or b"\x00" in original[:8192] or original.startswith(b"%PDF"):
        return None
    data = original.removeprefix(b"\xef\xbb\xbf")
    for encoding in ("utf-8", "gb18030"):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        return None, _csv_rows(text)
    return None


def _csv_rows(text: str) -> Iterator[list[Any]]:
    """Yield the records of a CSV text; stop quietly where it stops being CSV."""
    try:
        yield from csv.reader(io.StringIO(text))
    except csv.Error as error:  # a cell over the csv module's limit …: show what came before
        yield [f"（从这一行起无法按 CSV 读取，以下内容未显示：{error}）"]


def _workbook_rows(original: bytes) -> tuple[str | None, Iterator[list[Any]]] | None:
    import fastexcel

    try:
        reader = fastexcel.read_excel(original)
        name = reader.sheet_names[0]
        frame = reader.load_sheet(0, header_row=None, skip_rows=0, dtypes="string").to_polars()
    except Exception:  # not a workbook after all
        return None
    return name, (list(row) for row in frame.iter_rows())


def _rebuild(
    rows: Iterator[list[Any]],
    file_name: str,
    problems: list[_Problem],
    lookup: dict[str, set[str]],
    *,
    sheet_name: str | None,
    output: IO[bytes],
) -> None:
    import xlsxwriter

    from xiezuo.ingest.reading import HEADER_SEARCH_ROWS

    first_rows = list(itertools.islice(rows, HEADER_SEARCH_ROWS))
    columns = _find_header([tuple(r) for r in first_rows], lookup)
    shown_rows = _EXCEL_ROWS if first_rows else 0
    placed = _place(problems, columns, shown_rows)
    workbook = xlsxwriter.Workbook(
        output,
        {
            "in_memory": False,
            "constant_memory": True,
            "strings_to_numbers": False,
            "strings_to_formulas": False,
            "strings_to_urls": False,
        },
    )
    if placed.file_level or not first_rows:
        _error_sheet_xlsxwriter(workbook, placed.file_level)
    if first_rows:
        _data_sheet(workbook, sheet_name or _sheet_name(file_name), first_rows, rows, placed)
    workbook.close()


def _data_sheet(
    workbook: Any,
    name: str,
    first_rows: list[list[Any]],
    rest: Iterator[list[Any]],
    placed: _Placed,
) -> None:
    worksheet = workbook.add_worksheet(name)
    text = workbook.add_format({"num_format": "@"})
    bad = workbook.add_format({"num_format": "@", "bg_color": "#" + FILL[2:], "pattern": 1})
    by_row: dict[int, list[tuple[int, list[str]]]] = {}
    for (row, position), messages in placed.cells.items():
        by_row.setdefault(row, []).append((position, messages))
    widths: dict[int, int] = {}
    rows = itertools.chain(first_rows, rest)
    for number, cells in enumerate(itertools.islice(rows, _EXCEL_ROWS), start=1):
        marks = dict(by_row.pop(number, ()))
        for position, cell in enumerate(cells[:_EXCEL_COLUMNS]):
            value = "" if cell is None else str(cell)
            if len(value) > _EXCEL_CELL_CHARS:
                note = (
                    f"原单元格共 {len(value)} 字，超过 Excel 单元格上限，"
                    f"此处只显示前 {_EXCEL_CELL_CHARS} 字。"
                )
                marks[position] = [*marks.get(position, []), note]
                value = value[:_EXCEL_CELL_CHARS]
            if value or position in marks:
                worksheet.write_string(
                    number - 1, position, value, bad if position in marks else text
                )
            if number <= 100 and value:
                widths[position] = max(widths.get(position, 0), display_width(value[:60]))
        for position, messages in marks.items():
            if position >= len(cells):
                worksheet.write_blank(number - 1, position, None, bad)
            worksheet.write_comment(
                number - 1,
                position,
                _comment_text(messages),
                {"author": AUTHOR, "x_scale": 2.5, "y_scale": 1.5},
            )
    for number in sorted(by_row):  # marks below the last row of the file
        if number > _EXCEL_ROWS:
            break
        for position, messages in by_row[number]:
            worksheet.write_blank(number - 1, position, None, bad)
            worksheet.write_comment(
                number - 1, position, _comment_text(messages), {"author": AUTHOR}
            )
    for position, width in widths.items():
        worksheet.set_column(position, position, min(width + 2, 60), text)


def _error_sheet_xlsxwriter(workbook: Any, problems: list[_Problem]) -> None:
    sheet = workbook.add_worksheet(ERRORS_SHEET)
    bold = workbook.add_format({"bold": True})
    wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
    for row, cells in enumerate(_error_rows(problems)):
        for col, value in enumerate(cells):
            if value is None:
                continue
            fmt = bold if row in (0, 2) else (wrap if col == 3 else None)
            if isinstance(value, int):
                sheet.write_number(row, col, value, fmt)
            else:
                sheet.write_string(row, col, str(value), fmt)
    for col, width in enumerate(_error_widths(problems)):
        sheet.set_column(col, col, width)


def _sheet_name(file_name: str) -> str:
    stem = file_name.rsplit(".", 1)[0] or "数据"
    cleaned = "".join("_" if c in "[]:*?/\\" else c for c in stem).strip("'")
    return cleaned[:31] or "数据"
