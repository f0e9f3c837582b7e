"""A report's content as a printable HTML page and as a PDF, from one template.

Rendering depends on the content dict only (see `content.py`): a frozen report stored as its
content renders the same years later. Charts are drawn here, from the content's numbers
(`charts.py`). The PDF is WeasyPrint's rendering of the same HTML (imported when a PDF is
made); its font configuration is made once per process and reused.
"""

from functools import cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string
from django.utils.safestring import mark_safe

from xiezuo.core.errors import XiezuoError
from xiezuo.reports import charts


class ReportFormatError(XiezuoError):
    """A format the reports cannot be written in (yet)."""


SIDES = (("helper", "帮扶方（区）"), ("recipient", "受援方（县）"))


def render_html(content: dict) -> str:
    """Return a unit's report as a standalone printable HTML page."""
    paragraphs = content.get("paragraphs") or []
    areas = [
        {
            **area,
            "chart": mark_safe(charts.area_bars(area)),  # noqa: S308 - drawn here, escaped
            "paragraphs": [_text(p) for p in paragraphs if _after(p) == area["key"]],
        }
        for area in content["areas"]
    ]
    keys = {area["key"] for area in content["areas"]}
    context: dict[str, Any] = {
        "c": content,
        "areas": areas,
        "paragraphs": [_text(p) for p in paragraphs if _after(p) not in keys],
        "charts": {"trend": mark_safe(charts.trend_line(content["summary"]["trend"]))},  # noqa: S308
    }
    return render_to_string("reports/report.html", context)


def _after(paragraph: Any) -> str:
    return paragraph.get("after", "summary") if isinstance(paragraph, dict) else "summary"


def _text(paragraph: Any) -> str:
    return str(paragraph.get("text", "")) if isinstance(paragraph, dict) else str(paragraph)


def render_programme_html(content: dict) -> str:
    """Return the programme's report as a standalone printable HTML page."""
    sides = [
        {
            "title": title,
            "rows": [
                {**row, "area_list": [row["areas"].get(a, "—") for a in content["work_areas"]]}
                for row in content["rankings"].get(side, [])
            ],
        }
        for side, title in SIDES
    ]
    context = {
        "c": content,
        "paragraphs": [_text(p) for p in content.get("paragraphs") or []],
        "sides": sides,
        "charts": {"map": mark_safe(charts.county_map(content["map"]))},  # noqa: S308
    }
    return render_to_string("reports/programme.html", context)


def render_pdf(content: dict) -> bytes:
    """Return a unit's report as PDF bytes."""
    return html_to_pdf(render_html(content))


def render_programme_pdf(content: dict) -> bytes:
    """Return the programme's report as PDF bytes."""
    return html_to_pdf(render_programme_html(content))


@cache
def _fonts() -> Any:
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


def html_to_pdf(html: str) -> bytes:
    """Return the PDF of a standalone HTML page (WeasyPrint, fonts configured once)."""
    import logging

    from weasyprint import HTML

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    logging.getLogger("fontTools").setLevel(logging.ERROR)
    document = HTML(string=html, base_url=None)
    return document.write_pdf(font_config=_fonts())


def write_report(content: dict, *, fmt: str, path: Path) -> None:
    """Write a report's content as `fmt` (pdf, html or xlsx) to `path`."""
    programme = content.get("kind") == "programme"
    if fmt == "pdf":
        data = render_programme_pdf(content) if programme else render_pdf(content)
        path.write_bytes(data)
    elif fmt == "html":
        text = render_programme_html(content) if programme else render_html(content)
        path.write_text(text, encoding="utf-8")
    elif fmt == "xlsx":
        try:
            from xiezuo.reports.xlsx import write_workbook  # type: ignore[import-not-found]
        except ImportError:
            raise ReportFormatError("本版本尚不能写出 XLSX 格式的自评报告") from None
        write_workbook(content, path)
    else:
        raise ReportFormatError(f"未知的报告格式 {fmt}（可用：pdf、html、xlsx）")
