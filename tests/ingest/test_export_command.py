"""`xiezuo export`: a ledger written back in template form from the command line."""

import csv
import io
import json

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from xiezuo.ingest import catalog


def _run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("export", *args, "--programme", "small", stdout=out, stderr=err)
    return out.getvalue()


@pytest.fixture
def households(small_programme, make_household):
    return [
        make_household("130723100201", people=2),
        make_household("130723100202", people=1),
        make_household("130728100201", people=3),
    ]


def test_exports_the_whole_programme_and_prints_the_row_count(households, tmp_path):
    path = tmp_path / "members.xlsx"
    printed = _run("members", "-o", str(path))
    assert "6 行" in printed
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert [c.value for c in sheet[3]] == catalog.ledger("members").headers
    rows = list(sheet.iter_rows(min_row=4, values_only=True))
    assert len(rows) == 6
    ids = {m.id_number for h in households for m in h.members.all()}
    assert {row[2] for row in rows} == ids  # unmasked: the operator at the machine


def test_region_narrows_the_export(households, tmp_path):
    path = tmp_path / "households.xlsx"
    assert "1 行" in _run("households", "--region", "130728", "-o", str(path))
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert sheet.cell(4, 1).value == households[2].household_no


def test_csv_when_the_file_name_says_so(households, tmp_path):
    path = tmp_path / "households.csv"
    _run("households", "-o", str(path))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        lines = list(csv.reader(handle))
    assert lines[2] == catalog.ledger("households").headers
    assert len(lines) == 3 + 3


def test_unknown_ledger_lists_the_keys(small_programme, tmp_path):
    with pytest.raises(CommandError, match=r"households.*population"):
        _run("farms", "-o", str(tmp_path / "x.xlsx"))


def test_unknown_programme_is_an_error(db, tmp_path):
    with pytest.raises(CommandError, match="不存在"):
        _run("households", "-o", str(tmp_path / "x.xlsx"))


def test_malformed_region_is_an_error(households, tmp_path):
    with pytest.raises(CommandError, match="区划代码"):
        _run("households", "--region", "13x", "-o", str(tmp_path / "x.xlsx"))


def test_output_is_required(households):
    with pytest.raises(CommandError, match="-o"):
        _run("households")


@pytest.fixture
def meetings(small_programme):
    import datetime as dt

    from xiezuo.ledgers.models import Meeting

    pairing = small_programme.pairings.get(helper_id="110105", recipient_id="130723")
    names = ['=HYPERLINK("http://example.com","点")', "+联席会议", "-议程", "@SUM(A1)", "'=转义"]
    for day, name in enumerate(names, start=1):
        Meeting.objects.create(
            pairing=pairing,
            date=dt.date(2019, 5, day),
            helper_id="110105",
            recipient_id="130723",
            name=name,
        )
    return names


def test_csv_escapes_cells_a_spreadsheet_would_run_and_re_imports_them_unchanged(
    meetings, tmp_path
):
    """= + - @ at the start of a cell get a leading ' (OWASP); the importer strips it again."""
    path = tmp_path / "meetings.csv"
    _run("meetings", "-o", str(path))
    with path.open(encoding="utf-8-sig", newline="") as handle:
        names = [row[3] for row in list(csv.reader(handle))[3:]]
    assert sorted(names) == sorted(f"'{name}" for name in meetings)
    out = io.StringIO()
    call_command(
        "import", "meetings", str(path), "--dry-run", "--format", "json", "--programme", "small",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    report = json.loads(out.getvalue())
    assert (report["errors"], report["unchanged"], report["inserted"]) == ([], 5, 0)


def test_xlsx_keeps_such_cells_as_text(meetings, tmp_path):
    path = tmp_path / "meetings.xlsx"
    _run("meetings", "-o", str(path))
    sheet = openpyxl.load_workbook(path).worksheets[0]
    cells = [row[3] for row in sheet.iter_rows(min_row=4)]
    assert sorted(c.value for c in cells) == sorted(meetings)
    assert {c.data_type for c in cells} == {"s"}
