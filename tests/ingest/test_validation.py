"""Validation (`xiezuo.ingest.validation`): code lists with aliases, rules across columns,
records outside their pairing's dates — through the importer and the `xiezuo import` command."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from tests.ingest.conftest import HOUSEHOLD_HEADERS, household_row, write_xlsx
from xiezuo.ingest import catalog, validation
from xiezuo.ingest.models import Batch
from xiezuo.ingest.validation import _rules, _types
from xiezuo.programs.models import Pairing
from xiezuo.registry.models import Household

THIS_YEAR = dt.datetime.now(ZoneInfo("Asia/Shanghai")).year  # the importer's "today"


def households(tmp_path, *rows, name="h.xlsx"):
    return write_xlsx(tmp_path / name, [HOUSEHOLD_HEADERS, *rows])


def where(report):
    return [(e.row, e.column) for e in report.errors]


# --- the package's surface -------------------------------------------------------------------


def test_the_public_surface_is_the_entry_and_its_types():
    assert validation.__all__ == [
        "Context",
        "Validated",
        "credit_code_problem",
        "m2m_ids",
        "validate",
    ]


def test_every_catalog_type_and_rule_has_a_planner():
    assert set(_types.PLANNERS) == catalog.COLUMN_TYPES
    assert set(_rules.RULES) == catalog.RULES


# --- code lists and their aliases ------------------------------------------------------------


def test_short_and_old_forms_are_stored_as_the_label_and_counted(run_import, tmp_path):
    rows = [
        household_row(1, 识别标准="国家", 贫困户属性="低保户"),
        household_row(2, 识别标准="省定", 贫困户属性="五保户"),
        household_row(3, 识别标准=" 市定 标准", 脱贫状态="已脱贫（享受政策）"),
        household_row(4, 识别标准="国家标准", 脱贫状态="已脱贫", 其他致贫原因="因病致贫、缺水"),
        household_row(5),  # written as the code list writes it: nothing to say
    ]
    report = run_import("households", households(tmp_path, *rows))
    assert (report.errors, report.inserted) == ([], 5)
    stored = dict(Household.objects.values_list("household_no", "standard"))
    assert sorted(set(stored.values())) == ["国家标准", "市定标准", "省定标准"]
    by_no = {h.household_no[-1]: h for h in Household.objects.all()}
    assert (by_no["1"].attribute, by_no["2"].attribute) == ("低保贫困户", "特困供养贫困户")
    assert by_no["3"].status == by_no["4"].status == "已脱贫(享受政策)"
    assert by_no["4"].other_causes == "因病、缺水"
    [notice] = [n for n in report.notices if "标准写法" in n]
    assert "已将 8 个单元格" in notice
    assert "「识别标准」3 处（如「国家」→「国家标准」）" in notice
    assert "「贫困户属性」2 处" in notice
    assert "「脱贫状态」2 处" in notice
    assert "「其他致贫原因」1 处" in notice
    assert Batch.objects.get(pk=report.batch_id).notices == report.notices


def test_a_clean_file_has_no_notice(run_import, households_file):
    assert run_import("households", households_file).notices == []


def test_an_unknown_label_is_an_error_listing_the_labels(run_import, tmp_path):
    report = run_import("households", households(tmp_path, household_row(1, 识别标准="县定")))
    [error] = report.errors
    assert (error.row, error.column, error.value) == (2, "识别标准", "县定")
    assert "可填：国家标准、省定标准、市定标准" in error.message
    assert not Household.objects.exists()


def test_an_alias_of_one_list_is_not_accepted_in_another(run_import, tmp_path):
    """国家 means 国家标准 for 识别标准 only: as an attribute it is an error."""
    report = run_import("households", households(tmp_path, household_row(1, 贫困户属性="国家")))
    assert where(report) == [(2, "贫困户属性")]


def test_a_yes_or_no_written_as_y_or_n_is_counted(run_import, tmp_path):
    from tests.ingest.test_ledgers import PROJECT_HEADERS, project_row

    run_import("households", households(tmp_path, *[household_row(n) for n in range(1, 3)]))
    rows = [
        project_row(是否与贫困人口紧密联系="Y", 受益户编号=""),
        project_row(项目编号="KB-2", 是否与贫困人口紧密联系="否", 受益户编号=""),
    ]
    report = run_import("projects", write_xlsx(tmp_path / "p.xlsx", [PROJECT_HEADERS, *rows]))
    assert report.errors == []
    assert any("「是否与贫困人口紧密联系」1 处（如「Y」→「是」）" in n for n in report.notices)


# --- each error on its own column ------------------------------------------------------------


def test_an_identification_year_in_the_future_is_an_error_on_itself(run_import, tmp_path):
    row = household_row(1, 识别年度=str(THIS_YEAR + 1), 脱贫状态="未脱贫", 脱贫年度="")
    report = run_import("households", households(tmp_path, row))
    assert where(report) == [(2, "识别年度")]
    assert f"晚于当前年度（{THIS_YEAR}年）" in report.errors[0].message


def test_an_exit_before_identification_marks_both_years(run_import, tmp_path):
    report = run_import("households", households(tmp_path, household_row(1, 识别年度="2019")))
    assert where(report) == [(2, "识别年度"), (2, "脱贫年度")]
    messages = {e.column: e.message for e in report.errors}
    assert messages == {
        "识别年度": "晚于「脱贫年度」（2018）。",
        "脱贫年度": "早于「识别年度」（2019）。",
    }


def test_a_duplicate_key_marks_every_key_cell(run_import, tmp_path):
    from tests.ingest.test_secondments import SECONDMENT_HEADERS, secondment_row

    rows = [secondment_row(1), secondment_row(1, 姓名="另一人")]
    path = write_xlsx(tmp_path / "s.xlsx", [SECONDMENT_HEADERS, *rows])
    report = run_import("secondments", path)
    assert where(report) == [(3, "证件号码"), (3, "开始日期")]
    assert all("与第 2 行重复" in e.message for e in report.errors)


# --- households tell one story (DOMAIN.md §4) ------------------------------------------------

INCONSISTENT = {
    "exited without an exit year": (
        {"脱贫状态": "已脱贫(享受政策)", "脱贫年度": ""},
        ["脱贫状态", "脱贫年度"],
        "未填「脱贫年度」",
    ),
    "no longer enjoying policy without an exit year": (
        {"脱贫状态": "已脱贫(不再享受政策)", "脱贫年度": ""},
        ["脱贫状态", "脱贫年度"],
        "未填「脱贫年度」",
    ),
    "not exited with an exit year": (
        {"脱贫状态": "未脱贫", "脱贫年度": "2018"},
        ["脱贫状态", "脱贫年度"],
        "未脱贫户不应有脱贫年度",
    ),
    "fell back before it exited": (
        {"脱贫状态": "返贫", "脱贫年度": "2019", "返贫年度": "2017"},
        ["脱贫年度", "返贫年度"],
        "早于「脱贫年度」",
    ),
    "fell back without ever exiting": (
        {"脱贫状态": "返贫", "脱贫年度": "", "返贫年度": "2019"},
        ["脱贫年度", "返贫年度"],
        "返贫须在脱贫之后",
    ),
    "fell back without a year": (
        {"脱贫状态": "返贫", "脱贫年度": "2018", "返贫年度": ""},
        ["脱贫状态", "返贫年度"],
        "未填「返贫年度」",
    ),
    "an exited attribute with a status not exited": (
        {"贫困户属性": "一般脱贫户", "脱贫状态": "未脱贫", "脱贫年度": ""},
        ["贫困户属性", "脱贫状态"],
        "脱贫户",
    ),
}


@pytest.mark.parametrize("case", list(INCONSISTENT))
def test_an_inconsistent_household_is_reported_on_every_involved_column(run_import, tmp_path, case):
    changes, columns, message = INCONSISTENT[case]
    report = run_import("households", households(tmp_path, household_row(1, **changes)))
    assert sorted(where(report)) == sorted((2, c) for c in columns), report.errors
    assert any(message in e.message for e in report.errors), report.errors
    assert not Household.objects.exists()


CONSISTENT = {
    "exited, still carrying its 贫困户 attribute": {"脱贫状态": "已脱贫(享受政策)"},
    "exited with an exited attribute": {"贫困户属性": "低保脱贫户"},
    "not exited": {"脱贫状态": "未脱贫", "脱贫年度": ""},
    "fell back after its exit": {"脱贫状态": "返贫", "脱贫年度": "2017", "返贫年度": "2019"},
    "identified this year": {
        "识别年度": str(THIS_YEAR),
        "脱贫状态": "未脱贫",
        "脱贫年度": "",
    },
}


@pytest.mark.parametrize("case", list(CONSISTENT))
def test_a_consistent_household_loads(run_import, tmp_path, case):
    report = run_import("households", households(tmp_path, household_row(1, **CONSISTENT[case])))
    assert (report.errors, report.inserted) == ([], 1)


# --- records outside their pairing's dates ---------------------------------------------------


def test_records_outside_their_pairings_dates_load_with_a_notice(run_import, tmp_path):
    from tests.ingest.test_secondments import SECONDMENT_HEADERS, secondment_row

    Pairing.objects.filter(helper_id="110105").update(
        start_date=dt.date(2018, 4, 14), end_date=dt.date(2020, 12, 31)
    )
    rows = [
        secondment_row(1, 开始日期="2019-03-01", 结束日期="2019-12-31"),
        secondment_row(2, 开始日期="2017-01-01", 结束日期="2018-01-31"),  # before
        secondment_row(3, 开始日期="2021-02-01", 结束日期=""),  # after
        secondment_row(4, 开始日期="2017-06-01", 结束日期="2018-06-30"),  # overlaps
    ]
    path = write_xlsx(tmp_path / "s.xlsx", [SECONDMENT_HEADERS, *rows])
    report = run_import("secondments", path)
    assert (report.errors, report.inserted) == ([], 4)
    [notice] = [n for n in report.notices if "起止日期" in n]
    assert notice.startswith("有 2 行的日期不在所属结对的起止日期内（第 3、4 行）")


def test_a_year_outside_the_pairings_years_is_named_too(run_import, tmp_path):
    from tests.ingest.test_ledgers import PROJECT_HEADERS, project_row

    run_import("households", households(tmp_path, *[household_row(n) for n in range(1, 3)]))
    rows = [project_row(年度="2017"), project_row(项目编号="KB-2", 年度="2019")]
    report = run_import("projects", write_xlsx(tmp_path / "p.xlsx", [PROJECT_HEADERS, *rows]))
    assert (report.errors, report.inserted) == ([], 2)
    assert any(
        n.startswith("有 1 行的日期不在所属结对的起止日期内（第 2 行）") for n in report.notices
    )
