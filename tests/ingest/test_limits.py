"""Files that try to hurt: zip bombs, huge CSV lines, too many rows — refused before reading."""

import zipfile

import pytest

from tests.ingest.conftest import (
    HOUSEHOLD_HEADERS,
    MEMBER_HEADERS,
    household_row,
    member_row,
    snapshot,
    write_csv,
    write_xlsx,
)
from xiezuo.ingest.catalog import ledger
from xiezuo.ingest.errors import UnusableInput
from xiezuo.ingest.limits import Limits
from xiezuo.ingest.models import Batch

HH = "13072310020100001"


def bomb(path, unpacked_bytes):
    """Write a small valid XLSX, then pad its sheet with one highly compressible cell."""
    write_xlsx(path, [MEMBER_HEADERS, member_row(HH, 1)])
    with zipfile.ZipFile(path) as archive:
        parts = {info.filename: archive.read(info) for info in archive.infolist()}
    sheet = "xl/worksheets/sheet1.xml"
    xml = parts[sheet]
    cell = (
        b'<row r="9"><c r="A9" t="inlineStr"><is><t>'
        + b"A" * unpacked_bytes
        + b"</t></is></c></row>"
    )
    parts[sheet] = xml.replace(b"</sheetData>", cell + b"</sheetData>")
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return path


def test_a_sheet_unpacking_over_the_limit_is_refused_unread(settings, run_import, tmp_path):
    settings.IMPORT_MAX_UNPACKED_BYTES = 1 << 20
    path = bomb(tmp_path / "m.xlsx", 2 << 20)
    assert path.stat().st_size < 100_000
    with pytest.raises(UnusableInput, match="文件解压后过大") as raised:
        run_import("members", path)
    assert "sheet1.xml" in raised.value.message
    assert not Batch.objects.exists()


def test_a_part_compressed_suspiciously_much_is_refused(settings, run_import, tmp_path):
    settings.IMPORT_RATIO_FLOOR_BYTES = 1 << 20
    path = bomb(tmp_path / "m.xlsx", 4 << 20)
    with pytest.raises(UnusableInput, match=r"文件解压后过大.*压缩了"):
        run_import("members", path)


def test_an_ordinary_workbook_passes_the_zip_checks(settings, run_import, tmp_path):
    settings.IMPORT_RATIO_FLOOR_BYTES = 1024
    run_import("households", write_xlsx(tmp_path / "h.xlsx", [HOUSEHOLD_HEADERS, household_row(1)]))
    path = write_xlsx(
        tmp_path / "m.xlsx", [MEMBER_HEADERS] + [member_row(HH, n) for n in range(1, 50)]
    )
    assert run_import("members", path).inserted == 49


def test_more_rows_than_allowed_are_refused_while_streaming(settings, run_import, tmp_path):
    """The cap holds in the middle of a chunked read, and nothing already streamed stays."""
    settings.IMPORT_MAX_ROWS = 30
    settings.IMPORT_CHUNK_ROWS = 12
    rows = [HOUSEHOLD_HEADERS] + [household_row(n) for n in range(1, 61)]
    before = snapshot()
    with pytest.raises(UnusableInput, match="行数超过上限"):
        run_import("households", write_xlsx(tmp_path / "h.xlsx", rows))
    assert snapshot() == before


def test_the_csv_row_cap_counts_lines(settings, run_import, tmp_path):
    settings.IMPORT_MAX_ROWS = 5
    rows = [HOUSEHOLD_HEADERS] + [household_row(n) for n in range(1, 30)]
    with pytest.raises(UnusableInput, match="行数超过上限"):
        run_import("households", write_csv(tmp_path / "h.csv", rows))


def test_a_ledger_caps_its_own_rows_below_the_setting(settings):
    settings.IMPORT_MAX_ROWS = 1_048_576
    assert Limits.for_ledger(ledger("visits")).max_rows == 100_000
    assert Limits.for_ledger(ledger("members")).max_rows == 1_048_576
    settings.IMPORT_MAX_ROWS = 50
    assert Limits.for_ledger(ledger("visits")).max_rows == 50


def test_a_csv_with_a_huge_line_is_refused(settings, run_import, tmp_path):
    settings.IMPORT_MAX_LINE_BYTES = 4096
    path = tmp_path / "h.csv"
    path.write_bytes(",".join(HOUSEHOLD_HEADERS).encode() + b"\n" + b"x" * 100_000)
    with pytest.raises(UnusableInput, match="超过 4 KB"):
        run_import("households", path)


def test_a_csv_over_the_byte_cap_is_refused(settings, run_import, tmp_path):
    settings.IMPORT_MAX_BYTES = 1000
    rows = [HOUSEHOLD_HEADERS] + [household_row(n) for n in range(1, 30)]
    with pytest.raises(UnusableInput, match="超过上限"):
        run_import("households", write_csv(tmp_path / "h.csv", rows))


# --- chunks ----------------------------------------------------------------------------------


def test_a_file_read_in_chunks_loads_every_row(settings, run_import, tmp_path):
    settings.IMPORT_CHUNK_ROWS = 11
    rows = [HOUSEHOLD_HEADERS] + [household_row(n) for n in range(1, 41)]
    report = run_import("households", write_xlsx(tmp_path / "h.xlsx", rows, title="贫困户台账"))
    assert (report.inserted, report.errors) == (40, [])
    again = run_import("households", write_csv(tmp_path / "h.csv", rows))
    assert (again.unchanged, again.errors) == (40, [])


def test_a_key_repeated_in_a_later_chunk_is_a_duplicate(settings, run_import, tmp_path):
    settings.IMPORT_CHUNK_ROWS = 11
    rows = [HOUSEHOLD_HEADERS] + [household_row(n) for n in range(1, 31)] + [household_row(3)]
    before = snapshot()
    report = run_import("households", write_xlsx(tmp_path / "h.xlsx", rows))
    assert [(e.row, e.column) for e in report.errors] == [(32, "户编号")]
    assert "与第 4 行重复" in report.errors[0].message
    assert snapshot() == before


def test_an_error_in_the_last_chunk_takes_back_the_chunks_written(settings, run_import, tmp_path):
    """Earlier chunks were written into the open transaction; the error rolls them back."""
    settings.IMPORT_CHUNK_ROWS = 11
    rows = [HOUSEHOLD_HEADERS] + [household_row(n) for n in range(1, 40)]
    rows.append(household_row(40, 识别年度="去年"))
    before = snapshot()
    report = run_import("households", write_xlsx(tmp_path / "h.xlsx", rows))
    assert [(e.row, e.column) for e in report.errors] == [(41, "识别年度")]
    assert report.status == Batch.Status.FAILED
    assert (report.valid, report.inserted) == (39, 0)
    assert snapshot() == before


def test_households_named_in_several_chunks_are_known_or_unknown_in_each(
    settings, run_import, tmp_path
):
    """A household looked up for one chunk is found (or not) the same way in later chunks."""
    settings.IMPORT_CHUNK_ROWS = 11
    households = [HOUSEHOLD_HEADERS] + [household_row(n) for n in (1, 2)]
    assert not run_import("households", write_xlsx(tmp_path / "h.xlsx", households)).errors
    registered = [household_row(n)[0] for n in (1, 2)]
    unknown = "130723100201099999"
    numbers = [registered[n % 2] if n % 10 else unknown for n in range(1, 41)]
    rows = [MEMBER_HEADERS] + [member_row(no, n) for n, no in enumerate(numbers, start=1)]
    report = run_import("members", write_xlsx(tmp_path / "m.xlsx", rows, title="家庭成员"))
    assert [(e.row, e.column) for e in report.errors] == [
        (2 + n, "户编号")
        for n in (10, 20, 30, 40)  # a title, then the header
    ]
    fixed = [MEMBER_HEADERS] + [member_row(registered[n % 2], n) for n in range(1, 41)]
    loaded = run_import("members", write_xlsx(tmp_path / "m2.xlsx", fixed, title="家庭成员"))
    assert (loaded.inserted, loaded.errors) == (40, [])
