"""A worksheet read in chunks of rows, each chunk read by calamine while the last is used.

calamine (through fastexcel) reads a whole sheet at once. To let validation and loading start
before the last row is read, the sheet's XML is streamed out of the zip once, cut between rows
into parts of about `chunk_rows` rows, and each part is wrapped as a small workbook of its own
(stored, not compressed) that calamine reads from memory. The same pass counts rows and cells
against the limits and notes what calamine does not tell (formulas, merged ranges).

Frames come with their first Excel row number and with column 0 = Excel column A: a marker
cell in column A is added on a row of its own outside the chunk's rows, then dropped.
"""

import io
import re
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import polars as pl

from xiezuo.ingest.errors import UnusableInput
from xiezuo.ingest.limits import Limits

__all__ = ["SheetChunk", "SheetFacts", "stream_sheet"]

_BLOCK = 1 << 22
_OVERLAP = 8192
# Past the rows: merged ranges, then page setup. More than this is not a ledger's.
_TAIL_BYTES = 64 << 20
_SHEET_TAG = re.compile(rb"<(?:\w+:)?sheet\s[^>]*>")
_REL_ID = re.compile(rb'\s\w+:id="([^"]+)"')
_RELATIONSHIP_TAG = re.compile(rb"<(?:\w+:)?Relationship\s[^>]*>")
_ID_ATTR = re.compile(rb'\sId="([^"]+)"')
_TARGET_ATTR = re.compile(rb'\sTarget="([^"]+)"')
_TYPE_ATTR = re.compile(rb'\sType="([^"]+)"')
_FORMULA = re.compile(
    rb'<c r="([A-Z]{1,3})(\d+)"[^>]*>(?:<f(?:\s[^>]*)?/>|<f(?:\s[^>]*)?>([^<]*)</f>)'
)
_MERGE = re.compile(rb'<mergeCell ref="([A-Z]{1,3})(\d+)(?::([A-Z]{1,3})(\d+))?"')
_DIMENSION = re.compile(rb"<dimension\s[^>]*/>")
_DIMENSION_END = re.compile(rb'<dimension\s+ref="[A-Z]{1,3}\d+:[A-Z]{1,3}(\d{1,7})"')
_ROW_NUMBER = re.compile(rb'<row[^>]*?\sr="(\d+)"')
_DATE1904 = re.compile(rb'date1904="(?:1|true)"')
_SHEET_DATA = re.compile(rb"<sheetData\s*(/?)>")
_MARK = "\x01"

_CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
    b'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
    b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.sheet.main+xml"/>'
    b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.'
    b'openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    b'<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-'
    b'officedocument.spreadsheetml.styles+xml"/>'
    b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.'
    b'openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
)
_ROOT_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>'
)
_WORKBOOK_RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
    b'<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/styles" Target="styles.xml"/>'
    b'<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>'
)
_EMPTY_STYLES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>'
)
_EMPTY_STRINGS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    b'<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="0" '
    b'uniqueCount="0"/>'
)


@dataclass
class SheetChunk:
    """Rows of a sheet as text: frame row 0 is Excel row `first_row`, column 0 is column A."""

    first_row: int
    frame: pl.DataFrame


@dataclass
class SheetFacts:
    """What the stream saw besides cells: formula cells and merged ranges (0-based columns)."""

    rows: int = 0
    # The last row the sheet's own <dimension> claims (a hint for progress, never trusted).
    last_row: int | None = None
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    formulas: list[tuple[str, int, str]] = field(default_factory=list)


def sheet_member(archive: zipfile.ZipFile, index: int) -> str | None:
    """Return the zip path of the `index`-th sheet of the workbook, or None."""
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
            return _part_path(target.group(1))
    return None


def _part_path(target: bytes) -> str:
    path = target.decode()
    return path.lstrip("/") if path.startswith("/") else f"xl/{path}"


def _related_part(archive: zipfile.ZipFile, kind: bytes) -> str | None:
    try:
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    for tag in _RELATIONSHIP_TAG.findall(rels):
        found_type, target = _TYPE_ATTR.search(tag), _TARGET_ATTR.search(tag)
        if found_type and target and found_type.group(1).endswith(kind):
            return _part_path(target.group(1))
    return None


def stream_sheet(
    path: Path, index: int, limits: Limits, facts: SheetFacts, *, chunk_rows: int
) -> Iterator[SheetChunk]:
    """Yield the `index`-th sheet of the XLSX at `path` in chunks of about `chunk_rows` rows.

    Raise `UnusableInput` when the sheet has more rows or cells than `limits` allow (found
    while streaming, before calamine reads the chunk) or when its XML is broken. `facts` is
    filled as the stream goes; it is complete once the iterator is exhausted.
    """
    import fastexcel

    name = path.name
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError) as error:
        raise _unreadable(name, error) from None
    with archive:
        try:
            member = sheet_member(archive, index)
            if member is None:
                raise KeyError(f"sheet {index}")
            workbook = archive.read("xl/workbook.xml")
            strings_part = _related_part(archive, b"/sharedStrings")
            styles_part = _related_part(archive, b"/styles")
            strings = archive.read(strings_part) if strings_part else _EMPTY_STRINGS
            styles = archive.read(styles_part) if styles_part else _EMPTY_STYLES
        except (KeyError, zipfile.BadZipFile, OSError, zlib.error) as error:
            raise _unreadable(name, error) from None
        wrapper = _Wrapper(
            strings=strings,
            styles=styles,
            date1904=bool(_DATE1904.search(workbook)),
        )
        try:
            with archive.open(member) as raw:
                parts = _RowParts(raw, limits, facts, name, chunk_rows=chunk_rows)
                for first, last, head, rows in parts:
                    data = wrapper.build(head, rows, first=first, last=last, leading=first > 1)
                    try:
                        sheet = fastexcel.read_excel(data).load_sheet(
                            0,
                            header_row=None,
                            skip_rows=None if first > 1 else 0,
                            dtypes="string",
                        )
                        frame = sheet.to_polars()
                    except Exception as error:  # fastexcel's own tree; the file's fault
                        raise _unreadable(name, error) from None
                    del data
                    # Drop the marker row: above the rows, or below them for the first chunk.
                    frame = frame.slice(1) if first > 1 else frame.slice(0, frame.height - 1)
                    yield SheetChunk(first_row=first, frame=frame)
        except (zipfile.BadZipFile, OSError, zlib.error, EOFError) as error:
            raise _unreadable(name, error) from None


class _Wrapper:
    """Wrap a chunk of a sheet's rows as a workbook calamine can read."""

    def __init__(self, *, strings: bytes, styles: bytes, date1904: bool) -> None:
        self.strings = strings
        self.styles = styles
        pr = b'<workbookPr date1904="1"/>' if date1904 else b"<workbookPr/>"
        self.workbook = (
            b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            b'<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
            b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            + pr
            + b'<sheets><sheet name="s" sheetId="1" r:id="rId1"/></sheets></workbook>'
        )

    def build(self, head: bytes, rows: bytes, *, first: int, last: int, leading: bool) -> bytes:
        marker_row = first - 1 if leading else last + 1
        marker = (
            f'<row r="{marker_row}"><c r="A{marker_row}" t="inlineStr"><is><t>{_MARK}</t>'
            "</is></c></row>"
        ).encode()
        before, after = (marker, b"") if leading else (b"", marker)
        sheet = b"".join((head, before, rows, after, b"</sheetData></worksheet>"))
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as package:
            package.writestr("[Content_Types].xml", _CONTENT_TYPES)
            package.writestr("_rels/.rels", _ROOT_RELS)
            package.writestr("xl/workbook.xml", self.workbook)
            package.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
            package.writestr("xl/styles.xml", self.styles)
            package.writestr("xl/sharedStrings.xml", self.strings)
            package.writestr("xl/worksheets/sheet1.xml", sheet)
        return buffer.getvalue()


class _RowParts:
    """Cut a sheet's XML stream into (first row, last row, head, rows XML) between rows."""

    def __init__(
        self, raw: IO[bytes], limits: Limits, facts: SheetFacts, name: str, *, chunk_rows: int
    ) -> None:
        self.raw = raw
        self.limits = limits
        self.facts = facts
        self.name = name
        self.chunk_rows = chunk_rows
        # A chunk may hold many rows, but never much more XML than calamine handles lightly.
        self.chunk_bytes = 96 << 20
        self.formulas: set[tuple[str, int, str]] = set()

    def __iter__(self) -> Iterator[tuple[int, int, bytes, bytes]]:
        head, pending, done = self._head()
        tail = b""
        end_tag = b"</sheetData>"
        rows_pending = 0  # row tags in `pending`; while not done, the last may be incomplete
        previous_last = 0
        cells = 0
        start = 0
        fresh = not done  # `pending` holds bytes not yet looked at
        while pending or not done:
            if fresh:
                fresh = False
                end = pending.find(end_tag, max(0, start - len(end_tag)))
                # A tag cut by the block's edge starts at most 3 bytes before it.
                stop = len(pending) if end == -1 else end
                rows_pending += pending.count(b"<row", max(0, start - 3), stop)
                if end != -1:
                    tail = bytes(pending[end + len(end_tag) :])
                    del pending[end:]
                    done = True
                self._scan_formulas(pending, max(0, start - _OVERLAP))
                self._check_rows(rows_pending)
            whole = rows_pending if done else rows_pending - 1
            if whole > self.chunk_rows:
                # Cut by bytes where about `chunk_rows` rows end, at the next row's start:
                # one search, where finding the n-th row tag took n.
                target = len(pending) * self.chunk_rows // rows_pending
                cut = pending.find(b"<row", target)
                if cut == -1:
                    cut = pending.rfind(b"<row")  # the last row: maybe incomplete yet
                rows_cut = pending.count(b"<row", 0, cut)
            elif done:
                cut, rows_cut = len(pending), rows_pending
            elif len(pending) >= self.chunk_bytes:
                cut, rows_cut = pending.rfind(b"<row"), whole
                if cut <= 0:
                    raise UnusableInput(
                        f"文件 {self.name} 中有一行数据超过 {self.chunk_bytes >> 20} MB，"
                        "不像正常的台账，未读取。",
                        file=self.name,
                    )
            else:
                block = self.raw.read(_BLOCK)
                if not block:
                    raise zipfile.BadZipFile("the sheet ends before its rows do")
                start = len(pending)
                pending += block
                fresh = True
                continue
            with memoryview(pending) as view:
                chunk = bytes(view[:cut])  # one copy, not a slice and then its copy
            del pending[:cut]
            start = 0
            rows_pending -= rows_cut
            self.facts.rows += rows_cut
            cells += chunk.count(b"<c ") + chunk.count(b"<c>")
            self._check_cells(cells)
            if not rows_cut:
                continue
            first = self._first_row(chunk, previous_last)
            last = self._last_row(chunk, first, rows_cut)
            previous_last = last
            yield first, last, head, chunk
        self._finish(tail)

    def _head(self) -> tuple[bytes, bytearray, bool]:
        """Return the XML before the rows (with `<sheetData>`), the first rows, and whether
        the sheet has no rows at all."""
        pending = bytearray()
        while True:
            block = self.raw.read(_BLOCK)
            pending += block
            match = _SHEET_DATA.search(pending)
            if match:
                claimed = _DIMENSION_END.search(pending, 0, match.start())
                self.facts.last_row = int(claimed.group(1)) if claimed else None
                head = _DIMENSION.sub(b"", bytes(pending[: match.start()])) + b"<sheetData>"
                rest = bytearray(pending[match.end() :])
                if match.group(1):  # <sheetData/>: no rows
                    self._finish(bytes(rest))
                    return head, bytearray(), True
                return head, rest, False
            if not block or len(pending) > _TAIL_BYTES:
                raise zipfile.BadZipFile("no sheetData")

    def _check_rows(self, pending: int) -> None:
        rows = self.facts.rows + pending
        # The header and a few title rows come on top of the data rows.
        if rows > self.limits.max_rows + 11:
            raise self.limits.too_many_rows(rows - 1, self.name)

    def _check_cells(self, cells: int) -> None:
        limits = self.limits
        if cells > max(self.facts.rows, 1) * limits.max_cells_per_row:
            raise UnusableInput(
                f"文件 {self.name} 的单元格过多（平均每行超过 {limits.max_cells_per_row} 个），"
                "不像正常的台账，未读取。请删去无关的列后再导入。",
                file=self.name,
            )

    def _scan_formulas(self, data: bytearray, start: int) -> None:
        if data.find(b"<f", start) == -1:
            return
        for match in _FORMULA.finditer(data, start):
            text = (match.group(3) or b"").decode("utf-8", "replace")
            self.formulas.add((match.group(1).decode(), int(match.group(2)), text))

    @staticmethod
    def _first_row(chunk: bytes, previous_last: int) -> int:
        match = _ROW_NUMBER.match(chunk, chunk.find(b"<row"))
        return int(match.group(1)) if match else previous_last + 1

    @staticmethod
    def _last_row(chunk: bytes, first: int, rows: int) -> int:
        start = chunk.rfind(b"<row")
        match = _ROW_NUMBER.match(chunk, start) if start != -1 else None
        return int(match.group(1)) if match else first + max(rows - 1, 0)

    def _finish(self, tail: bytes) -> None:
        """Read the rest of the part (merged ranges) and settle the facts."""
        rest = bytearray(tail)
        while len(rest) < _TAIL_BYTES and (block := self.raw.read(_BLOCK)):
            rest += block
        merges: set[tuple[int, int, int, int]] = set()
        for match in _MERGE.finditer(rest):
            first_col = column_number(match.group(1).decode())
            last_col = column_number((match.group(3) or match.group(1)).decode())
            first_row = int(match.group(2))
            merges.add((first_col, first_row, last_col, int(match.group(4) or first_row)))
        self.facts.merges = sorted(merges)
        self.facts.formulas = sorted(self.formulas, key=lambda f: (f[1], column_number(f[0])))


def column_number(letters: str) -> int:
    """Return the 0-based column number of Excel column letters (A → 0)."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - 64
    return number - 1


def _unreadable(name: str, error: BaseException) -> UnusableInput:
    text = (str(error).strip().splitlines() or [type(error).__name__])[0][:200]
    return UnusableInput(
        f"文件 {name} 不是可读取的 Excel 工作簿（{text}）。请用 Excel 另存为 .xlsx 后再上传。",
        file=name,
    )
