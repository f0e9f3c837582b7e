"""The template layout shared by templates and exports: title, notes, headers, column formats.

Row 1 holds the title, row 2 the notes, row 3 the catalog headers (required ones in red, with
"*" and the column's hint in a comment, so the header text stays exactly the catalog's), and
data from row 4. The reader finds the header row under the title and notes, so a file written
here reads back as it was written.
"""

import datetime as dt
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from xiezuo.core import codelists
from xiezuo.ingest.catalog import Column, Ledger

TITLE_ROW, NOTES_ROW, HEADER_ROW = 0, 1, 2  # 0-based, as xlsxwriter counts
FIRST_DATA_ROW = HEADER_ROW + 1
LAST_ROW = 1_048_575  # Excel's last row, 0-based
MAX_DATA_ROWS = LAST_ROW - HEADER_ROW
LIST_SEPARATOR = "、"
CODE_SHEET = "代码表"

# Columns kept as text so that Excel neither drops leading zeros nor turns an 18-digit number
# into 1.30723E+17.
TEXT_TYPES = frozenset(
    {"text", "code", "codes", "region", "id_number", "credit_code", "household", "households"}
)
# A drop-down source longer than this goes to the hidden code sheet (Excel refuses inline lists
# over 255 characters; long lists also read better as a range).
_INLINE_LIST_CHARS = 255
_INLINE_LIST_LABELS = 8
_MIN_WIDTH, _MAX_WIDTH = 8, 60
_LEVELS = {"county": "6位（区县）", "township": "9位（乡镇）", "village": "12位（村）"}


def notes_text(ledger: Ledger) -> str:
    return f"{ledger.notes} 带 * 的列必填（红色表头，* 见表头批注）。".strip()


def display_width(text: str) -> int:
    """Return how many character cells `text` takes in Excel (CJK characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def column_width(column: Column) -> int:
    """Return a width that fits the header (plus the drop-down arrow) and the sample."""
    wanted = max(display_width(column.header) + 3, display_width(column.sample) + 2)
    if column.type == "date":
        wanted = max(wanted, 12)
    return min(max(wanted, _MIN_WIDTH), _MAX_WIDTH)


def hint(column: Column) -> str:
    """Return what a header comment tells the official about a column."""
    parts = ["* 必填。"] if column.required else ["选填。"]
    kind = column.type
    if kind == "date":
        parts.append("日期，如 2019-03-05。")
    elif kind == "year":
        parts.append("年份，如 2019。")
    elif kind == "int":
        parts.append("整数" + _bounds(column) + "。")
    elif kind == "decimal":
        parts.append(f"数字，保留{column.places}位小数{_bounds(column)}。")
    elif kind == "bool":
        parts.append("填“是”或“否”。")
    elif kind == "code":
        parts.append(f"从下拉列表选择{codelists.title(column.codelist or '')}。")
    elif kind == "codes":
        labels = codelists.labels(column.codelist or "")
        parts.append(f"可填多个，用“、”分隔：{LIST_SEPARATOR.join(labels)}。")
    elif kind == "region":
        levels = "、".join(_LEVELS[level] for level in column.levels) or "6、9或12位"
        parts.append(f"区划代码，{levels}。")
    elif kind == "id_number":
        parts.append("18位居民身份证号码，请以文本格式填写。")
    elif kind == "credit_code":
        parts.append("18位统一社会信用代码。")
    elif kind == "household":
        parts.append("户编号，须已登记。")
    elif kind == "households":
        parts.append("户编号，多个用“、”分隔。")
    elif column.max_length:
        parts.append(f"不超过{column.max_length}字。")
    if column.note:
        parts.append(column.note)
    return "".join(parts)


def _bounds(column: Column) -> str:
    if column.min is not None and column.max is not None:
        return f"，{column.min:g}至{column.max:g}"
    if column.min is not None:
        return f"，不小于{column.min:g}"
    return ""


def drop_down(column: Column) -> list[str] | None:
    """Return the labels a column's drop-down offers (None: no drop-down)."""
    if column.type == "code":
        return list(codelists.labels(column.codelist or ""))
    if column.type == "bool":
        return list(codelists.labels("yes_no"))
    return None


def inline(labels: list[str]) -> bool:
    """Return True when a drop-down list is short enough to be written inside the rule."""
    joined = ",".join(labels)
    return (
        len(labels) <= _INLINE_LIST_LABELS
        and len(joined) <= _INLINE_LIST_CHARS
        and not any("," in label or '"' in label for label in labels)
    )


# --- cells -----------------------------------------------------------------------------------


Cell = str | int | float | dt.date | None


def cell_value(column: Column, value: Any) -> Cell:
    """Return a database value in the form the reader accepts, typed for an XLSX cell."""
    if value is None or value == "":
        return None
    kind = column.type
    if kind == "bool":
        return "是" if value else "否"
    if kind == "decimal":
        return float(Decimal(value).quantize(Decimal(1).scaleb(-column.places)))
    if kind in {"int", "year"}:
        return int(value)
    if kind == "date":
        return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))
    return str(value)


def csv_text(column: Column, value: Cell) -> str:
    """Return an XLSX cell value as CSV text (dates ISO, amounts with their places)."""
    if value is None:
        return ""
    if column.type == "decimal":
        return f"{value:.{column.places}f}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def sample_value(column: Column) -> Cell:
    """Return a column's sample typed as the cell it stands for."""
    if not column.sample:
        return None
    if column.type == "date":
        return dt.date.fromisoformat(column.sample)
    if column.type in {"int", "year"}:
        return int(column.sample)
    if column.type == "decimal":
        return float(column.sample)
    return column.sample


# --- a sheet ---------------------------------------------------------------------------------


@dataclass
class LedgerSheet:
    """An xlsxwriter worksheet laid out as a ledger template, written row by row.

    Rows go in order, so the sheet can be written in `constant_memory` mode.
    """

    workbook: Any
    ledger: Ledger
    title: str
    worksheet: Any = None
    row: int = FIRST_DATA_ROW
    _writers: list[Callable[[int, int, Cell], Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.worksheet = self.workbook.add_worksheet(self.ledger.title)
        self._formats()
        self._columns()
        self._title_notes_headers()
        self._validation()
        self.worksheet.freeze_panes(FIRST_DATA_ROW, 0)

    def write(self, values: list[Cell]) -> None:
        """Write one data row (values in catalog order) below the last."""
        for position, value in enumerate(values):
            if value is not None:
                self._writers[position](self.row, position, value)
        self.row += 1

    def _formats(self) -> None:
        add = self.workbook.add_format
        self.title_format = add({"bold": True, "font_size": 14, "align": "center"})
        self.notes_format = add(
            {"text_wrap": True, "valign": "top", "font_size": 10, "font_color": "#595959"}
        )
        header = {
            "bold": True,
            "bg_color": "#DDEBF7",
            "border": 1,
            "align": "center",
            "valign": "vcenter",
            "text_wrap": True,
        }
        self.header_format = add(header)
        self.required_format = add({**header, "font_color": "#C00000"})
        self.text_format = add({"num_format": "@"})
        self.date_format = add({"num_format": "yyyy-mm-dd"})
        self.whole_format = add({"num_format": "0"})
        self.decimal_formats = {
            places: add({"num_format": "0." + "0" * places if places else "0"})
            for places in {c.places for c in self.ledger.columns}
        }

    def _columns(self) -> None:
        ws = self.worksheet
        for position, column in enumerate(self.ledger.columns):
            kind = column.type
            if kind in TEXT_TYPES or kind == "bool":
                fmt = self.text_format
                writer = _with(ws.write_string, fmt)
            elif kind == "date":
                fmt = self.date_format
                writer = _with(ws.write_datetime, fmt)
            elif kind == "decimal":
                fmt = self.decimal_formats[column.places]
                writer = _with(ws.write_number, fmt)
            else:
                fmt = self.whole_format
                writer = _with(ws.write_number, fmt)
            ws.set_column(position, position, column_width(column), fmt)
            self._writers.append(writer)

    def _title_notes_headers(self) -> None:
        ws, last = self.worksheet, len(self.ledger.columns) - 1
        title = self.title
        notes = notes_text(self.ledger)
        if last:
            ws.merge_range(TITLE_ROW, 0, TITLE_ROW, last, title, self.title_format)
            ws.merge_range(NOTES_ROW, 0, NOTES_ROW, last, notes, self.notes_format)
        else:
            ws.write_string(TITLE_ROW, 0, title, self.title_format)
            ws.write_string(NOTES_ROW, 0, notes, self.notes_format)
        ws.set_row(TITLE_ROW, 24)
        # Excel does not fit the height of merged cells: estimate the wrapped lines.
        line = max(sum(column_width(c) for c in self.ledger.columns) - 2, 20)
        ws.set_row(NOTES_ROW, 14 * (-(-display_width(notes) // line) + 1))
        ws.set_row(HEADER_ROW, 30)
        for position, column in enumerate(self.ledger.columns):
            fmt = self.required_format if column.required else self.header_format
            ws.write_string(HEADER_ROW, position, column.header, fmt)
            ws.write_comment(HEADER_ROW, position, hint(column), {"x_scale": 2, "y_scale": 1.5})

    def _validation(self) -> None:
        ranges = self._code_sheet()
        for position, column in enumerate(self.ledger.columns):
            labels = drop_down(column)
            if labels is None:
                if column.type == "codes":
                    self.worksheet.data_validation(
                        FIRST_DATA_ROW,
                        position,
                        LAST_ROW,
                        position,
                        {
                            "validate": "any",
                            "input_title": column.header[:32],
                            "input_message": hint(column)[:255],
                        },
                    )
                continue
            title = codelists.title(column.codelist or "yes_no")
            self.worksheet.data_validation(
                FIRST_DATA_ROW,
                position,
                LAST_ROW,
                position,
                {
                    "validate": "list",
                    "source": labels if inline(labels) else ranges[column.codelist or ""],
                    "error_title": column.header[:32],
                    "error_message": f"请从下拉列表中选择{title}。",
                },
            )

    def _code_sheet(self) -> dict[str, str]:
        """Write the long drop-down lists to a hidden sheet; return each list's range."""
        lists: dict[str, list[str]] = {}
        for column in self.ledger.columns:
            labels = drop_down(column)
            if labels is not None and not inline(labels):
                lists.setdefault(column.codelist or "", labels)
        if not lists:
            return {}
        sheet = self.workbook.add_worksheet(CODE_SHEET)
        sheet.hide()
        columns = [[codelists.title(name), *labels] for name, labels in lists.items()]
        # Row by row, as constant_memory mode wants.
        for row in range(max(len(cells) for cells in columns)):
            for col, cells in enumerate(columns):
                if row < len(cells):
                    sheet.write_string(row, col, cells[row])
        for col, cells in enumerate(columns):
            sheet.set_column(col, col, max(display_width(text) for text in cells) + 2)
        return {
            name: f"='{CODE_SHEET}'!${_letters(col)}$2:${_letters(col)}${len(labels) + 1}"
            for col, (name, labels) in enumerate(lists.items())
        }


def _with(write: Callable[..., Any], fmt: Any) -> Callable[[int, int, Cell], Any]:
    def writer(row: int, col: int, value: Cell) -> Any:
        return write(row, col, value, fmt)

    return writer


def _letters(number: int) -> str:
    letters = ""
    number += 1
    while number:
        number, remainder = divmod(number - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters
