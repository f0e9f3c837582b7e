"""Reading: an official's XLSX or CSV file into a table of text cells under the catalog's headers.

Every cell is read as text (an ID number typed as text keeps its digits; one Excel stored as a
number arrives as its digits or in scientific notation, and the normaliser says so). The header
row is found among the first rows, under any title and notes rows, by matching the catalog's
headers and aliases. Row numbers are the ones Excel shows.

A file that cannot be read as the ledger at all raises `UnusableInput` with a Chinese message.
"""

import csv
import io
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import polars as pl

from xiezuo.ingest.catalog import Ledger
from xiezuo.ingest.errors import RowError, UnusableInput, shown

__all__ = ["HEADER_SEARCH_ROWS", "ROW", "Table", "normalise_header", "read_table"]

# How far down a title block may push the header row.
HEADER_SEARCH_ROWS = 10
# The column of a table that holds each row's number as Excel shows it.
ROW = "__row__"

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and .doc, .msg …)
_PDF = b"%PDF"
_SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv", ".txt"}
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_REL_ID = re.compile(rb'\s\w+:id="([^"]+)"')
_RELATIONSHIP_TAG = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_ID_ATTR = re.compile(rb'\sId="([^"]+)"')
_TARGET_ATTR = re.compile(rb'\sTarget="([^"]+)"')
_FORMULA = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"[^>]*>(?:<f(?:\s[^>]*)?/>|<f(?:\s[^>]*)?>([^<]*)</f>)'
)
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_DIMENSION = re.compile(rb'<dimension ref="([A-Z]{1,3})(\d+)')
_SCAN_CHUNK = 1 << 22
_SCAN_OVERLAP = 8192


@dataclass
class Table:
    """The cells of a ledger file, as text, under the catalog headers it carries.

    `frame` has one String column per catalog header found (named by the catalog header) and
    `ROW`, the Excel row number; blank rows are dropped. `absent` names the catalog's optional
    columns the file does not carry. `cell_errors` are problems the reader saw in single cells
    (formulas, merged cells).
    """

    frame: pl.DataFrame
    headers: tuple[str, ...]
    absent: tuple[str, ...]
    header_row: int
    sheet: str | None
    notices: list[str] = field(default_factory=list)
    cell_errors: list[RowError] = field(default_factory=list)


def normalise_header(text: object) -> str:
    """Return a header cell made comparable: NFKC (full-width → ASCII), no spaces, no `*`."""
    value = unicodedata.normalize("NFKC", str(text or ""))
    return "".join(value.split()).strip("*")


def read_table(path: Path | str, ledger: Ledger, *, sheet: str | None = None) -> Table:
    """Return the cells of the ledger in the file at `path` (XLSX, XLS or CSV).

    The first sheet is read unless `sheet` names another. Raise `UnusableInput` when the file is
    empty, not a spreadsheet, lacks the sheet or a required column, or has a merged header.
    """
    path = Path(path)
    try:
        with path.open("rb") as handle:
            head = handle.read(8)
    except OSError as error:
        raise UnusableInput(f"无法打开文件 {path.name}：{error.strerror}", file=path.name) from None
    if not head:
        raise UnusableInput(f"文件 {path.name} 是空的（0 字节）。", file=path.name)
    if head.startswith(_PDF):
        raise UnusableInput(
            f"文件 {path.name} 是 PDF 文件，不是电子表格（只是扩展名被改成了"
            f"“{path.suffix}”）。请上传 Excel（.xlsx）或 CSV 文件。",
            file=path.name,
        )
    if head.startswith(_ZIP):
        return _read_workbook(path, ledger, sheet, xlsx=True)
    if head.startswith(_OLE2):
        return _read_workbook(path, ledger, sheet, xlsx=False)
    if sheet is not None:
        raise UnusableInput(f"CSV 文件没有工作表，不能指定工作表「{sheet}」。", file=path.name)
    return _read_csv(path, ledger)


# --- workbooks -------------------------------------------------------------------------------


def _read_workbook(path: Path, ledger: Ledger, sheet: str | None, *, xlsx: bool) -> Table:
    import fastexcel

    try:
        reader = fastexcel.read_excel(path)
        names = list(reader.sheet_names)
    except Exception as error:  # fastexcel has its own exception tree; any failure is the file's
        raise UnusableInput(
            f"文件 {path.name} 不是可读取的 Excel 工作簿（{_first_line(error)}）。"
            "请用 Excel 另存为 .xlsx 后再上传。",
            file=path.name,
        ) from None
    if not names:
        raise UnusableInput(f"工作簿 {path.name} 中没有工作表。", file=path.name)
    if sheet is None:
        index, name = 0, names[0]
    elif sheet in names:
        index, name = names.index(sheet), sheet
    else:
        raise UnusableInput(
            f"工作簿中没有名为「{sheet}」的工作表；现有工作表：{'、'.join(names)}。",
            file=path.name,
            sheets=names,
        )
    try:
        frame = reader.load_sheet(index, header_row=None, skip_rows=0, dtypes="string").to_polars()
    except Exception as error:
        raise UnusableInput(
            f"无法读取工作表「{name}」（{_first_line(error)}）。", file=path.name
        ) from None
    if frame.height == 0 or frame.width == 0:
        raise UnusableInput(f"工作表「{name}」是空的。", file=path.name, sheet=name)
    header_index, columns = _find_header(frame, ledger, path, name, names)
    facts = _SheetFacts.scan(path, index) if xlsx else _SheetFacts()
    # calamine's range starts at the first used column: letters in the XML count from A.
    offset = facts.first_column
    header_row = header_index + 1
    _refuse_merged_header(facts, header_row, columns, offset, path)
    table = _table(frame, ledger, header_index, columns, path, sheet=name)
    by_letter = {_letter(position + offset): header for position, header in columns.items()}
    for column, row, formula in facts.formulas:
        if row > header_row and column in by_letter:
            table.cell_errors.append(
                RowError(
                    row,
                    by_letter[column],
                    shown(f"={formula}" if formula else "=（共享公式）"),
                    "单元格是公式；台账须填写数值。请复制该列，再“选择性粘贴 → 数值”后重新导入。",
                )
            )
    for first_col, first_row, last_col, last_row in facts.merges:
        if last_row <= header_row:
            continue
        for col_number in range(first_col, last_col + 1):
            header = by_letter.get(_letter(col_number))
            if header is None:
                continue
            for row in range(max(first_row, header_row + 1), last_row + 1):
                if (row, col_number) != (first_row, first_col):
                    range_text = f"{_letter(first_col)}{first_row}:{_letter(last_col)}{last_row}"
                    table.cell_errors.append(
                        RowError(
                            row,
                            header,
                            None,
                            f"该单元格属于合并单元格 {range_text}；请取消合并，每一行都填上值。",
                        )
                    )
    return table


def _refuse_merged_header(
    facts: "_SheetFacts", header_row: int, columns: dict[int, str], offset: int, path: Path
) -> None:
    used = {position + offset for position in columns}
    for first_col, first_row, last_col, last_row in facts.merges:
        if first_row <= header_row <= last_row and (
            used & set(range(first_col, last_col + 1)) or first_row == header_row
        ):
            range_text = f"{_letter(first_col)}{first_row}:{_letter(last_col)}{last_row}"
            raise UnusableInput(
                f"表头（第 {header_row} 行）含合并单元格 {range_text}。请取消合并，"
                "让每一列都有自己的表头（可下载模板对照）。",
                file=path.name,
                merged=range_text,
            )


@dataclass
class _SheetFacts:
    """What calamine does not tell: merged ranges, formula cells, the first used column."""

    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas: list[tuple[str, int, str]] = field(default_factory=list)
    first_column: int = 0

    @classmethod
    def scan(cls, path: Path, index: int) -> "_SheetFacts":
        """Stream the sheet's XML once, looking only for the few tags calamine hides."""
        facts = cls()
        try:
            with zipfile.ZipFile(path) as archive:
                member = _sheet_member(archive, index)
                if member is None:
                    return facts
                with archive.open(member) as raw:
                    facts._scan(raw)
        except (zipfile.BadZipFile, KeyError, OSError, zlib.error):
            return facts  # calamine read it; what it could not see, we do not report
        return facts

    def _scan(self, raw: IO[bytes]) -> None:
        # Matches that straddle two chunks are found in the overlap; the sets drop repeats.
        tail = b""
        previous = last = b""
        formulas: set[tuple[str, int, str]] = set()
        first = True
        while chunk := raw.read(_SCAN_CHUNK):
            data = tail + chunk
            if first:
                first = False
                if match := _DIMENSION.search(data[:4096]):
                    self.first_column = _column_number(match.group(1).decode())
            if data.find(b"<f") != -1:
                for match in _FORMULA.finditer(data):
                    text = (match.group(3) or b"").decode("utf-8", "replace")
                    formulas.add((match.group(1).decode(), int(match.group(2)), text))
            previous, last, tail = last, chunk, data[-_SCAN_OVERLAP:]
        # Merged ranges are listed after the cells, at the end of the part: the last two
        # chunks hold them (a list of 4 MB would be 100,000 merged ranges).
        merges: set[tuple[int, int, int, int]] = set()
        for match in _MERGE.finditer(previous + last):
            first_col = _column_number(match.group(1).decode())
            last_col = _column_number((match.group(3) or match.group(1)).decode())
            first_row = int(match.group(2))
            merges.add((first_col, first_row, last_col, int(match.group(4) or first_row)))
        self.formulas = sorted(formulas, key=lambda f: (f[1], _column_number(f[0])))
        self.merges = sorted(merges)


def _sheet_member(archive: zipfile.ZipFile, index: int) -> str | None:
    # Regular expressions rather than an XML parser: the file is untrusted and only two
    # attributes of two small parts are needed.
    sheets = _SHEET_TAG.findall(archive.read("xl/workbook.xml"))
    if index >= len(sheets):
        return None
    rel_id = _REL_ID.search(sheets[index])
    if rel_id is None:
        return None
    for tag in _RELATIONSHIP_TAG.findall(archive.read("xl/_rels/workbook.xml.rels")):
        found_id, target = _ID_ATTR.search(tag), _TARGET_ATTR.search(tag)
        if found_id and target and found_id.group(1) == rel_id.group(1):
            path = target.group(1).decode()
            return path.lstrip("/") if path.startswith("/") else f"xl/{path}"
    return None


# --- CSV -----------------------------------------------------------------------------------


def _read_csv(path: Path, ledger: Ledger) -> Table:
    data = path.read_bytes()
    if b"\x00" in data[:8192]:
        raise UnusableInput(
            f"文件 {path.name} 不是电子表格，也不是 CSV 文本文件。"
            "请上传 Excel（.xlsx）或 CSV 文件。",
            file=path.name,
        )
    data = data.removeprefix(b"\xef\xbb\xbf")
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        try:
            data = data.decode("gb18030").encode("utf-8")
        except UnicodeDecodeError:
            raise UnusableInput(
                f"文件 {path.name} 的编码无法识别（应为 UTF-8 或 GB18030/GBK）。",
                file=path.name,
            ) from None
    if not data.strip():
        raise UnusableInput(f"文件 {path.name} 没有任何内容。", file=path.name)
    # Find the header among the first lines (titles and notes hold no line breaks).
    starts = [0]
    first_lines: list[list[str]] = []
    while len(first_lines) < HEADER_SEARCH_ROWS and starts[-1] < len(data):
        end = data.find(b"\n", starts[-1])
        end = len(data) if end == -1 else end
        line = data[starts[-1] : end].decode("utf-8").rstrip("\r")
        first_lines.append(next(csv.reader([line]), []))
        starts.append(end + 1)
    width = max((len(row) for row in first_lines), default=0)
    head = pl.DataFrame(
        [
            pl.Series(f"c{i}", [row[i] if i < len(row) else None for row in first_lines], pl.String)
            for i in range(width)
        ]
    )
    header_index, _ = _find_header(head, ledger, path, None, [])
    try:
        frame = pl.read_csv(
            io.BytesIO(data[starts[header_index] :]),
            has_header=False,
            infer_schema=False,
            truncate_ragged_lines=True,
            raise_if_empty=False,
        )
    except pl.exceptions.PolarsError as error:
        raise UnusableInput(
            f"文件 {path.name} 不是可读取的 CSV 文件（{_first_line(error)}）。", file=path.name
        ) from None
    # Put the header at its own row number so that rows are numbered as in the whole file.
    frame = pl.concat(
        [
            pl.DataFrame({c: [None] * header_index for c in frame.columns}, schema=frame.schema),
            frame,
        ]
    )
    _, columns = _find_header(frame.head(header_index + 1), ledger, path, None, [])
    return _table(frame, ledger, header_index, columns, path, sheet=None)


# --- both ----------------------------------------------------------------------------------


def _find_header(
    frame: pl.DataFrame, ledger: Ledger, path: Path, sheet: str | None, sheets: list[str]
) -> tuple[int, dict[int, str]]:
    """Return the header row's index and {column position: catalog header}."""
    lookup = _header_lookup(ledger)
    best_index = -1
    best: dict[int, str] = {}
    for index, row in enumerate(frame.head(HEADER_SEARCH_ROWS).iter_rows()):
        found: dict[int, str] = {}
        for position, cell in enumerate(row):
            header = lookup.get(normalise_header(cell))
            if header is not None:
                found.setdefault(position, header)
        if len(set(found.values())) > len(set(best.values())):
            best_index, best = index, found
    where = f"工作表「{sheet}」" if sheet else f"文件 {path.name}"
    if not best:
        others = [s for s in sheets if s != sheet]
        hint = f"如台账在其他工作表，请用 --sheet 指定：{'、'.join(others)}。" if others else ""
        raise UnusableInput(
            f"{where}的前 {HEADER_SEARCH_ROWS} 行中找不到「{ledger.title}」台账的表头"
            f"（如 {'、'.join(ledger.headers[:3])}）。{hint}",
            file=path.name,
            sheet=sheet,
        )
    seen: dict[str, int] = {}
    for position, header in sorted(best.items()):
        if header in seen:
            raise UnusableInput(
                f"{where}第 {best_index + 1} 行的表头「{header}」出现了两次"
                f"（第 {_letter(seen[header])} 列和第 {_letter(position)} 列）。",
                file=path.name,
            )
        seen[header] = position
    missing = [c.header for c in ledger.columns if c.required and c.header not in seen]
    if missing:
        raise UnusableInput(
            f"{where}缺少必需的列：{'、'.join(missing)}（表头在第 {best_index + 1} 行）。"
            "请对照模板补上这些列。",
            file=path.name,
            missing=missing,
        )
    return best_index, best


def _header_lookup(ledger: Ledger) -> dict[str, str]:
    lookup: dict[str, str] = {}
    for column in ledger.columns:
        for text in (column.header, *column.aliases):
            lookup.setdefault(normalise_header(text), column.header)
    return lookup


def _table(
    frame: pl.DataFrame,
    ledger: Ledger,
    header_index: int,
    columns: dict[int, str],
    path: Path,
    *,
    sheet: str | None,
) -> Table:
    names = frame.columns
    header_cells = frame.row(header_index)
    extra = [
        str(cell).strip()
        for position, cell in enumerate(header_cells)
        if position not in columns and cell is not None and str(cell).strip()
    ]
    selected = frame.slice(header_index + 1).select(
        [pl.col(names[position]).alias(header) for position, header in columns.items()]
    )
    selected = selected.with_row_index(ROW, offset=header_index + 2).with_columns(
        pl.col(ROW).cast(pl.Int64)
    )
    headers = [h for h in ledger.headers if h in columns.values()]
    blank = pl.all_horizontal(
        [pl.col(h).is_null() | (pl.col(h).str.strip_chars().str.len_bytes() == 0) for h in headers]
    )
    selected = selected.filter(~blank).select([ROW, *headers])
    absent = tuple(h for h in ledger.headers if h not in headers)
    notices = []
    if extra:
        notices.append(f"已忽略模板以外的列：{'、'.join(extra)}。")
    if absent:
        notices.append(
            f"文件没有以下可选列，这些字段保持不变（新增行取默认值）：{'、'.join(absent)}。"
        )
    return Table(
        frame=selected,
        headers=tuple(headers),
        absent=absent,
        header_row=header_index + 1,
        sheet=sheet,
        notices=notices,
    )


def _letter(number: int) -> str:
    """Return the Excel column letters of a 0-based column number (0 → A)."""
    letters = ""
    number += 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _column_number(letters: str) -> int:
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
