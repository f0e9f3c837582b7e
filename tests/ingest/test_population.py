"""Rural registered population goes in through the same door as every ledger."""

from xiezuo.regions.models import RuralPopulation

from .conftest import write_csv

HEADERS = ["区划代码", "年度", "乡村户籍人口"]


def test_population_csv_in_gb18030_with_a_title_row(run_import, tmp_path):
    path = write_csv(
        tmp_path / "p.csv",
        [HEADERS, ["130723", "2019", "250,123"], ["130728", "2019", "301000"]],
        encoding="gb18030",
        title="2019年乡村户籍人口",
    )
    report = run_import("population", path)
    assert (report.inserted, report.errors) == (2, [])
    assert RuralPopulation.objects.get(region_id="130723", year=2019).population == 250_123


def test_unknown_code_and_non_numeric_population_name_row_and_column(run_import, tmp_path):
    path = write_csv(
        tmp_path / "p.csv",
        [
            HEADERS,
            ["130723", "2019", "250000"],
            ["139999", "2019", "1000"],
            ["130728", "2019", "约25万"],
        ],
    )
    report = run_import("population", path)
    assert {(e.row, e.column) for e in report.errors} == {(3, "区划代码"), (4, "乡村户籍人口")}
    assert report.inserted == 0
    assert not RuralPopulation.objects.exists()


def test_a_corrected_population_replaces_the_value_of_its_region_and_year(run_import, tmp_path):
    run_import("population", write_csv(tmp_path / "a.csv", [HEADERS, ["130723", "2019", "1"]]))
    report = run_import(
        "population", write_csv(tmp_path / "b.csv", [HEADERS, ["130723", "2019", "2"]])
    )
    assert (report.inserted, report.updated) == (0, 1)
    assert RuralPopulation.objects.get(region_id="130723", year=2019).population == 2
