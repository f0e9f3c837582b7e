"""The normalisers: what officials type becomes values; the column-wise versions agree with the
one-cell reference."""

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from xiezuo.ingest import normalise as n

FULL_WIDTH_DIGITS = str.maketrans("0123456789", "０１２３４５６７８９")
# Cells as spreadsheets hold them: digits, separators, CJK date words, spaces, full-width forms.
CELL_ALPHABET = "0123456789０１２３４５６７８９.,-/ 年月日号eE+是否YNyn、，;；因病缺水\u3000\t'=@\r"
cells = st.one_of(st.none(), st.text(alphabet=CELL_ALPHABET, max_size=14))
dates = st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 12, 31))


def column(expr_function, values):
    frame = pl.DataFrame({"cell": values}, schema={"cell": pl.String})
    return frame.select(expr_function(pl.col("cell")).alias("out")).get_column("out").to_list()


@pytest.mark.parametrize(
    "text",
    ["2019-3-5", "2019/03/05", "2019.3.5", "2019年3月5日", "20190305", "43529", "43529.0",
     "2019-03-05 00:00:00", "２０１９－３－５", " 2019-3-5 "],
)  # fmt: skip
def test_every_common_way_of_writing_a_date_is_read(text):
    """Serials, dashes, slashes, dots, 年月日, compact and full-width forms all give the date."""
    assert n.date_value(text) == dt.date(2019, 3, 5)
    assert column(n.date_expr, [text]) == [dt.date(2019, 3, 5)]


@pytest.mark.parametrize("text", ["2019-02-30", "2019-13-01", "60", "0", "3/5/2019", "昨天"])
def test_a_cell_that_is_not_a_date_is_left_unread(text):
    """Impossible dates, Excel's 29 February 1900 and ambiguous orders give nothing."""
    assert n.date_value(text) is None
    assert column(n.date_expr, [text]) == [None]


@given(dates, st.sampled_from(["{y}-{m}-{d}", "{y}/{m:02d}/{d:02d}", "{y}.{m}.{d}",
                               "{y}年{m}月{d}日", "{y}{m:02d}{d:02d}", "serial"]))  # fmt: skip
def test_a_written_date_reads_back_as_itself(day, pattern):
    """Whatever the spelling, the date written is the date read."""
    if pattern == "serial":
        text = str((day - dt.date(1899, 12, 30)).days)
    else:
        text = pattern.format(y=day.year, m=day.month, d=day.day)
    assert n.date_value(text) == day


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False), st.booleans(),
       st.booleans())  # fmt: skip
def test_a_number_stored_as_text_reads_as_its_value(value, grouped, full_width):
    """Thousands separators, surrounding spaces and full-width digits do not change a number."""
    text = f"{value:,.2f}" if grouped else f"{value:.2f}"
    if full_width:
        text = text.translate(FULL_WIDTH_DIGITS)
    assert n.number_value(f" {text} ") == pytest.approx(float(value))


@given(st.integers(min_value=1949, max_value=2100), st.sampled_from(["{}", "{}年", "{}.0", " {} "]))
def test_a_year_reads_in_every_spelling(year, pattern):
    assert n.year_value(pattern.format(year)) == year


@given(st.lists(st.sampled_from(["因病", "因残", "缺水", "缺技术"]), min_size=1, max_size=4),
       st.sampled_from(["、", "，", ",", "；", ";", " 、 "]))  # fmt: skip
def test_a_list_cell_splits_on_every_separator(items, separator):
    assert n.list_value(separator.join(items)) == items


@pytest.mark.parametrize(
    ("text", "value"),
    [("是", True), ("否", False), ("Y", True), ("n", False), ("TRUE", True), ("可能", None)],
)
def test_yes_and_no(text, value):
    assert n.bool_value(text) is value if value is not None else n.bool_value(text) is None


@settings(max_examples=300, deadline=None)  # Polars' first calls are slow on a busy machine
@given(st.lists(cells, max_size=20))
def test_the_column_normalisers_agree_with_the_cell_ones(values):
    """Every expression gives, cell by cell, what its one-cell reference gives."""
    for expression, reference in [
        (n.number_expr, n.number_value),
        (n.int_expr, n.int_value),
        (n.year_expr, n.year_value),
        (n.date_expr, n.date_value),
        (n.bool_expr, n.bool_value),
        (n.code_expr, n.code_text),
        (n.region_expr, n.region_text),
        (n.list_expr, n.list_value),
        (n.unescape_expr, n.unescape_text),
    ]:
        assert column(expression, values) == [reference(v) for v in values], expression.__name__


@given(cells)
def test_normalising_twice_changes_nothing(value):
    """Normalised text is a fixed point: a second pass leaves it alone."""
    once = n.code_text(value)
    assert n.code_text(once) == once
    assert n.region_text(n.region_text(value)) == n.region_text(value)


@given(st.text(alphabet="'=+-@\t\r a1.", max_size=8))
def test_an_escaped_cell_unescapes_to_itself(text):
    """What a CSV export escapes, the importer gives back exactly; nothing else is touched."""
    escaped = n.escape_text(text)
    assert n.unescape_text(escaped) == text
    assert column(n.unescape_expr, [escaped]) == [text]


@pytest.mark.parametrize(
    ("text", "written"),
    [("=1+1", "'=1+1"), ("+86 10", "'+86 10"), ("-x", "'-x"), ("@SUM(A1)", "'@SUM(A1)"),
     ("\tcmd", "'\tcmd"), ("\r=x", "'\r=x"), ("'=x", "''=x"), ("-5", "-5"), ("+3.20", "+3.20"),
     ("张三", "张三"), ("'abc", "'abc")],
)  # fmt: skip
def test_a_cell_a_spreadsheet_would_run_is_escaped(text, written):
    """Cells beginning with = + - @, tab or CR get a leading ' (OWASP); plain numbers do not."""
    assert n.escape_text(text) == written
