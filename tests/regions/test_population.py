"""Loading rural registered population from CSV and XLSX files."""

import pytest
import xlsxwriter
from django.core.management import CommandError, call_command

from xiezuo.regions.errors import RegionDataError
from xiezuo.regions.models import Region, RuralPopulation
from xiezuo.regions.services import load_population


@pytest.fixture
def counties(db):
    Region.objects.create(code="130000", name="河北省", level=1)
    Region.objects.create(code="130700", name="张家口市", level=2, parent_id="130000")
    Region.objects.create(code="130722", name="张北县", level=3, parent_id="130700")
    Region.objects.create(code="130723", name="康保县", level=3, parent_id="130700")


def stored() -> dict[tuple[str, int], int]:
    return {
        (region, year): population
        for region, year, population in RuralPopulation.objects.values_list(
            "region_id", "year", "population"
        )
    }


def write_csv(path, lines, encoding="utf-8"):
    path.write_text("\n".join(lines) + "\n", encoding=encoding)
    return path


def write_xlsx(path, rows):
    """Write rows to a sheet; ints and floats become number cells, str text cells."""
    workbook = xlsxwriter.Workbook(path)
    sheet = workbook.add_worksheet("人口")
    for r, row in enumerate(rows):
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, int | float):
                sheet.write_number(r, c, value)
            else:
                sheet.write_string(r, c, value)
    workbook.close()
    return path


def test_csv_with_a_title_row_is_loaded(counties, tmp_path):
    path = write_csv(
        tmp_path / "population.csv",
        [
            "2019年乡村户籍人口,,",
            "区划代码,年度,乡村户籍人口",
            "130722,2019,301000",
            "130723,2019,250123",
        ],
    )
    assert load_population(path=path) == 2
    assert stored() == {("130722", 2019): 301000, ("130723", 2019): 250123}


def test_csv_in_gb18030_with_extra_columns_and_thousands_separators(counties, tmp_path):
    path = write_csv(
        tmp_path / "population.csv",
        ["名称,区划代码,年度,乡村户籍人口", '康保县,130723,2020,"248,000"'],
        encoding="gb18030",
    )
    assert load_population(path=path) == 1
    assert stored() == {("130723", 2020): 248000}


def test_xlsx_with_numbers_stored_as_numbers_is_loaded(counties, tmp_path):
    path = write_xlsx(
        tmp_path / "population.xlsx",
        [
            ["张家口市乡村户籍人口（单位：人）"],
            ["区划代码", "年度", "乡村户籍人口"],
            [130722, 2018, 302500],
            ["130723", "2018", "251000"],
            [130723, 2019.0, 250500.0],
        ],
    )
    assert load_population(path=path) == 3
    assert stored() == {
        ("130722", 2018): 302500,
        ("130723", 2018): 251000,
        ("130723", 2019): 250500,
    }


def test_loading_again_replaces_the_value_of_the_same_region_and_year(counties, tmp_path):
    first = write_csv(
        tmp_path / "a.csv", ["区划代码,年度,乡村户籍人口", "130723,2019,1", "130722,2019,2"]
    )
    second = write_csv(tmp_path / "b.csv", ["区划代码,年度,乡村户籍人口", "130723,2019,3"])
    load_population(path=first)
    load_population(path=second)
    assert stored() == {("130723", 2019): 3, ("130722", 2019): 2}


def test_an_unknown_code_names_row_and_column_and_loads_nothing(counties, tmp_path):
    path = write_csv(
        tmp_path / "population.csv",
        ["区划代码,年度,乡村户籍人口", "130723,2019,250000", "139999,2019,1000"],
    )
    with pytest.raises(RegionDataError) as caught:
        load_population(path=path)
    assert "第 3 行「区划代码」" in caught.value.message
    assert "139999" in caught.value.message
    assert caught.value.extra["errors"] == [
        {"row": 3, "column": "区划代码", "message": "未知区划代码: 139999"}
    ]
    assert stored() == {}


def test_a_non_numeric_population_names_row_and_column_and_loads_nothing(counties, tmp_path):
    path = write_csv(
        tmp_path / "population.csv",
        ["区划代码,年度,乡村户籍人口", "130722,2019,301000", "130723,2019,约25万"],
    )
    with pytest.raises(RegionDataError) as caught:
        load_population(path=path)
    assert "第 3 行「乡村户籍人口」" in caught.value.message
    assert stored() == {}


def test_every_bad_cell_is_reported(counties, tmp_path):
    path = write_csv(
        tmp_path / "population.csv",
        [
            "区划代码,年度,乡村户籍人口",
            "13072,2019,1",
            "130723,二〇一九,-5",
            "130723,2019,10.5",
            "130722,2019,",
        ],
    )
    with pytest.raises(RegionDataError) as caught:
        load_population(path=path)
    where = [(e["row"], e["column"]) for e in caught.value.extra["errors"]]
    assert where == [
        (2, "区划代码"),
        (3, "乡村户籍人口"),
        (3, "年度"),
        (4, "乡村户籍人口"),
        (5, "乡村户籍人口"),
    ]


def test_a_bad_xlsx_reports_the_row_the_spreadsheet_shows(counties, tmp_path):
    path = write_xlsx(
        tmp_path / "population.xlsx",
        [
            ["标题"],
            [None],
            ["区划代码", "年度", "乡村户籍人口"],
            [130723, 2019, "n/a"],
        ],
    )
    with pytest.raises(RegionDataError) as caught:
        load_population(path=path)
    assert caught.value.extra["errors"] == [
        {"row": 4, "column": "乡村户籍人口", "message": "不是数字: 'n/a'"}
    ]
    assert stored() == {}


def test_a_repeated_region_and_year_is_an_error(counties, tmp_path):
    path = write_csv(
        tmp_path / "population.csv",
        ["区划代码,年度,乡村户籍人口", "130723,2019,1", "130723,2019,2"],
    )
    with pytest.raises(RegionDataError, match="与第 2 行重复"):
        load_population(path=path)


def test_a_file_without_the_header_is_refused(counties, tmp_path):
    path = write_csv(tmp_path / "population.csv", ["代码,年份,人口", "130723,2019,1"])
    with pytest.raises(RegionDataError, match="未找到表头行"):
        load_population(path=path)


def test_another_file_type_is_refused(counties, tmp_path):
    path = tmp_path / "population.json"
    path.write_text("{}", encoding="utf-8")
    with pytest.raises(RegionDataError, match="不支持的文件类型"):
        load_population(path=path)


def test_the_command_loads_a_file_and_says_how_many_rows(counties, tmp_path, capsys):
    path = write_csv(tmp_path / "population.csv", ["区划代码,年度,乡村户籍人口", "130723,2019,7"])
    call_command("load_population", str(path))
    assert "已载入 1 行" in capsys.readouterr().out
    assert stored() == {("130723", 2019): 7}


def test_the_command_fails_with_the_bad_cells(counties, tmp_path, capsys):
    path = write_csv(tmp_path / "population.csv", ["区划代码,年度,乡村户籍人口", "139999,2019,7"])
    with pytest.raises(CommandError, match="未载入任何数据"):
        call_command("load_population", str(path))
    assert "第 2 行「区划代码」" in capsys.readouterr().err


def test_an_xlsx_starting_below_and_right_of_a1_keeps_its_row_numbers(counties, tmp_path):
    path = write_xlsx(
        tmp_path / "population.xlsx",
        [
            [],
            [],
            [None, "区划代码", "年度", "乡村户籍人口"],
            [None, 130723, 2019, "x"],
        ],
    )
    with pytest.raises(RegionDataError) as caught:
        load_population(path=path)
    assert [(e["row"], e["column"]) for e in caught.value.extra["errors"]] == [(4, "乡村户籍人口")]


def test_full_width_digits_in_a_code_are_read_as_the_code(counties, tmp_path):
    path = write_csv(
        tmp_path / "population.csv", ["区划代码,年度,乡村户籍人口", "１３０７２３,2019,7"]
    )
    assert load_population(path=path) == 1
    assert stored() == {("130723", 2019): 7}


def test_a_village_level_file_larger_than_one_query_is_loaded(db, tmp_path):
    from xiezuo.regions.services import load_divisions

    load_divisions()
    villages = list(
        Region.objects.filter(code__startswith="1307", level=5).values_list("code", flat=True)
    )
    assert len(villages) > 900
    lines = ["区划代码,年度,乡村户籍人口"] + [f"{code},2019,{i}" for i, code in enumerate(villages)]
    path = write_csv(tmp_path / "villages.csv", lines)
    assert load_population(path=path) == len(villages)
    assert load_population(path=path) == len(villages)
    assert RuralPopulation.objects.count() == len(villages)
