"""The outside lists as ledgers: templates, import with row/column/why, replace whole."""

import io

import openpyxl
import pytest
from django.core.management import call_command

from xiezuo.access import Access, Role
from xiezuo.core.ids import make_id
from xiezuo.crosscheck.models import Death, Payroll, Vehicle
from xiezuo.ingest import catalog
from xiezuo.ingest.errors import UnusableInput
from xiezuo.ingest.services import import_file

pytestmark = pytest.mark.django_db

COLUMNS = {
    "deaths": "证件号码, 姓名, 出生日期, 区划代码, 死亡日期, 来源单位",
    "vehicles": "证件号码, 姓名, 出生日期, 区划代码, 号牌号码, 车辆类型, 购置价格(元), 登记日期",
    "properties": "证件号码, 姓名, 出生日期, 区划代码, 坐落, 建筑面积(㎡), 登记日期",
    "businesses": (
        "证件号码, 姓名, 出生日期, 区划代码, 企业名称, 统一社会信用代码, 注册资本(万元), 登记日期"
    ),
    "payroll": "证件号码, 姓名, 出生日期, 区划代码, 单位名称, 开始日期, 结束日期",
    "cadres": "证件号码, 姓名, 出生日期, 村代码, 职务, 开始日期, 结束日期",
}
DEATHS = "证件号码,姓名,出生日期,区划代码,死亡日期,来源单位,年度\n"


@pytest.mark.parametrize("key", list(COLUMNS))
def test_each_list_has_the_issues_columns_then_source_and_year(key):
    headers = catalog.ledger(key).headers
    issue = COLUMNS[key].split(", ")
    assert headers[: len(issue)] == issue
    assert headers[-2:] == ["来源单位", "年度"]


def test_template_command_writes_the_deaths_template(tmp_path):
    path = tmp_path / "deaths.xlsx"
    call_command("template", "deaths", "-o", str(path), stdout=io.StringIO())
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert [c.value for c in sheet[3]] == catalog.ledger("deaths").headers


def _import(programme, access, tmp_path, text, key="deaths", name="list.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return import_file(ledger_key=key, path=path, access=access, programme=programme)


def test_a_good_list_imports_with_messy_and_empty_id_numbers(small_programme, tmp_path):
    number = make_id("130723", __import__("datetime").date(1970, 5, 6), 1)
    messy = number.lower() if number.endswith("X") else " " + number[:9] + " " + number[9:]
    report = _import(
        small_programme,
        Access.operator(small_programme),
        tmp_path,
        DEATHS
        + f"{messy},张伟,1970-05-06,130723100201,2020-03-01,康保县民政局,2020\n"
        + ",李四,1960年1月2日,130723,2020-04-01,康保县民政局,2020\n",
    )
    assert report.errors == [], report.errors
    assert report.inserted == 2
    assert sorted(Death.objects.values_list("id_number", flat=True)) == ["", number]


def test_bad_rows_are_refused_with_row_column_and_why(small_programme, tmp_path):
    report = _import(
        small_programme,
        Access.operator(small_programme),
        tmp_path,
        DEATHS
        + "130723197005060310,张伟,1970-05-06,130723100201,2020-03-01,康保县民政局,2020\n"
        + ",,1970-05-06,130723100201,2020-03-01,康保县民政局,2020\n"
        + ",王五,1970-05-06,999999,2020-03-01,康保县民政局,2020\n",
    )
    where = {(e.row, e.column) for e in report.errors}
    assert (2, "证件号码") in where  # a wrong check character
    assert (3, "姓名") in where  # required
    assert (4, "区划代码") in where  # unknown region
    assert all(e.message for e in report.errors)
    assert not Death.objects.exists()


def test_importing_a_list_again_replaces_that_years_list_of_that_source(small_programme, tmp_path):
    access = Access.operator(small_programme)
    first = (
        "证件号码,姓名,出生日期,区划代码,单位名称,开始日期,结束日期,来源单位,年度\n"
        ",张伟,1970-05-06,130723100201,示例镇政府,2016-01-01,,康保县财政局,2020\n"
        ",李四,1971-05-06,130723100201,示例镇政府,2016-01-01,,康保县财政局,2020\n"
    )
    other_year = "\n".join(first.splitlines()[:2]).replace(",2020", ",2019") + "\n"
    other_source = "\n".join(first.splitlines()[:2]).replace("康保县财政局", "康保县人社局") + "\n"
    for text in (first, other_year, other_source):
        assert _import(small_programme, access, tmp_path, text, key="payroll").errors == []
    assert Payroll.objects.count() == 4
    again = (
        "证件号码,姓名,出生日期,区划代码,单位名称,开始日期,结束日期,来源单位,年度\n"
        ",王五,1972-05-06,130723100201,示例镇政府,2017-01-01,,康保县财政局,2020\n"
    )
    report = _import(small_programme, access, tmp_path, again, key="payroll")
    assert report.errors == []
    assert any("整体替换" in n for n in report.notices)
    lists = sorted(Payroll.objects.values_list("year", "source", "name"))
    assert lists == [
        (2019, "康保县财政局", "张伟"),
        (2020, "康保县人社局", "张伟"),
        (2020, "康保县财政局", "王五"),
    ]


def test_a_file_with_an_error_replaces_nothing(small_programme, tmp_path):
    access = Access.operator(small_programme)
    header = (
        "证件号码,姓名,出生日期,区划代码,号牌号码,车辆类型,购置价格(元),登记日期,来源单位,年度\n"
    )
    good = ",张伟,1970-05-06,130723100201,冀G1,轿车,50000,2019-01-01,交警大队,2020\n"
    assert _import(small_programme, access, tmp_path, header + good, key="vehicles").errors == []
    bad = ",李四,1970-05-06,130723100201,冀G2,轿车,很贵,2019-01-01,交警大队,2020\n"
    report = _import(small_programme, access, tmp_path, header + bad, key="vehicles")
    assert [(e.row, e.column) for e in report.errors] == [(2, "购置价格(元)")]
    assert list(Vehicle.objects.values_list("plate", flat=True)) == ["冀G1"]


def test_a_county_office_imports_only_its_county(small_programme, access_as, tmp_path):
    county = access_as(small_programme, (Role.COUNTY_OFFICE, "130723"))
    report = _import(
        small_programme,
        county,
        tmp_path,
        DEATHS + ",张伟,1970-05-06,130728100201,2020-03-01,怀安县民政局,2020\n",
    )
    assert [(e.row, e.column) for e in report.errors] == [(2, "区划代码")]
    assert "超出您的权限范围" in report.errors[0].message


def test_a_helper_office_does_not_import_the_lists_of_its_paired_county(
    small_programme, access_as, tmp_path
):
    helper = access_as(small_programme, (Role.HELPER_OFFICE, "110105"))  # paired with 康保
    with pytest.raises(UnusableInput, match="比对名单只能由所在县扶贫办"):
        _import(
            small_programme,
            helper,
            tmp_path,
            DEATHS + ",张伟,1970-05-06,130723100201,2020-03-01,康保县民政局,2020\n",
        )
    assert not Death.objects.exists()
