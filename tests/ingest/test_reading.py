"""Reading ledger files: where the header is, what it may be called, and what cannot be read."""

import polars as pl
import pytest

from tests.ingest.conftest import (
    HOUSEHOLD_HEADERS,
    MEMBER_HEADERS,
    household_row,
    member_row,
    write_csv,
    write_xlsx,
)
from xiezuo.ingest.catalog import ledger
from xiezuo.ingest.errors import UnusableInput
from xiezuo.ingest.reading import ROW, open_table, read_table

MEMBERS = ledger("members")
HOUSEHOLDS = ledger("households")


def test_the_header_is_found_under_a_title_and_a_notes_row(tmp_path):
    """Rows are numbered as Excel shows them: header on row 3, first record on row 4."""
    path = write_xlsx(
        tmp_path / "m.xlsx",
        [MEMBER_HEADERS, member_row("H1", 1), member_row("H1", 2)],
        title="家庭成员台账",
        notes="说明：证件号码以文本保存",
    )
    table = read_table(path, MEMBERS)
    assert table.header_row == 3
    assert table.frame.get_column(ROW).to_list() == [4, 5]
    assert table.frame.get_column("户编号").to_list() == ["H1", "H1"]


def test_headers_match_through_aliases_spaces_and_full_width_brackets(tmp_path):
    headers = list(MEMBER_HEADERS)
    headers[headers.index("证件号码")] = " 身份证号码 "
    path = write_xlsx(tmp_path / "m.xlsx", [headers, member_row("H1", 1)])
    assert "证件号码" in read_table(path, MEMBERS).headers

    income = list(ledger("incomes").headers)
    income[2] = "工资性收入（元）"
    path = write_xlsx(tmp_path / "i.xlsx", [income, ["H1", "2019", "1", "1", "1", "1", "1"]])
    assert "工资性收入(元)" in read_table(path, ledger("incomes")).headers


def test_extra_columns_are_ignored_with_a_notice(tmp_path):
    path = write_xlsx(
        tmp_path / "m.xlsx", [[*MEMBER_HEADERS, "备注"], [*member_row("H1", 1), "无"]]
    )
    table = read_table(path, MEMBERS)
    assert "备注" not in table.frame.columns
    assert any("备注" in notice for notice in table.notices)


def test_an_optional_column_may_be_left_out(tmp_path):
    headers = [h for h in MEMBER_HEADERS if h != "务工状况"]
    row = member_row("H1", 1)[: len(headers)]
    table = read_table(write_xlsx(tmp_path / "m.xlsx", [headers, row]), MEMBERS)
    assert table.absent == ("务工状况",)


def test_blank_rows_are_skipped_but_numbering_keeps_them(tmp_path):
    path = write_xlsx(
        tmp_path / "m.xlsx", [MEMBER_HEADERS, member_row("H1", 1), [], member_row("H1", 2)]
    )
    assert read_table(path, MEMBERS).frame.get_column(ROW).to_list() == [2, 4]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_in_gb18030(tmp_path, encoding):
    path = write_csv(
        tmp_path / "h.csv",
        [HOUSEHOLD_HEADERS, household_row(1)],
        encoding=encoding,
        title="贫困户台账",
    )
    table = read_table(path, HOUSEHOLDS)
    assert table.header_row == 2
    assert table.frame.get_column("户主姓名").to_list() == ["户主1"]
    assert table.frame.get_column(ROW).to_list() == [3]


def test_a_named_sheet_is_read(tmp_path):
    path = write_xlsx(
        tmp_path / "m.xlsx", [MEMBER_HEADERS, member_row("H1", 1)], sheet="成员", before=["封面"]
    )
    assert read_table(path, MEMBERS, sheet="成员").sheet == "成员"


def test_the_first_sheet_is_read_and_a_wrong_one_says_which_exist(tmp_path):
    path = write_xlsx(
        tmp_path / "m.xlsx", [MEMBER_HEADERS, member_row("H1", 1)], sheet="成员", before=["封面"]
    )
    with pytest.raises(UnusableInput, match="--sheet 指定：成员"):
        read_table(path, MEMBERS)
    with pytest.raises(UnusableInput, match="没有名为「人员」的工作表"):
        read_table(path, MEMBERS, sheet="人员")


def test_a_number_cell_keeps_what_excel_stored(tmp_path):
    """An ID number Excel turned into a number arrives as the digits it kept."""
    row = member_row("H1", 1)
    row[2] = 130723196503010012
    table = read_table(write_xlsx(tmp_path / "m.xlsx", [MEMBER_HEADERS, row]), MEMBERS)
    assert table.frame.get_column("证件号码").to_list() == ["130723196503010000"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "是空的"),
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "PDF"),
        (b"\x00\x01\x02\x03binary\x00", "不是电子表格"),
        (b"PK\x03\x04not really a zip", "不是可读取的 Excel"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600, "不是可读取的 Excel"),
        ("随便写的一段话\n没有表头\n".encode(), "找不到「家庭成员」台账的表头"),
    ],
)
def test_unusable_files_raise_a_typed_error_in_chinese(tmp_path, content, message):
    path = tmp_path / "台账.xlsx"
    path.write_bytes(content)
    with pytest.raises(UnusableInput, match=message):
        read_table(path, MEMBERS)


def test_a_missing_required_column_names_it(tmp_path):
    headers = [h for h in MEMBER_HEADERS if h != "出生日期"]
    path = write_xlsx(tmp_path / "m.xlsx", [headers, ["H1"] * len(headers)])
    with pytest.raises(UnusableInput, match="缺少必需的列：出生日期") as raised:
        read_table(path, MEMBERS)
    assert raised.value.extra["missing"] == ["出生日期"]


def test_a_merged_header_is_refused(tmp_path):
    def merge(workbook, sheet):
        sheet.merge_range(2, 0, 2, 1, "户编号")

    path = write_xlsx(
        tmp_path / "m.xlsx",
        [MEMBER_HEADERS, member_row("H1", 1)],
        title="家庭成员台账",
        notes="说明",
        formats=merge,
    )
    with pytest.raises(UnusableInput, match="合并单元格 A3:B3"):
        read_table(path, MEMBERS)


def test_a_merged_title_above_the_header_is_fine(tmp_path):
    def merge(workbook, sheet):
        sheet.merge_range(0, 0, 0, 8, "家庭成员台账")

    path = write_xlsx(
        tmp_path / "m.xlsx", [MEMBER_HEADERS, member_row("H1", 1)], title="家庭成员台账",
        formats=merge,
    )  # fmt: skip
    assert read_table(path, MEMBERS).header_row == 2


def test_formula_cells_are_reported_with_their_formula(tmp_path):
    row = member_row("H1", 1)
    row[1] = '=CONCATENATE("张","三")'
    table = read_table(write_xlsx(tmp_path / "m.xlsx", [MEMBER_HEADERS, row]), MEMBERS)
    (error,) = table.cell_errors
    assert (error.row, error.column) == (2, "姓名")
    assert error.value.startswith("=CONCATENATE")
    assert "公式" in error.message


def test_merged_data_cells_are_reported_on_the_covered_rows(tmp_path):
    def merge(workbook, sheet):
        sheet.merge_range(1, 0, 2, 0, "H1")

    rows = [MEMBER_HEADERS, member_row("H1", 1), member_row("H1", 2)]
    table = read_table(write_xlsx(tmp_path / "m.xlsx", rows, formats=merge), MEMBERS)
    assert [(e.row, e.column) for e in table.cell_errors] == [(3, "户编号")]


def test_a_sheet_read_in_chunks_gives_every_row_once_in_order(tmp_path):
    """Chunks are cut between rows however long the rows are: none lost, none repeated."""
    rows = [
        household_row(n, **({"户主姓名": "长" * (1 + 300 * (n % 7 == 0))} if n % 3 else {}))
        for n in range(1, 101)
    ]
    path = write_xlsx(tmp_path / "h.xlsx", [HOUSEHOLD_HEADERS, *rows], title="贫困户台账")
    whole = read_table(path, ledger("households"))
    with open_table(path, ledger("households"), chunk_rows=11) as stream:
        chunks = [table.frame for table in stream]
    assert len(chunks) > 5
    assert pl.concat(chunks).equals(whole.frame)
    assert whole.frame.get_column(ROW).to_list() == list(range(3, 103))
