"""Limits: files too large to read safely are refused before anything is read.

A spreadsheet is a zip archive, and a small one can unpack to gigabytes (a "zip bomb"); a CSV
can be one line of gigabytes. Each part of a workbook is checked from the zip's own directory
(no extraction): its unpacked size and how much it was compressed. Rows are capped per ledger
(the catalog's `max_rows`, never above `IMPORT_MAX_ROWS`); a CSV is capped in bytes, in bytes
per line and in lines. The limits live in settings, read from the environment:

| setting                      | environment                      | default           |
|------------------------------|----------------------------------|-------------------|
| `IMPORT_MAX_ROWS`            | `XIEZUO_IMPORT_MAX_ROWS`         | 1,048,576 (Excel) |
| `IMPORT_MAX_BYTES`           | `XIEZUO_IMPORT_MAX_MB`           | 1 GiB             |
| `IMPORT_MAX_UNPACKED_BYTES`  | `XIEZUO_IMPORT_MAX_UNPACKED_MB`  | 2 GiB             |
| `IMPORT_MAX_RATIO`           | `XIEZUO_IMPORT_MAX_RATIO`        | 100               |
| `IMPORT_MAX_LINE_BYTES`      | `XIEZUO_IMPORT_MAX_LINE_KB`      | 1 MiB             |
"""

import zipfile
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings

from xiezuo.ingest.catalog import Ledger
from xiezuo.ingest.errors import UnusableInput

__all__ = ["EXCEL_ROWS", "Limits", "check_csv", "check_upload", "check_zip"]

EXCEL_ROWS = 1_048_576
# Parts smaller than this may be compressed as much as they like: they cannot hurt.
RATIO_FLOOR_BYTES = 16 << 20
_SCAN_BLOCK = 1 << 22
_ZIP = b"PK\x03\x04"
_OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass(frozen=True)
class Limits:
    """The limits one import runs under."""

    max_rows: int
    max_bytes: int
    max_unpacked: int
    max_ratio: float
    max_line: int
    ratio_floor: int = 16 << 20
    # Cells per row on average; a sheet of wider rows is refused (the ledgers have < 40).
    max_cells_per_row: int = 256

    @classmethod
    def for_ledger(cls, ledger: Ledger | None) -> "Limits":
        """Return the limits from settings, with the ledger's own row cap when it has one."""
        ceiling = int(getattr(settings, "IMPORT_MAX_ROWS", EXCEL_ROWS))
        own = ledger.extra.get("max_rows") if ledger is not None else None
        return cls(
            max_rows=min(int(own), ceiling) if own else ceiling,
            max_bytes=int(getattr(settings, "IMPORT_MAX_BYTES", 1 << 30)),
            max_unpacked=int(getattr(settings, "IMPORT_MAX_UNPACKED_BYTES", 2 << 30)),
            max_ratio=float(getattr(settings, "IMPORT_MAX_RATIO", 100)),
            max_line=int(getattr(settings, "IMPORT_MAX_LINE_BYTES", 1 << 20)),
            ratio_floor=int(getattr(settings, "IMPORT_RATIO_FLOOR_BYTES", RATIO_FLOOR_BYTES)),
        )

    def too_many_rows(self, rows: int, name: str) -> UnusableInput:
        """Return the refusal of a file with more than `max_rows` data rows."""
        return UnusableInput(
            f"行数超过上限：文件 {name} 有 {rows:,} 行以上，本台账每次最多导入 "
            f"{self.max_rows:,} 行。请把文件拆分成几个较小的文件分别导入。",
            file=name,
            rows=rows,
            max_rows=self.max_rows,
        )


def check_upload(path: Path, limits: Limits) -> None:
    """Refuse an uploaded file over the limits before it is kept or queued: a workbook by its
    zip directory, an old .xls by its size, anything else as CSV text.

    The reader checks again when it opens the file; this lets a caller be told at once.
    """
    with path.open("rb") as handle:
        head = handle.read(8)
    if head.startswith(_ZIP):
        check_zip(path, limits)
    elif head.startswith(_OLE2):
        if path.stat().st_size > limits.max_bytes:
            raise _too_large(path.name, path.stat().st_size, limits)
    else:
        check_csv(path, limits)


def check_zip(path: Path, limits: Limits) -> None:
    """Refuse a workbook whose parts unpack too large or were compressed suspiciously much.

    Only the archive's directory is read; nothing is extracted.
    """
    name = path.name
    if path.stat().st_size > limits.max_bytes:
        raise _too_large(name, path.stat().st_size, limits)
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        return  # not a zip after all: the reader says what it is
    total = 0
    for part in parts:
        total += part.file_size
        ratio = part.file_size / max(part.compress_size, 1)
        if part.file_size > limits.max_unpacked or total > limits.max_unpacked:
            raise UnusableInput(
                f"文件解压后过大：{name} 中的「{part.filename}」解压后达 "
                f"{_size(max(part.file_size, total))}，超过上限 {_size(limits.max_unpacked)}，"
                "未读取。请删去空白行列和无关工作表，或拆分成几个文件后再导入。",
                file=name,
                part=part.filename,
                unpacked=part.file_size,
            )
        if part.file_size >= limits.ratio_floor and ratio > limits.max_ratio:
            raise UnusableInput(
                f"文件解压后过大：{name} 中的「{part.filename}」压缩了 {ratio:,.0f} 倍"
                f"（{_size(part.compress_size)} 解压后为 {_size(part.file_size)}），"
                "不像正常的台账，未读取。请用 Excel 打开后另存为 .xlsx 再导入。",
                file=name,
                part=part.filename,
                ratio=round(ratio),
            )


def check_csv(path: Path, limits: Limits) -> None:
    """Refuse a CSV too large, with a line too long, or with more lines than rows allowed.

    The file is streamed once in blocks; memory stays at one block.
    """
    name = path.name
    size = path.stat().st_size
    if size > limits.max_bytes:
        raise _too_large(name, size, limits)
    lines = 0
    line_length = 0  # bytes since the last line break
    # Blocks no longer than the longest line allowed: a line inside a block is always shorter.
    block_size = max(min(limits.max_line, _SCAN_BLOCK), 1)
    with path.open("rb") as handle:
        while block := handle.read(block_size):
            breaks = block.count(b"\n")
            if breaks:
                longest = line_length + block.find(b"\n")
                line_length = len(block) - block.rfind(b"\n") - 1
            else:
                longest = line_length = line_length + len(block)
            if longest > limits.max_line:
                raise UnusableInput(
                    f"文件 {name} 第 {lines + 1:,} 行超过 {_size(limits.max_line)}，"
                    "不像正常的 CSV 台账，未读取。请检查文件是否完整、分隔符和引号是否正确。",
                    file=name,
                    line=lines + 1,
                )
            lines += breaks
            # The header and a few title rows come on top of the data rows.
            if lines > limits.max_rows + 11:
                raise limits.too_many_rows(lines - 1, name)


def _too_large(name: str, size: int, limits: Limits) -> UnusableInput:
    return UnusableInput(
        f"文件 {name} 有 {_size(size)}，超过上限 {_size(limits.max_bytes)}，未读取。"
        "请拆分成几个文件后再导入。",
        file=name,
        size=size,
    )


def _size(count: int) -> str:
    if count >= 1 << 30:
        return f"{count / (1 << 30):.1f} GB"
    if count >= 1 << 20:
        return f"{count / (1 << 20):.1f} MB"
    return f"{count / 1024:.0f} KB"
