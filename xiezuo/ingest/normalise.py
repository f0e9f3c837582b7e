"""Normalisers: turn what officials' spreadsheets hold into values, column by column.

Every function here is pure. The `*_expr` functions take a Polars expression over text cells
and return an expression (null where the cell cannot be read; the validator then says why).
The plain functions do the same for one cell and are the reference the property tests hold
the expressions to. Only what is unambiguous is repaired: full-width digits and letters,
surrounding spaces, thousands separators, Excel date serials and the common ways of writing a
date; anything else stays unreadable.
"""

import re
from datetime import date, timedelta

import polars as pl

__all__ = [
    "BOOL_FALSE",
    "BOOL_TRUE",
    "LIST_SEPARATORS",
    "bool_expr",
    "bool_value",
    "clean_expr",
    "clean_text",
    "code_expr",
    "code_text",
    "date_expr",
    "date_value",
    "escape_text",
    "half_width",
    "int_expr",
    "int_value",
    "list_expr",
    "list_value",
    "number_expr",
    "number_value",
    "region_expr",
    "region_text",
    "unescape_expr",
    "unescape_text",
    "year_expr",
    "year_value",
]

# Full-width ASCII (U+FF01–U+FF5E) and the ideographic space, as input methods type them.
_FULL = [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000"]
_HALF = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)] + [" "]
_HALF_TABLE = str.maketrans(dict(zip(_FULL, _HALF, strict=True)))
# Left behind by copying from web pages and Word; `strip` keeps them.
_INVISIBLE = "[\u200b\u200c\u200d\u2060\ufeff]"
_INVISIBLE_RE = re.compile(_INVISIBLE)

BOOL_TRUE = frozenset({"是", "Y", "YES", "TRUE", "√"})
BOOL_FALSE = frozenset({"否", "N", "NO", "FALSE", "×"})
# A CSV export writes a cell that a spreadsheet would run as a formula with a leading ' (the
# OWASP advice against CSV injection); reading strips it again. A cell that already began with
# quotes before such a character gets one more, so the escape always reverses exactly.
FORMULA_TRIGGERS = "=+-@\t\r"
ESCAPE = "'"
NEEDS_ESCAPE = re.compile("^'*[=+\\-@\t\r]")
_ESCAPED = "^'('*[=+\\-@\t\r])"
_ESCAPED_RE = re.compile(_ESCAPED)
_PLAIN_NUMBER_RE = re.compile(r"[+-]?\d+(?:\.\d+)?")
# Separators of a list inside one cell (after half-width: ，→, and ；→;).
LIST_SEPARATORS = "、,;"

# Excel's 1900 date system: serial 1 is 1900-01-01 and serial 60 the 29 February 1900 that
# never was (Lotus's bug, kept by Excel); from 61 on, day n is 1899-12-30 + n.
_EXCEL_EPOCH = date(1899, 12, 30)
_LARGEST_SERIAL = 2_958_465  # 9999-12-31

_NUMBER = r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?"
_NUMBER_RE = re.compile(_NUMBER)
_WHOLE = r"[+-]?\d+(?:\.0*)?"
_WHOLE_RE = re.compile(_WHOLE)
_TIME_SUFFIX = r"[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$"
_TIME_SUFFIX_RE = re.compile(_TIME_SUFFIX)
_SERIAL = r"\d{1,7}(?:\.0*)?"
_SERIAL_RE = re.compile(_SERIAL)
_YMD = r"(\d{4})-(\d{1,2})-(\d{1,2})"
_YMD_RE = re.compile(_YMD)
_COMPACT_DATE = r"(\d{4})(\d{2})(\d{2})"
_COMPACT_DATE_RE = re.compile(_COMPACT_DATE)
_REGION = r"\d+(?:\.0*)?"
_REGION_RE = re.compile(_REGION)


# --- one cell ------------------------------------------------------------------------------


def half_width(text: str) -> str:
    """Return `text` with full-width ASCII characters and the ideographic space made ASCII."""
    return text.translate(_HALF_TABLE)


def clean_text(text: str | None) -> str | None:
    """Return the cell without invisible characters and surrounding spaces; None when empty."""
    if text is None:
        return None
    text = _INVISIBLE_RE.sub("", text).strip()
    return text or None


def code_text(text: str | None) -> str | None:
    """Return a code-list label as typed, made comparable: half-width, no spaces at all."""
    text = clean_text(text)
    if text is None:
        return None
    return "".join(half_width(text).split()) or None


def number_value(text: str | None) -> float | None:
    """Return the number a cell holds ("1,234.50", " 12 ", "１２"); None when it holds none."""
    text = code_text(text)
    if text is None:
        return None
    text = text.replace(",", "")
    if not _NUMBER_RE.fullmatch(text):
        return None
    return float(text)


def int_value(text: str | None) -> int | None:
    """Return the whole number a cell holds ("12", "12.0", "1,200"); None otherwise."""
    text = code_text(text)
    if text is None:
        return None
    text = text.replace(",", "")
    if not _WHOLE_RE.fullmatch(text):
        return None
    return int(text.split(".")[0])


def year_value(text: str | None) -> int | None:
    """Return the year a cell holds ("2019", "2019年", "2019.0"); None otherwise."""
    text = code_text(text)
    if text is None:
        return None
    return int_value(text.removesuffix("年"))


def date_value(text: str | None) -> date | None:
    """Return the date a cell holds; None when it holds none.

    Accepted: an Excel serial (1900 system), 2019-3-5, 2019/03/05, 2019.3.5, 2019年3月5日,
    20190305, each optionally followed by a time of day (which is dropped).
    """
    text = clean_text(text)
    if text is None:
        return None
    text = _TIME_SUFFIX_RE.sub("", half_width(text))
    text = "".join(text.split())
    if _SERIAL_RE.fullmatch(text):
        return _from_serial(int(text.split(".")[0]))
    if match := _COMPACT_DATE_RE.fullmatch(text):
        return _date_or_none(*match.groups())
    text = _unify_date_separators(text)
    if match := _YMD_RE.fullmatch(text):
        return _date_or_none(*match.groups())
    return None


def bool_value(text: str | None) -> bool | None:
    """Return True for 是/Y/yes/true, False for 否/N/no/false; None for anything else."""
    text = code_text(text)
    if text is None:
        return None
    text = text.upper()
    if text in BOOL_TRUE:
        return True
    if text in BOOL_FALSE:
        return False
    return None


def list_value(text: str | None) -> list[str]:
    """Return the items of a list cell, split on 、，,；; and stripped; empty items dropped."""
    text = clean_text(text)
    if text is None:
        return []
    text = half_width(text)
    for separator in LIST_SEPARATORS[1:]:
        text = text.replace(separator, LIST_SEPARATORS[0])
    return [item for part in text.split(LIST_SEPARATORS[0]) if (item := "".join(part.split()))]


def region_text(text: str | None) -> str | None:
    """Return a region code as digits ("130723", "130723.0" from a number cell); else as typed."""
    text = code_text(text)
    if text is None:
        return None
    if _REGION_RE.fullmatch(text):
        return text.split(".")[0]
    return text


def escape_text(text: str) -> str:
    """Return a cell as a CSV export writes it: a leading ' before a formula character.

    A plain number (-5, +3.20) is left alone: a spreadsheet reads it as the number it is.
    """
    if NEEDS_ESCAPE.match(text) and not _PLAIN_NUMBER_RE.fullmatch(text):
        return ESCAPE + text
    return text


def unescape_text(text: str | None) -> str | None:
    """Return a cell without the ' an export put before a formula character ('=1+1 → =1+1)."""
    if text is None:
        return None
    return _ESCAPED_RE.sub(r"\1", text, count=1)


def _from_serial(serial: int) -> date | None:
    if serial < 1 or serial == 60 or serial > _LARGEST_SERIAL:
        return None
    if serial < 60:
        return date(1899, 12, 31) + timedelta(days=serial)
    return _EXCEL_EPOCH + timedelta(days=serial)


def _date_or_none(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year), int(month), int(day))
    except ValueError:
        return None


def _unify_date_separators(text: str) -> str:
    text = text.replace("年", "-").replace("月", "-").removesuffix("日").removesuffix("号")
    return text.replace("/", "-").replace(".", "-")


# --- a column ------------------------------------------------------------------------------


def unescape_expr(expr: pl.Expr) -> pl.Expr:
    """`unescape_text` for a column."""
    return expr.str.replace(_ESCAPED, "${1}")


def clean_expr(expr: pl.Expr) -> pl.Expr:
    """`clean_text` for a column."""
    text = expr.str.replace_all(_INVISIBLE, "").str.strip_chars()
    return pl.when(text.str.len_bytes() > 0).then(text)


def code_expr(expr: pl.Expr) -> pl.Expr:
    """`code_text` for a column."""
    text = expr.str.replace_many(_FULL, _HALF).str.replace_all(r"\s+|" + _INVISIBLE, "")
    return pl.when(text.str.len_bytes() > 0).then(text)


def number_expr(expr: pl.Expr) -> pl.Expr:
    """`number_value` for a column (Float64)."""
    text = code_expr(expr).str.replace_all(",", "", literal=True)
    return pl.when(text.str.contains(f"^{_NUMBER}$")).then(text).cast(pl.Float64, strict=False)


def int_expr(expr: pl.Expr) -> pl.Expr:
    """`int_value` for a column (Int64)."""
    text = code_expr(expr).str.replace_all(",", "", literal=True)
    whole = text.str.replace(r"\.0*$", "")
    return pl.when(text.str.contains(f"^{_WHOLE}$")).then(whole).cast(pl.Int64, strict=False)


def year_expr(expr: pl.Expr) -> pl.Expr:
    """`year_value` for a column (Int64)."""
    return int_expr(code_expr(expr).str.strip_suffix("年"))


def date_expr(expr: pl.Expr) -> pl.Expr:
    """`date_value` for a column (Date)."""
    text = (
        clean_expr(expr)
        .str.replace_many(_FULL, _HALF)
        .str.replace(_TIME_SUFFIX, "")
        .str.replace_all(r"\s+", "")
    )
    serial = (
        pl.when(text.str.contains(f"^{_SERIAL}$"))
        .then(text.str.replace(r"\.0*$", ""))
        .cast(pl.Int64, strict=False)
    )
    from_serial = (
        pl.when((serial >= 61) & (serial <= _LARGEST_SERIAL))
        .then(pl.lit(_EXCEL_EPOCH) + pl.duration(days=serial))
        .when((serial >= 1) & (serial < 60))
        .then(pl.lit(date(1899, 12, 31)) + pl.duration(days=serial))
    )
    unified = (
        text.str.replace("年", "-", literal=True)
        .str.replace("月", "-", literal=True)
        .str.strip_suffix("日")
        .str.strip_suffix("号")
        .str.replace_all("[/.]", "-")
    )
    separated = unified.str.extract_groups(f"^{_YMD}$")
    compact = text.str.extract_groups(f"^{_COMPACT_DATE}$")
    parts = [
        pl.coalesce(compact.struct.field("1"), separated.struct.field("1")),
        pl.coalesce(compact.struct.field("2"), separated.struct.field("2")).str.zfill(2),
        pl.coalesce(compact.struct.field("3"), separated.struct.field("3")).str.zfill(2),
    ]
    from_text = pl.concat_str(parts, separator="-").str.to_date("%Y-%m-%d", strict=False)
    return pl.coalesce(from_serial.cast(pl.Date), from_text)


def bool_expr(expr: pl.Expr) -> pl.Expr:
    """`bool_value` for a column (Boolean)."""
    text = code_expr(expr).str.to_uppercase()
    return (
        pl.when(text.is_in(list(BOOL_TRUE)))
        .then(pl.lit(True))
        .when(text.is_in(list(BOOL_FALSE)))
        .then(pl.lit(False))
    )


def list_expr(expr: pl.Expr) -> pl.Expr:
    """`list_value` for a column (List of String; empty list for an empty cell)."""
    text = clean_expr(expr).str.replace_many(_FULL, _HALF).str.replace_all("[,;]", "、")
    items = (
        text.str.split("、")
        .list.eval(pl.element().str.replace_all(r"\s+", ""))
        .list.eval(pl.element().filter(pl.element().str.len_bytes() > 0))
    )
    return items.fill_null(pl.lit([], dtype=pl.List(pl.String)))


def region_expr(expr: pl.Expr) -> pl.Expr:
    """`region_text` for a column."""
    text = code_expr(expr)
    return (
        pl.when(text.str.contains(f"^{_REGION}$"))
        .then(text.str.replace(r"\.0*$", ""))
        .otherwise(text)
    )
