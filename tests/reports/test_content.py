"""The content of a report: JSON-able, the run's figures, the records behind them, scope, and
sentences from the editable templates."""

import json

import pytest

from xiezuo.access import Access, Role
from xiezuo.assessment.selectors import drilldown, run_payload
from xiezuo.core.errors import ScopeError
from xiezuo.reports import content, narrative


@pytest.fixture
def operator(programme):
    return Access.operator(programme)


def test_content_is_json_and_holds_the_runs_figures(assessed, operator):
    report = content.report_content(
        access=operator, run=assessed, unit_type="helper", unit="110105"
    )
    assert json.loads(json.dumps(report)) == report
    assert report["unit"] == report["unit"] | {"type": "helper", "code": "110105", "name": "朝阳区"}
    assert report["unit"]["partners"] == ["康保县"]
    payload = run_payload(assessed)
    mine = {
        r["indicator"]: r
        for r in payload["results"]
        if (r["unit_type"], r["unit"]) == ("helper", "110105")
    }
    rows = [i for a in report["areas"] for i in a["indicators"]] + report["outcomes"]["indicators"]
    assert {i["key"] for i in rows} == set(mine)
    for row in rows:
        assert (row["value"], row["target"], row["score"]) == (
            mine[row["key"]]["value"],
            mine[row["key"]]["target"],
            mine[row["key"]]["score"],
        )
    unit = next(u for u in payload["units"] if u["unit"] == "110105")
    assert (report["summary"]["score"], report["summary"]["rank"]) == (unit["score"], unit["rank"])
    assert [t["year"] for t in report["summary"]["trend"]] == [2018, 2019]
    assert report["run"]["id"] == assessed.pk
    assert report["paragraphs"] == []


def test_records_are_the_drilldowns(assessed, operator):
    report = content.report_content(
        access=operator, run=assessed, unit_type="recipient", unit="130728"
    )
    for area in report["areas"]:
        for row in area["indicators"]:
            found = drilldown(assessed, row["key"], "recipient", "130728", access=operator)
            assert row["records"]["count"] == sum(len(f.ids) for f in found)
    annexes = {a["ledger"]: a for a in report["annexes"]["ledgers"]}
    assert annexes["training"]["count"] == len(annexes["training"]["rows"]) > 0
    for annex in annexes.values():
        assert len(annex["rows"]) <= content.ANNEX_ROWS
        assert "身份证号" not in " ".join(annex["columns"])  # personal fields are left out


def test_lags_list_alerts_and_their_rectification_items(assessed, operator):
    report = content.report_content(
        access=operator, run=assessed, unit_type="helper", unit="110105"
    )
    alerts = {
        a["indicator"]
        for a in run_payload(assessed)["alerts"]
        if (a["unit_type"], a["unit"]) == ("helper", "110105")
    }
    assert alerts
    assert {lag["indicator"] for lag in report["lags"]} == alerts
    for lag in report["lags"]:
        assert lag["items"]
        assert lag["items"][0]["status"] == "open"
        assert lag["value_text"] in lag["text"]


def test_sentences_follow_the_templates_and_the_tables_figures(
    assessed, operator, tmp_path, monkeypatch
):
    report = content.report_content(
        access=operator, run=assessed, unit_type="helper", unit="110105"
    )
    row = next(i for a in report["areas"] for i in a["indicators"] if i["key"] == "I06")
    sentence = (
        f"2019 年，朝阳区培训受援地党政干部 {row['value_text']} 人次，"
        f"目标 {row['target_text']} 人次，完成目标的 {row['completion_text']}%。"
    )
    assert sentence in [s for a in report["areas"] for s in a["narrative"]]

    own = tmp_path / "narrative.toml"
    own.write_text(
        (narrative.DEFAULT_PATH.read_text(encoding="utf-8")).replace(
            "完成目标的 {completion}%。", "完成率 {completion}%。"
        ),
        encoding="utf-8",
    )
    monkeypatch.setenv("XIEZUO_NARRATIVE", str(own))
    narrative.templates.cache_clear()
    try:
        edited = content.report_content(
            access=operator, run=assessed, unit_type="helper", unit="110105"
        )
    finally:
        monkeypatch.delenv("XIEZUO_NARRATIVE")
        narrative.templates.cache_clear()
    said = " ".join(s for a in edited["areas"] for s in a["narrative"])
    assert f"完成率 {row['completion_text']}%" in said
    assert "完成目标的" not in said


def test_a_county_office_reads_its_own_report_only(assessed, programme, access_as):
    office = access_as(programme, (Role.COUNTY_OFFICE, "130723"))
    mine = content.report_content(access=office, run=assessed, unit_type="recipient", unit="130723")
    assert mine["unit"]["code"] == "130723"
    with pytest.raises(ScopeError):
        content.report_content(access=office, run=assessed, unit_type="recipient", unit="130728")
    with pytest.raises(ScopeError):
        content.report_content(
            access=access_as(programme), run=assessed, unit_type="recipient", unit="130723"
        )


def test_the_programme_content(assessed, operator):
    report = content.programme_content(access=operator, run=assessed)
    assert json.loads(json.dumps(report)) == report
    payload = run_payload(assessed)
    for side in ("helper", "recipient"):
        ranked = [(u["unit"], u["rank"]) for u in payload["units"] if u["unit_type"] == side]
        assert [(r["code"], r["rank"]) for r in report["rankings"][side]] == ranked
    assert {m["code"] for m in report["map"]} == {"130723", "130728", "130826"}
    assert [p["key"] for p in report["pairs"]] == sorted(
        {r["unit"] for r in payload["results"] if r["unit_type"] == "pairing"}
    )
