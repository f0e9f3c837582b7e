"""The printed report's figures are the run's figures: every number the run's JSON has for a
unit is found, as printed, in its row of the PDF's text layer (pdftotext)."""

import re
import shutil
import subprocess
from decimal import ROUND_HALF_UP, Decimal

import pytest

from xiezuo.access import Access
from xiezuo.assessment import catalog
from xiezuo.assessment.selectors import run_payload
from xiezuo.reports import content, render

NUMBER = re.compile(r"-?\d[\d,]*(?:\.\d+)?")
pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="needs poppler-utils")


def numbers(line: str) -> set[Decimal]:
    return {Decimal(n.replace(",", "")) for n in NUMBER.findall(line)}


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    done = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    )
    return done.stdout


def completion(value: float, target: float, direction: str) -> Decimal:
    v, t = Decimal(str(value)), Decimal(str(target))
    ratio = t / v if direction == "lower" else v / t
    return (ratio * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)


@pytest.mark.parametrize(("unit_type", "unit"), [("helper", "110116"), ("recipient", "130723")])
def test_every_figure_of_the_run_is_in_its_row_of_the_pdf(
    assessed, programme, tmp_path, unit_type, unit
):
    payload = run_payload(assessed)
    report = content.report_content(
        access=Access.operator(programme), run=assessed, unit_type=unit_type, unit=unit
    )
    text = pdf_text(render.render_pdf(report), tmp_path)
    lines = text.splitlines()

    mine = [r for r in payload["results"] if (r["unit_type"], r["unit"]) == (unit_type, unit)]
    assert mine
    for result in mine:
        wanted = {
            Decimal(str(result[k])) for k in ("value", "target", "score") if result[k] is not None
        }
        ind = catalog.indicator(result["indicator"])
        if result["value"] is not None and result["target"] is not None and result["value"]:
            wanted.add(completion(result["value"], result["target"], ind.direction))
        rows = [line for line in lines if line.strip().startswith(result["indicator"] + " ")]
        assert rows, f"no row of {result['indicator']}"
        assert any(wanted <= numbers(row) for row in rows), (result, rows)

    totals = next(u for u in payload["units"] if (u["unit_type"], u["unit"]) == (unit_type, unit))
    peers = sum(1 for u in payload["units"] if u["unit_type"] == unit_type)
    header = next(n for n, line in enumerate(lines) if "总分" in line and "排名" in line)
    summary = numbers(next(line for line in lines[header + 1 :] if line.strip()))
    assert Decimal(str(totals["score"])) in summary
    assert {Decimal(totals["rank"]), Decimal(peers)} <= summary


def test_html_and_pdf_come_from_the_same_page(assessed, programme):
    report = content.report_content(
        access=Access.operator(programme), run=assessed, unit_type="recipient", unit="130728"
    )
    html = render.render_html(report)
    assert "@page" in html
    assert "counter(page)" in html
    assert "Noto Sans CJK SC" in html
    assert html.count("<svg") == len(report["areas"]) + 1  # a chart per area and the trend
    assert "<script" not in html
    for area in report["areas"]:
        for sentence in area["narrative"]:
            assert sentence in html
    pdf = render.render_pdf(report)
    assert pdf.startswith(b"%PDF")


def test_the_programme_report_has_rankings_map_and_pairs(assessed, programme, tmp_path):
    report = content.programme_content(access=Access.operator(programme), run=assessed)
    html = render.render_programme_html(report)
    assert "<svg" in html
    assert "<path" in html
    text = pdf_text(render.render_programme_pdf(report), tmp_path)
    payload = run_payload(assessed)
    for u in payload["units"]:
        if u["unit_type"] not in ("helper", "recipient"):
            continue
        row = next(line for line in text.splitlines() if f" {u['unit']} " in f" {line} ")
        assert {Decimal(u["rank"]), Decimal(str(u["score"]))} <= numbers(row)
    for pair in report["pairs"]:
        assert f"{pair['helper_name']} → {pair['recipient_name']}" in text
