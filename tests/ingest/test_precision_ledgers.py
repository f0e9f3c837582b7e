"""The precision ledgers through the same pipeline: monitored households beside the register,
measures with and without a member, assurances, clues and county checks."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.ingest.conftest import (
    HOUSEHOLD_HEADERS,
    MEMBER_HEADERS,
    household_row,
    member_row,
    snapshot,
    write_xlsx,
)
from xiezuo.core.ids import make_id
from xiezuo.ingest.catalog import ledger
from xiezuo.ingest.models import Batch
from xiezuo.ingest.services import batch_undo
from xiezuo.precision.models import Assurance, Clue, CountyCheck, Measure
from xiezuo.registry.models import Household, HouseholdYear, Member

HH = "1307231002010000"  # + 1…5: the households of the `households_file` fixture
WATCHED = "130723100201900001"
MONITORED_HEADERS = ledger("monitored").headers
MEASURE_HEADERS = ledger("measures").headers


def monitored_row(number=WATCHED, **changes):
    values = {
        "户编号": number,
        "村代码": "130723100201",
        "户主姓名": "李春生",
        "户主证件号码": make_id("130723", dt.date(1970, 5, 6), 31),
        "家庭人口数": "4",
        "纳入日期": "2020-05-20",
        "风险消除日期": "",
    }
    values.update(changes)
    return [values[h] for h in MONITORED_HEADERS]


def measure_row(**changes):
    values = {
        "户编号": f"{HH}1",
        "证件号码": "",
        "措施类别": "扶贫小额信贷",  # an alias of 小额信贷
        "开始日期": "2019-03-01",
        "结束日期": "",
        "金额(元)": "50,000",
        "责任单位": "康保县扶贫办",
    }
    values.update(changes)
    return [values[h] for h in MEASURE_HEADERS]


def sheet(tmp_path, key, *rows, name=None):
    return write_xlsx(tmp_path / f"{name or key}.xlsx", [ledger(key).headers, *rows])


@pytest.fixture
def households(run_import, households_file):
    assert run_import("households", households_file).inserted == 5


def test_a_monitored_household_is_outside_the_register_but_holds_members(
    households, run_import, tmp_path
):
    report = run_import("monitored", sheet(tmp_path, "monitored", monitored_row()))
    assert (report.inserted, report.errors) == (1, [])
    watched = Household.objects.get(household_no=WATCHED)
    assert (watched.registered, watched.identified_year) == (False, None)
    assert watched.monitored_from == dt.date(2020, 5, 20)
    member = member_row(WATCHED, 7)
    report = run_import("members", write_xlsx(tmp_path / "m.xlsx", [MEMBER_HEADERS, member]))
    assert report.inserted == 1
    assert Member.objects.get().household == watched
    # The register's yearly status reads registered households only.
    assert not HouseholdYear.objects.filter(household=watched).exists()
    assert Household.objects.filter(registered=True).count() == 5


def test_the_monitored_ledger_refuses_a_registered_household(households, run_import, tmp_path):
    before = snapshot()
    report = run_import("monitored", sheet(tmp_path, "monitored", monitored_row(f"{HH}2")))
    assert [(e.row, e.column) for e in report.errors] == [(2, "户编号")]
    assert "建档立卡" in report.errors[0].message
    assert snapshot() == before
    assert Household.objects.get(household_no=f"{HH}2").registered


def test_a_monitored_household_named_in_the_households_ledger_joins_the_register(
    households, run_import, tmp_path
):
    run_import("monitored", sheet(tmp_path, "monitored", monitored_row()))
    row = household_row(1, 户编号=WATCHED, 识别年度="2020", 脱贫状态="未脱贫", 脱贫年度="")
    report = run_import("households", write_xlsx(tmp_path / "h.xlsx", [HOUSEHOLD_HEADERS, row]))
    assert (report.updated, report.errors) == (1, [])
    joined = Household.objects.get(household_no=WATCHED)
    assert (joined.registered, joined.identified_year) == (True, 2020)


def test_measures_at_household_and_member_level_are_two_rows(households, run_import, tmp_path):
    member = member_row(f"{HH}1", 1)
    run_import("members", write_xlsx(tmp_path / "m.xlsx", [MEMBER_HEADERS, member]))
    id_number = member[MEMBER_HEADERS.index("证件号码")]
    rows = [
        measure_row(),
        measure_row(证件号码=id_number, 措施类别="医保", 结束日期="2019-12-31", **{"金额(元)": ""}),
    ]
    report = run_import("measures", sheet(tmp_path, "measures", *rows))
    assert (report.inserted, report.errors) == (2, [])
    assert sorted(Measure.objects.values_list("id_number", "category", "amount")) == [
        ("", "小额信贷", Decimal("50000.00")),
        (id_number, "医疗保障", None),
    ]
    # Importing the same file again changes nothing: the empty ID number matches itself.
    again = run_import("measures", sheet(tmp_path, "measures", *rows))
    assert (again.inserted, again.updated, again.unchanged) == (0, 0, 2)


def test_a_measure_for_someone_not_in_the_household_is_refused(households, run_import, tmp_path):
    member = member_row(f"{HH}1", 1)
    run_import("members", write_xlsx(tmp_path / "m.xlsx", [MEMBER_HEADERS, member]))
    id_number = member[MEMBER_HEADERS.index("证件号码")]
    row = measure_row(户编号=f"{HH}2", 证件号码=id_number, 措施类别="不存在的措施")
    report = run_import("measures", sheet(tmp_path, "measures", row))
    assert sorted((e.row, e.column) for e in report.errors) == [
        (2, "户编号"),
        (2, "措施类别"),
        (2, "证件号码"),
    ]
    assert not Measure.objects.exists()


def test_assurances_clues_and_county_checks_load_and_undo(households, run_import, tmp_path):
    before = snapshot()
    assurance = dict(
        zip(
            ledger("assurances").headers,
            [f"{HH}1", "2019", "是", "是", "是", "否", "Y"],
            strict=True,
        )
    )
    report = run_import("assurances", sheet(tmp_path, "assurances", list(assurance.values())))
    assert report.errors == []
    saved = Assurance.objects.get()
    assert (saved.housing, saved.water, saved.all_met) == (False, True, False)
    clue = [f"{HH}2", "2020年4月10日", "走访", "因病返贫", "23000", "住院"]
    assert run_import("clues", sheet(tmp_path, "clues", clue)).errors == []
    assert Clue.objects.values_list("source", "category").get() == ("干部走访", "因病")
    check = ["130723", "2019", "0.5", "0.3", "96.5"]
    assert run_import("county_checks", sheet(tmp_path, "county_checks", check)).errors == []
    assert CountyCheck.objects.get().approval == Decimal("96.50")
    outside = ["130723100", "2019", "0.5", "0.3", "101"]  # a township, and above 100 %
    report = run_import("county_checks", sheet(tmp_path, "county_checks", outside, name="bad"))
    assert sorted(e.column for e in report.errors) == ["区划代码", "群众认可度(%)"]
    for batch in Batch.objects.exclude(ledger="households").order_by("-pk"):
        if batch.inserted:
            batch_undo(batch)
    assert not Assurance.objects.exists()
    assert not Clue.objects.exists()
    assert not CountyCheck.objects.exists()
    assert snapshot()["registry_household"] == before["registry_household"]
