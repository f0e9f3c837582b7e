"""Importing ledger files as batches: happy paths, upserts, dry runs, undo, and bad files."""

import datetime as dt

import pytest

from tests.ingest.conftest import (
    HOUSEHOLD_HEADERS,
    INCOME_HEADERS,
    MEMBER_HEADERS,
    household_row,
    income_row,
    member_row,
    snapshot,
    write_csv,
    write_xlsx,
)
from xiezuo.access import Role
from xiezuo.ingest.errors import BatchError, UnusableInput
from xiezuo.ingest.models import Batch, BatchChange
from xiezuo.ingest.services import batch_undo
from xiezuo.regions.models import RuralPopulation
from xiezuo.registry.models import Household, Income, Member

HH = "13072310020100001"  # the first household of `household_row`


@pytest.fixture
def registry(run_import, households_file, tmp_path):
    """Five households (康保 一村) and three members of the first, loaded through the pipeline."""
    assert run_import("households", households_file).inserted == 5
    members = write_xlsx(
        tmp_path / "members.xlsx", [MEMBER_HEADERS] + [member_row(HH, n) for n in (1, 2, 3)]
    )
    assert run_import("members", members).inserted == 3
    return members


# --- happy paths -----------------------------------------------------------------------------


def test_households_load_with_their_county_and_lists(registry):
    household = Household.objects.get(household_no=HH)
    assert (household.village_id, household.county_id) == ("130723100201", "130723")
    assert household.other_causes == "缺技术、缺资金"
    assert (household.identified_year, household.exit_year, household.fallback_year) == (
        2015,
        2018,
        None,
    )
    assert household.relocated is False  # a field no column fills keeps the model default


def test_members_are_attached_to_their_household(registry):
    members = Member.objects.filter(household__household_no=HH).order_by("id")
    assert [m.name for m in members] == ["成员1", "成员2", "成员3"]
    assert members[0].birth_date == dt.date(1961, 2, 4)
    assert members[0].ethnicity == "汉族"


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_incomes_from_csv(registry, run_import, tmp_path, encoding):
    path = write_csv(
        tmp_path / "incomes.csv",
        [INCOME_HEADERS, income_row(HH, 2019), income_row(HH, 2020, **{"财产性收入(元)": ""})],
        encoding=encoding,
    )
    report = run_import("incomes", path)
    assert (report.inserted, report.errors) == (2, [])
    income = Income.objects.get(household__household_no=HH, year=2019)
    assert (str(income.wages), str(income.property_income)) == ("8600.00", "150.50")
    assert Income.objects.get(household__household_no=HH, year=2020).property_income == 0


def test_population_from_xlsx_and_again_unchanged(run_import, tmp_path):
    rows = [["区划代码", "年度", "乡村户籍人口"], ["130723", "2020", "238,000"],
            ["130723100201", "2020年", "1200"]]  # fmt: skip
    path = write_xlsx(tmp_path / "p.xlsx", rows, title="乡村户籍人口")
    assert run_import("population", path).inserted == 2
    assert RuralPopulation.objects.get(region_id="130723", year=2020).population == 238_000
    again = run_import("population", path)
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


def test_the_same_file_again_is_all_unchanged(registry, run_import, households_file):
    before = snapshot()
    for ledger_key, path in (("households", households_file), ("members", registry)):
        report = run_import(ledger_key, path)
        assert (report.inserted, report.updated, report.unchanged) == (0, 0, report.rows)
        assert report.status == Batch.Status.LOADED
    assert snapshot() == before


def test_a_corrected_file_updates_only_the_changed_rows(registry, run_import, tmp_path):
    rows = [member_row(HH, n) for n in (1, 2, 3)]
    rows[1][MEMBER_HEADERS.index("健康状况")] = "患有大病"
    rows.append(member_row(HH, 4))
    report = run_import("members", write_xlsx(tmp_path / "fixed.xlsx", [MEMBER_HEADERS, *rows]))
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 2)
    assert Member.objects.get(name="成员2").health == "患有大病"


def test_a_dry_run_reports_and_writes_nothing(registry, run_import, tmp_path):
    rows = [member_row(HH, n) for n in (1, 2, 3, 4)]
    rows[0][MEMBER_HEADERS.index("姓名")] = "改名"
    before = snapshot()
    report = run_import(
        "members", write_xlsx(tmp_path / "dry.xlsx", [MEMBER_HEADERS, *rows]), dry_run=True
    )
    assert (report.inserted, report.updated, report.unchanged) == (1, 1, 2)
    assert snapshot() == before
    assert Batch.objects.get(pk=report.batch_id).status == Batch.Status.VALIDATED


def test_a_batch_records_who_what_and_the_file_hash(registry, run_import):
    batch = Batch.objects.filter(ledger="members").latest("id")
    assert (batch.rows, batch.valid, batch.inserted, batch.status) == (3, 3, 3, "loaded")
    assert len(batch.sha256) == 64
    assert batch.file_name == "members.xlsx"
    assert batch.user is None


# --- undo ------------------------------------------------------------------------------------


def test_undo_deletes_inserts_and_restores_updates(registry, run_import, tmp_path):
    before = snapshot()
    rows = [member_row(HH, n) for n in (1, 2, 3, 4, 5)]
    rows[0][MEMBER_HEADERS.index("姓名")] = "改名"
    rows[2][MEMBER_HEADERS.index("出生日期")] = "1970年1月2日"
    report = run_import("members", write_xlsx(tmp_path / "u.xlsx", [MEMBER_HEADERS, *rows]))
    assert (report.inserted, report.updated) == (2, 2)
    assert BatchChange.objects.filter(batch_id=report.batch_id).count() == 3  # 1 range + 2

    batch = batch_undo(Batch.objects.get(pk=report.batch_id))
    assert batch.status == Batch.Status.UNDONE
    assert snapshot() == before
    with pytest.raises(BatchError, match="只有已导入的批次可以撤销"):
        batch_undo(batch)


def test_undo_is_refused_when_a_later_batch_changed_the_same_rows(registry, run_import, tmp_path):
    first = Batch.objects.filter(ledger="members").latest("id")
    rows = [member_row(HH, n) for n in (1, 2, 3)]
    rows[0][MEMBER_HEADERS.index("姓名")] = "改名"
    later = run_import("members", write_xlsx(tmp_path / "l.xlsx", [MEMBER_HEADERS, *rows]))
    with pytest.raises(BatchError, match=f"请先撤销批次 {later.batch_id}"):
        batch_undo(first)
    batch_undo(Batch.objects.get(pk=later.batch_id))
    batch_undo(first)
    assert not Member.objects.exists()


def test_undo_is_refused_while_other_rows_refer_to_inserted_ones(registry):
    households = Batch.objects.get(ledger="households")
    with pytest.raises(BatchError, match="引用了本批次新增的行"):
        batch_undo(households)


# --- the bad-file corpus ---------------------------------------------------------------------


def _bad_id_float(tmp_path):
    row = member_row(HH, 9)
    row[2] = 130723196503010012  # a number: Excel keeps 15 digits
    return write_xlsx(tmp_path / "bad.xlsx", [MEMBER_HEADERS, row])


def _bad_id_scientific(tmp_path):
    return write_xlsx(
        tmp_path / "bad.xlsx", [MEMBER_HEADERS, member_row(HH, 9, 证件号码="1.30723E+17")]
    )


def _formula(tmp_path):
    return write_xlsx(tmp_path / "bad.xlsx", [MEMBER_HEADERS, member_row(HH, 9, 姓名="=A1&B1")])


def _long_cell(tmp_path):
    return write_xlsx(
        tmp_path / "bad.xlsx", [MEMBER_HEADERS, member_row(HH, 9, 姓名="长" * 40_000)]
    )


def _ten_thousand_bad_rows(tmp_path):
    rows = [member_row(HH, n, 性别="未知") for n in range(10, 10_010)]
    return write_xlsx(tmp_path / "bad.xlsx", [MEMBER_HEADERS, *rows])


def _duplicate_household_no(tmp_path):
    rows = [household_row(7), household_row(8), household_row(7)]
    return write_xlsx(tmp_path / "bad.xlsx", [HOUSEHOLD_HEADERS, *rows])


def _dates_out_of_order(tmp_path):
    rows = [household_row(7, 识别年度="2019", 脱贫年度="2016")]
    return write_xlsx(tmp_path / "bad.xlsx", [HOUSEHOLD_HEADERS, *rows])


def _region_outside(tmp_path):
    from xiezuo.regions.models import Region

    outside = [
        ("130100", "石家庄市", 2, "130000"),
        ("130102", "长安区", 3, "130100"),
        ("130102001", "建北街道", 4, "130102"),
        ("130102001001", "某社区", 5, "130102001"),
    ]
    for code, name, level, parent in outside:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    rows = [household_row(7, 村代码="130102001001")]  # 石家庄: not in the programme
    return write_xlsx(tmp_path / "bad.xlsx", [HOUSEHOLD_HEADERS, *rows])


def _unknown_household(tmp_path):
    return write_xlsx(tmp_path / "bad.xlsx", [MEMBER_HEADERS, member_row("13072310020199999", 9)])


def _member_in_another_household(tmp_path):
    moved = member_row("13072310020100002", 1)  # 成员1 is registered in household 00001
    return write_xlsx(tmp_path / "bad.xlsx", [MEMBER_HEADERS, moved, member_row(HH, 9)])


def _one_good_one_bad(tmp_path):
    rows = [member_row(HH, 9), member_row(HH, 10, 出生日期="1990-02-30")]
    return write_xlsx(tmp_path / "bad.xlsx", [MEMBER_HEADERS, *rows])


ROW_ERRORS = {
    "ID number stored as a float": ("members", _bad_id_float, (2, "证件号码", "已经丢失")),
    "ID number in scientific notation": (
        "members", _bad_id_scientific, (2, "证件号码", "已经丢失")),
    "formula cell": ("members", _formula, (2, "姓名", "公式")),
    "40,000-character cell": ("members", _long_cell, (2, "姓名", "超过上限 64")),
    "duplicate 户编号": ("households", _duplicate_household_no, (4, "户编号", "与第 2 行重复")),
    "dates out of order": ("households", _dates_out_of_order, (2, "脱贫年度", "早于「识别年度」")),
    "region outside the programme": ("households", _region_outside, (2, "村代码", "不在受援方")),
    "unregistered 户编号": ("members", _unknown_household, (2, "户编号", "户编号未登记")),
    "member of another household": (
        "members", _member_in_another_household, (2, "户编号", "不能登记在此户")),
    "one bad date among good rows": ("members", _one_good_one_bad, (3, "出生日期", "不是有效日期")),
}  # fmt: skip


@pytest.mark.parametrize("case", list(ROW_ERRORS))
def test_a_bad_file_is_reported_and_loads_nothing(registry, run_import, tmp_path, case):
    ledger_key, make, (row, column, message) = ROW_ERRORS[case]
    path = make(tmp_path)
    before = snapshot()
    report = run_import(ledger_key, path)
    assert report.status == Batch.Status.FAILED
    assert report.exit_code == 1
    assert any(
        (e.row, e.column) == (row, column) and message in e.message for e in report.errors
    ), report.errors
    assert (report.inserted, report.updated, report.unchanged) == (0, 0, 0)
    assert snapshot() == before
    assert Batch.objects.get(pk=report.batch_id).errors[0]["message"]


def test_ten_thousand_bad_rows_give_ten_thousand_errors(registry, run_import, tmp_path):
    before = snapshot()
    report = run_import("members", _ten_thousand_bad_rows(tmp_path))
    assert (report.rows, report.valid, len(report.errors)) == (10_000, 0, 10_000)
    assert report.errors[-1].row == 10_001
    assert snapshot() == before


def _empty(tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"")
    return tmp_path / "bad.xlsx"


def _pdf(tmp_path):
    (tmp_path / "bad.xlsx").write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n")
    return tmp_path / "bad.xlsx"


def _binary(tmp_path):
    (tmp_path / "bad.csv").write_bytes(bytes(range(256)) * 4)
    return tmp_path / "bad.csv"


def _wrong_sheet(tmp_path):
    return write_xlsx(
        tmp_path / "bad.xlsx", [MEMBER_HEADERS, member_row(HH, 9)], sheet="成员", before=["说明"]
    )


def _missing_column(tmp_path):
    headers = [h for h in MEMBER_HEADERS if h != "证件号码"]
    return write_xlsx(tmp_path / "bad.xlsx", [headers, ["x"] * len(headers)])


def _merged_header(tmp_path):
    return write_xlsx(
        tmp_path / "bad.xlsx",
        [MEMBER_HEADERS, member_row(HH, 9)],
        formats=lambda workbook, sheet: sheet.merge_range(0, 0, 0, 1, "户编号"),
    )


UNUSABLE = {
    "empty": (_empty, "是空的"),
    "renamed PDF": (_pdf, "PDF"),
    "not a spreadsheet": (_binary, "不是电子表格"),
    "wrong sheet": (_wrong_sheet, "找不到"),
    "missing required column": (_missing_column, "缺少必需的列：证件号码"),
    "merged header": (_merged_header, "合并单元格"),
}


@pytest.mark.parametrize("case", list(UNUSABLE))
def test_an_unusable_file_raises_and_loads_nothing(registry, run_import, tmp_path, case):
    make, message = UNUSABLE[case]
    path = make(tmp_path)
    before = snapshot()
    with pytest.raises(UnusableInput, match=message):
        run_import("members", path)
    assert snapshot() == before


def test_an_unknown_ledger_is_unusable(run_import, households_file):
    with pytest.raises(UnusableInput, match="未知台账"):
        run_import("nonsense", households_file)


# --- access ----------------------------------------------------------------------------------


def test_a_county_office_imports_only_into_its_county(
    small_programme, run_import, tmp_path, access_as
):
    """Rows of another county are row errors; the office's own rows would load."""
    rows = [household_row(1), household_row(2, village="130728100201")]
    path = write_xlsx(tmp_path / "h.xlsx", [HOUSEHOLD_HEADERS, *rows])
    county = access_as(small_programme, (Role.COUNTY_OFFICE, "130723"))
    report = run_import("households", path, access=county)
    assert [(e.row, e.column) for e in report.errors] == [(3, "村代码")]
    assert "权限范围" in report.errors[0].message
    assert not Household.objects.exists()
    ok = write_xlsx(tmp_path / "ok.xlsx", [HOUSEHOLD_HEADERS, household_row(1)])
    assert run_import("households", ok, access=county).inserted == 1


def test_members_are_in_reach_through_their_household(
    small_programme, registry, run_import, tmp_path, access_as
):
    other = access_as(small_programme, (Role.COUNTY_OFFICE, "130728"))
    path = write_xlsx(tmp_path / "m.xlsx", [MEMBER_HEADERS, member_row(HH, 9)])
    report = run_import("members", path, access=other)
    assert [e.column for e in report.errors] == ["户编号"]


def test_a_helper_office_may_not_write_the_registry_of_its_paired_county(
    small_programme, registry, run_import, tmp_path, access_as
):
    """Leak 2: 朝阳 reads 康保's households (masked) but writes none of them, dry run or not."""
    chaoyang = access_as(small_programme, (Role.HELPER_OFFICE, "110105"))
    changed = write_xlsx(
        tmp_path / "m.xlsx", [MEMBER_HEADERS, member_row(HH, 1, 健康状况="长期慢性病")]
    )
    before = snapshot()
    for dry_run in (True, False):
        with pytest.raises(UnusableInput, match="所在县扶贫办"):
            run_import("members", changed, access=chaoyang, dry_run=dry_run)
    assert snapshot() == before


def test_a_masked_dry_run_does_not_tell_which_registered_rows_differ(
    small_programme, registry, run_import, tmp_path, access_as
):
    """The programme office may write the registry but sees health masked: a dry run answers
    the same whether the masked health differs or not."""
    office = access_as(small_programme, (Role.PROGRAMME_OFFICE, "110000"))
    same = write_xlsx(tmp_path / "same.xlsx", [MEMBER_HEADERS, member_row(HH, 1)])
    differs = write_xlsx(
        tmp_path / "differs.xlsx", [MEMBER_HEADERS, member_row(HH, 1, 健康状况="长期慢性病")]
    )

    answers = [run_import("members", path, access=office, dry_run=True) for path in (same, differs)]

    assert [(r.inserted, r.updated, r.unchanged) for r in answers] == [(0, 1, 0), (0, 1, 0)]
    assert answers[0].notices == answers[1].notices
    # The county office, who sees health, is told exactly.
    county = access_as(small_programme, (Role.COUNTY_OFFICE, "130723"))
    told = [run_import("members", p, access=county, dry_run=True) for p in (same, differs)]
    assert [(r.updated, r.unchanged) for r in told] == [(0, 1), (1, 0)]


def test_a_person_of_another_county_is_refused_without_saying_where(
    small_programme, registry, run_import, tmp_path, access_as
):
    """Leak 3: a member registered in 怀安 cannot be added to a 康保 household, and the
    refusal does not name 怀安's household."""
    huaian = household_row(6, village="130728100201")
    huaian_no = huaian[HOUSEHOLD_HEADERS.index("户编号")]
    path = write_xlsx(tmp_path / "h6.xlsx", [HOUSEHOLD_HEADERS, huaian])
    assert run_import("households", path).inserted == 1
    theirs = member_row(huaian_no, 40)
    path = write_xlsx(tmp_path / "m6.xlsx", [MEMBER_HEADERS, theirs])
    assert run_import("members", path).inserted == 1

    kangbao = access_as(small_programme, (Role.COUNTY_OFFICE, "130723"))
    moved = dict(zip(MEMBER_HEADERS, theirs, strict=True)) | {"户编号": HH}
    path = write_xlsx(tmp_path / "m7.xlsx", [MEMBER_HEADERS, [moved[h] for h in MEMBER_HEADERS]])
    report = run_import("members", path, access=kangbao)

    assert report.status == Batch.Status.FAILED
    assert report.errors
    assert all(huaian_no not in e.message for e in report.errors)
    assert all("130728" not in e.message for e in report.errors)
