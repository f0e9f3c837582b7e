"""`xiezuo assess`, `xiezuo snapshot` and `xiezuo load_targets` through call_command."""

import io
import json

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from xiezuo.assessment.models import AssessmentRun, IndicatorTarget
from xiezuo.assessment.services import targets_load

pytestmark = pytest.mark.django_db

KB = "110105→130723"
UNIT_TYPES = {"pairing", "helper", "recipient", "programme"}


@pytest.fixture
def programme(assessment_data, beijing_targets):
    targets_load(programme=assessment_data.programme, years=[2019], path=beijing_targets)
    return assessment_data.programme


def _assess(*args: str) -> str:
    out = io.StringIO()
    call_command("assess", "--programme", "small", *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_json_has_exactly_the_documented_keys(programme):
    payload = json.loads(_assess("--year", "2019", "--as-of", "2019-06-30", "--format", "json"))
    assert list(payload) == ["programme", "year", "as_of", "engine", "results", "units", "alerts"]
    assert (payload["programme"], payload["year"], payload["as_of"], payload["engine"]) == (
        "small",
        2019,
        "2019-06-30",
        "db",
    )
    assert {tuple(r) for r in payload["results"]} == {
        ("indicator", "unit_type", "unit", "value", "target", "weight", "score")
    }
    assert {tuple(u) for u in payload["units"]} == {("unit_type", "unit", "score", "grade", "rank")}
    assert {tuple(a) for a in payload["alerts"]} == {
        ("indicator", "unit_type", "unit", "level", "value", "expected")
    }
    assert {r["unit_type"] for r in payload["results"]} == UNIT_TYPES
    assert {r["unit"] for r in payload["results"] if r["unit_type"] == "pairing"} == {
        KB,
        "110116→130728",
        "110116→130826",
    }
    assert {a["level"] for a in payload["alerts"]} == {"red", "amber"}


def test_json_nulls_mark_no_value_and_no_target(programme):
    payload = json.loads(_assess("--year", "2019", "--format", "json"))
    by_key = {(r["indicator"], r["unit_type"], r["unit"]): r for r in payload["results"]}
    assert by_key[("I11", "pairing", "110116→130826")]["value"] is None
    no_target = by_key[("O2", "recipient", "130723")]
    assert (no_target["value"], no_target["target"], no_target["weight"], no_target["score"]) == (
        2,
        None,
        None,
        None,
    )
    assert by_key[("I08", "pairing", KB)] == {
        "indicator": "I08",
        "unit_type": "pairing",
        "unit": KB,
        "value": 1500.5,
        "target": 3800,
        "weight": 4,
        "score": 1.5795,
    }


def test_each_command_stores_its_run(programme):
    _assess("--year", "2019", "--format", "json")
    run = AssessmentRun.objects.get()
    assert run.who.startswith("cli:")


def test_the_workbook_has_a_sheet_per_side_and_highlights_alerts(programme, tmp_path):
    path = tmp_path / "考核.xlsx"
    _assess("--year", "2019", "--as-of", "2019-06-30", "--format", "xlsx", "-o", str(path))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["结对", "帮扶方", "受援方", "项目", "指标说明", "预警"]
    sheet = book["结对"]
    header = [c.value for c in sheet[3]]
    assert header[:3] == ["排名", "单位代码", "单位名称"]
    assert header[-2:] == ["总分", "等次"]
    assert header[3].startswith("I01")
    rows = {r[1].value: r for r in sheet.iter_rows(min_row=4)}
    fiscal = header.index(next(h for h in header if h.startswith("I08")))
    assert rows[KB][fiscal].value == 1500.5
    assert rows[KB][fiscal].fill.fgColor.rgb.endswith("FFE699")  # amber
    assert rows[KB][1].value == KB
    assert rows[KB][2].value == "朝阳区→康保县"


def test_the_table_format_prints_one_table_per_side(programme):
    text = _assess("--year", "2019")
    for title in ("结对", "帮扶方", "受援方", "项目", "朝阳区", "较差"):
        assert title in text


def test_duckdb_needs_a_snapshot_and_uses_it(programme, tmp_path):
    with pytest.raises(CommandError):
        _assess("--year", "2019", "--engine", "duckdb")
    call_command("snapshot", "-o", str(tmp_path / "s"), stdout=io.StringIO())
    on_duckdb = json.loads(
        _assess(
            "--year",
            "2019",
            "--engine",
            "duckdb",
            "--snapshot",
            str(tmp_path / "s"),
            "--format",
            "json",
        )
    )
    on_db = json.loads(_assess("--year", "2019", "--format", "json"))
    assert on_duckdb["engine"] == "duckdb"
    assert on_duckdb["results"] == on_db["results"]
    assert on_duckdb["units"] == on_db["units"]


def test_xlsx_needs_an_output_file(programme):
    with pytest.raises(CommandError):
        _assess("--year", "2019", "--format", "xlsx")


def test_load_targets_command_loads_the_defaults(small_programme, beijing_targets):
    out = io.StringIO()
    call_command(
        "load_targets",
        "--programme",
        "small",
        "--year",
        "2019",
        "--file",
        str(beijing_targets),
        stdout=out,
    )
    assert IndicatorTarget.objects.filter(programme=small_programme, year=2019).count() == 26


def test_assess_refuses_an_unknown_engine_before_running(programme):
    """The engine's name is checked when the command runs (its module loads Ibis)."""
    with pytest.raises(CommandError, match="未知的计算引擎 nonsense"):
        _assess("--year", "2019", "--engine", "nonsense")
    assert not AssessmentRun.objects.exists()
