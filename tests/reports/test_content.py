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


def test_the_records_of_every_unit_in_one_pass_are_each_units_drilldowns(assessed, operator):
    every = content.run_records(assessed, access=operator)
    units = {
        (u["unit_type"], u["unit"])
        for u in run_payload(assessed)["units"]
        if u["unit_type"] in ("helper", "recipient")
    }
    assert set(every) == units
    for (unit_type, unit), records in every.items():
        assert records, unit
        for indicator, grouped in records.items():
            found = drilldown(assessed, indicator, unit_type, unit, access=operator)
            assert grouped == {f.ledger: list(f.ids) for f in found}, (unit, indicator)


def test_reports_made_in_one_batch_are_the_reports_made_one_by_one(assessed, operator):
    units = [("helper", "110105"), ("recipient", "130723"), ("recipient", "130826")]
    alone = [
        content.report_content(access=operator, run=assessed, unit_type=t, unit=u) for t, u in units
    ]
    with content.batch(assessed, access=operator):
        batched = [
            content.report_content(access=operator, run=assessed, unit_type=t, unit=u)
            for t, u in units
        ]
    assert batched == alone
    assert any(a["rows"] for r in batched for a in r["annexes"]["ledgers"])


def test_a_batch_for_one_caller_is_not_used_for_another(assessed, operator, programme, access_as):
    office = access_as(programme, (Role.COUNTY_OFFICE, "130723"))
    with content.batch(assessed, access=operator), pytest.raises(ScopeError):
        content.report_content(access=office, run=assessed, unit_type="recipient", unit="130728")
    with content.batch(assessed, access=office):  # reaches its own county only
        mine = content.report_content(
            access=office, run=assessed, unit_type="recipient", unit="130723"
        )
    assert mine == content.report_content(
        access=office, run=assessed, unit_type="recipient", unit="130723"
    )


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
