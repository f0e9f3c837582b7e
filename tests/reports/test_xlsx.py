"""The report workbook carries the content's numbers, which are the run's figures."""

from openpyxl import load_workbook

from tests.reports.signoff_site import (
    YEAR,
    assessment_data,  # noqa: F401  (a fixture)
    signoff_site,  # noqa: F401  (a fixture)
)
from xiezuo.assessment.models import IndicatorResult, UnitResult
from xiezuo.reports import services, xlsx

FIGURES = {3: "value", 4: "target", 5: "completion", 6: "score", 7: "max"}


def _indicator_rows(sheet) -> dict[str, tuple]:
    """Return {indicator key: the row's cells} of an indicator table."""
    rows = {}
    for row in sheet.iter_rows(values_only=True):
        if row and isinstance(row[0], str) and row[0][:1] in "IO" and row[0][1:].isdigit():
            rows[row[0]] = row
    return rows


def _cell(value):
    return None if value == xlsx.NONE else value


def test_a_units_workbook_has_the_contents_and_the_runs_numbers(signoff_site, tmp_path):  # noqa: F811
    run = signoff_site["run"]
    content = services.report_for(
        access=signoff_site["operator"], year=YEAR, unit_type="recipient", unit="130723"
    )
    path = tmp_path / "report.xlsx"
    xlsx.write_workbook(content, path)
    book = load_workbook(path, read_only=True)
    stored = {
        r.indicator: r
        for r in IndicatorResult.objects.filter(run=run, unit_type="recipient", unit="130723")
    }
    checked = 0
    for area in content["areas"]:
        rows = _indicator_rows(book[area["name"]])
        assert set(rows) == {i["key"] for i in area["indicators"]}
        for ind in area["indicators"]:
            for col, key in FIGURES.items():
                assert _cell(rows[ind["key"]][col]) == ind[key], (ind["key"], key)
            result = stored[ind["key"]]
            assert _cell(rows[ind["key"]][3]) == (
                None if result.value is None else float(result.value)
            )
            checked += 1
    assert checked >= 20
    outcomes = _indicator_rows(book["成效"])
    for ind in content["outcomes"]["indicators"]:
        assert _cell(outcomes[ind["key"]][3]) == ind["value"]
    summary = {row[0]: row[1] for row in book["概要"].iter_rows(values_only=True) if row[0]}
    unit = UnitResult.objects.get(run=run, unit_type="recipient", unit="130723")
    assert summary["总分"] == float(unit.score) == content["summary"]["score"]
    assert summary["排名"] == unit.rank
    annexes = content["annexes"]["ledgers"]
    assert len([n for n in book.sheetnames if n.startswith("附件")]) == len(annexes)


def test_the_programmes_workbook_ranks_and_pairs_as_the_content(signoff_site, tmp_path):  # noqa: F811
    run = signoff_site["run"]
    content = services.report_for(
        access=signoff_site["operator"], year=YEAR, unit_type="programme", unit="small"
    )
    path = tmp_path / "programme.xlsx"
    xlsx.write_programme_workbook(content, path)
    book = load_workbook(path, read_only=True)
    for side, title in (("helper", "帮扶方排名"), ("recipient", "受援方排名")):
        rows = list(book[title].iter_rows(values_only=True))
        header, body = rows[0], rows[1:]
        total = header.index("总分")
        got = {row[1]: (row[0], row[total]) for row in body}
        want = {
            u.unit: (u.rank, float(u.score))
            for u in UnitResult.objects.filter(run=run, unit_type=side)
        }
        assert got == want
        assert got == {r["code"]: (r["rank"], r["score"]) for r in content["rankings"][side]}
    rows = list(book["结对对比"].iter_rows(values_only=True))
    header = rows[0]
    for n, pair in enumerate(content["pairs"], start=3):
        assert header[n] == f"{pair['helper_name']}→{pair['recipient_name']}"
        column = {row[0]: _cell(row[n]) for row in rows[1:]}
        for ind in pair["indicators"]:
            assert column[ind["key"]] == ind["value"]
            stored = IndicatorResult.objects.get(
                run=run, indicator=ind["key"], unit_type="pairing", unit=pair["key"]
            ).value
            assert column[ind["key"]] == (None if stored is None else float(stored))
