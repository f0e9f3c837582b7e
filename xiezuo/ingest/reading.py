"""Reading: an official's XLSX or CSV file into a table of text cells under the catalog's headers.

Every cell is read as text (an ID number typed as text keeps its digits; one Excel stored as a
number arrives as its digits or in scientific notation, and the normaliser says so). The header
row is found among the first rows, under any title and notes rows, by matching the catalog's
headers and aliases. Row numbers are the ones Excel shows.

A file that cannot be read as the ledger at all raises `UnusableInput` with a Chinese message;
so does a file over the limits (`xiezuo.ingest.limits`), before it is read.

`open_table` gives the rows in chunks while the next chunk is read in a background thread (an
XLSX sheet is cut between rows, see `sheetstream`), so that validation and loading can run
while the file is still being read; `read_table` gives them all at once.
"""

import contextlib
import csv
import io
import queue
import threading
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl

from xiezuo.ingest.catalog import Ledger
from xiezuo.ingest.errors import RowError, UnusableInput, shown
from xiezuo.ingest.limits import Limits, check_csv, check_zip
from xiezuo.ingest.sheetstream import SheetChunk, SheetFacts, stream_sheet

__all__ = [
    "CHUNK_ROWS",
    "HEADER_SEARCH_ROWS",
    "ROW",
    "Table",
    "TableStream",
    "normalise_header",
    "open_table",
    "read_table",
]

# How far down a title block may push the header row.
HEADER_SEARCH_ROWS = 10
# The column of a table that holds each row's number as Excel shows it.
ROW = "__row__"
# Rows per chunk of `open_table`.
CHUNK_ROWS = 50_000
_FORMULA_MESSAGE = "单元格是公式；台账须填写数值。请复制该列，再“选择性粘贴 → 数值”后重新导入。"

_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls (and .doc, .msg …)
_PDF = b"%PDF"
_SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".csv", ".txt"}


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
    """Return the cells of the ledger in the file at `path` (XLSX, XLS or CSV), all at once.

    The first sheet is read unless `sheet` names another. Raise `UnusableInput` when the file is
    empty, not a spreadsheet, over the limits, lacks the sheet or a required column, or has a
    merged header.
    """
    with open_table(path, ledger, sheet=sheet) as stream:
        frames = [chunk.frame for chunk in stream]
        cell_errors = stream.cell_errors()
    table = stream.table(pl.concat(frames) if frames else stream.empty_frame())
    table.cell_errors = cell_errors
    return table


def open_table(
    path: Path | str,
    ledger: Ledger,
    *,
    sheet: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    limits: Limits | None = None,
) -> "TableStream":
    """Start reading the ledger in the file at `path`; return its rows as a stream of chunks.

    The file is checked against the limits and its header found before this returns (raising
    `UnusableInput` as `read_table` does); later chunks are read in a background thread while
    the caller works on earlier ones. Use the stream as a context manager, iterate it, then
    ask `cell_errors()` (formulas and merged cells, known once the whole sheet was read).
    """
    path = Path(path)
    limits = limits or Limits.for_ledger(ledger)
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
    chunk_rows = max(chunk_rows, HEADER_SEARCH_ROWS + 1)
    if head.startswith(_ZIP):
        check_zip(path, limits)
        return _open_workbook(path, ledger, sheet, limits, chunk_rows, xlsx=True)
    if path.stat().st_size > limits.max_bytes:
        check_csv(path, limits)  # says how large it is
    if head.startswith(_OLE2):
        return _open_workbook(path, ledger, sheet, limits, chunk_rows, xlsx=False)
    if sheet is not None:
        raise UnusableInput(f"CSV 文件没有工作表，不能指定工作表「{sheet}」。", file=path.name)
    check_csv(path, limits)
    return _open_csv(path, ledger, limits, chunk_rows)


class TableStream:
    """A ledger file's rows, chunk by chunk (each a `Table` of the same headers).

    Iterating yields the chunks; the next one is read in a background thread meanwhile.
    """

    def __init__(
        self,
        *,
        path: Path,
        ledger: Ledger,
        limits: Limits,
        chunks: Iterator[SheetChunk],
        facts: SheetFacts | None,
        sheet: str | None,
        sheets: list[str],
        last_row: int | None = None,
    ) -> None:
        self.path = path
        self.ledger = ledger
        self.limits = limits
        self.sheet = sheet
        self.facts = facts
        self._queue: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._rows = 0
        self._finished = False
        first = next(chunks, None)
        self._last_row = facts.last_row if facts is not None else last_row
        if first is None or first.frame.height == 0 or first.frame.width == 0:
            where = f"工作表「{sheet}」" if sheet else f"文件 {path.name}"
            raise UnusableInput(f"{where}是空的。", file=path.name, sheet=sheet)
        header_index, self.columns = _find_header(first.frame, ledger, path, sheet, sheets)
        self.header_row = first.first_row + header_index
        header_cells = first.frame.row(header_index)
        self.extra = [
            str(cell).strip()
            for position, cell in enumerate(header_cells)
            if position not in self.columns and cell is not None and str(cell).strip()
        ]
        self.headers = tuple(h for h in ledger.headers if h in self.columns.values())
        self.absent = tuple(h for h in ledger.headers if h not in self.headers)
        self.notices: list[str] = []
        if self.extra:
            self.notices.append(f"已忽略模板以外的列：{'、'.join(self.extra)}。")
        if self.absent:
            self.notices.append(
                f"文件没有以下可选列，这些字段保持不变（新增行取默认值）：{'、'.join(self.absent)}。"
            )
        self._first: SheetChunk | None = SheetChunk(
            first.first_row + header_index + 1, first.frame.slice(header_index + 1)
        )
        self._thread = threading.Thread(
            target=self._produce, args=(chunks,), name="ledger-reader", daemon=True
        )
        self._thread.start()

    def __enter__(self) -> "TableStream":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Stop reading (when the caller gives up early) and wait for the reader."""
        self._stop.set()
        while self._thread.is_alive():
            with contextlib.suppress(queue.Empty):
                self._queue.get(timeout=0.05)
        self._thread.join()

    def __iter__(self) -> Iterator[Table]:
        if self._first is not None:
            first, self._first = self._first, None
            yield self._chunk(first)
        while True:
            kind, value = self._queue.get()
            if kind == "chunk":
                yield self._chunk(value)
            elif kind == "error":
                raise value
            else:
                self._finished = True
                return

    @property
    def expected_rows(self) -> int | None:
        """Return about how many rows come under the header (for progress), or None."""
        if self._last_row is None or self._last_row <= self.header_row:
            return None
        return self._last_row - self.header_row

    def table(self, frame: pl.DataFrame) -> Table:
        """Return a `Table` of these headers around `frame` (rows as `_chunk` makes them)."""
        return Table(
            frame=frame,
            headers=self.headers,
            absent=self.absent,
            header_row=self.header_row,
            sheet=self.sheet,
            notices=list(self.notices),
        )

    def empty_frame(self) -> pl.DataFrame:
        return pl.DataFrame(
            schema={ROW: pl.Int64, **{header: pl.String for header in self.headers}}
        )

    def cell_errors(self) -> list[RowError]:
        """Return formula and merged-cell errors once every chunk was read.

        Raise `UnusableInput` when the header row turns out to be merged.
        """
        if not self._finished:
            raise RuntimeError("cell_errors() before the last chunk was read")
        facts = self.facts
        if facts is None:
            return []
        _refuse_merged_header(facts, self.header_row, self.columns, self.path)
        by_letter = {_letter(position): header for position, header in self.columns.items()}
        errors: list[RowError] = []
        for column, row, formula in facts.formulas:
            if row > self.header_row and column in by_letter:
                errors.append(
                    RowError(
                        row,
                        by_letter[column],
                        shown(f"={formula}" if formula else "=（共享公式）"),
                        _FORMULA_MESSAGE,
                    )
                )
        for first_col, first_row, last_col, last_row in facts.merges:
            if last_row <= self.header_row:
                continue
            for col_number in range(first_col, last_col + 1):
                header = by_letter.get(_letter(col_number))
                if header is None:
                    continue
                for row in range(max(first_row, self.header_row + 1), last_row + 1):
                    if (row, col_number) != (first_row, first_col):
                        range_text = (
                            f"{_letter(first_col)}{first_row}:{_letter(last_col)}{last_row}"
                        )
                        errors.append(
                            RowError(
                                row,
                                header,
                                None,
                                f"该单元格属于合并单元格 {range_text}；"
                                "请取消合并，每一行都填上值。",
                            )
                        )
        return errors

    def _produce(self, chunks: Iterator[SheetChunk]) -> None:
        try:
            for chunk in chunks:
                if not self._put(("chunk", chunk)):
                    return
        except BaseException as error:  # handed to the consumer, raised there
            self._put(("error", error))
            return
        self._put(("end", None))

    def _put(self, item: tuple[str, Any]) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _chunk(self, chunk: SheetChunk) -> Table:
        frame = chunk.frame
        names = frame.columns
        selected = frame.select(
            [
                pl.col(names[position]).alias(header)
                if position < len(names)
                else pl.lit(None, pl.String).alias(header)
                for position, header in self.columns.items()
            ]
        )
        selected = selected.with_row_index(ROW, offset=chunk.first_row).with_columns(
            pl.col(ROW).cast(pl.Int64)
        )
        blank = pl.all_horizontal(
            [
                pl.col(h).is_null() | (pl.col(h).str.strip_chars().str.len_bytes() == 0)
                for h in self.headers
            ]
        )
        selected = selected.filter(~blank).select([ROW, *self.headers])
        self._rows += selected.height
        if self._rows > self.limits.max_rows:
            raise self.limits.too_many_rows(self._rows, self.path.name)
        return self.table(selected)


# --- workbooks -------------------------------------------------------------------------------


def _open_workbook(
    path: Path, ledger: Ledger, sheet: str | None, limits: Limits, chunk_rows: int, *, xlsx: bool
) -> TableStream:
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
    facts: SheetFacts | None = None
    if xlsx:
        facts = SheetFacts()
        chunks = stream_sheet(path, index, limits, facts, chunk_rows=chunk_rows)
    else:
        try:
            frame = reader.load_sheet(
                index, header_row=None, skip_rows=0, dtypes="string"
            ).to_polars()
        except Exception as error:
            raise UnusableInput(
                f"无法读取工作表「{name}」（{_first_line(error)}）。", file=path.name
            ) from None
        chunks = _slices(frame, chunk_rows)
    return TableStream(
        path=path,
        ledger=ledger,
        limits=limits,
        chunks=chunks,
        facts=facts,
        sheet=name,
        sheets=names,
        last_row=None if xlsx else frame.height,
    )


def _slices(frame: pl.DataFrame, chunk_rows: int) -> Iterator[SheetChunk]:
    """Yield a frame whose row 0 is Excel row 1 in chunks."""
    for offset in range(0, max(frame.height, 1), chunk_rows):
        yield SheetChunk(first_row=offset + 1, frame=frame.slice(offset, chunk_rows))


def _refuse_merged_header(
    facts: SheetFacts, header_row: int, columns: dict[int, str], path: Path
) -> None:
    used = set(columns)
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


# --- CSV -----------------------------------------------------------------------------------


def _open_csv(path: Path, ledger: Ledger, limits: Limits, chunk_rows: int) -> TableStream:
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
    del data
    return TableStream(
        path=path,
        ledger=ledger,
        limits=limits,
        chunks=_slices(frame, chunk_rows),
        facts=None,
        sheet=None,
        sheets=[],
        last_row=frame.height,
    )


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


def _letter(number: int) -> str:
    """Return the Excel column letters of a 0-based column number (0 → A)."""
    letters = ""
    number += 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def _first_line(error: BaseException) -> str:
    return (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
