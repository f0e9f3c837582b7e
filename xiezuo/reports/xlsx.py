"""The self-evaluation report as the workbook offices circulate, from the same content dict as
the HTML and PDF (`xiezuo.reports.content`), so it carries the same numbers.

A unit's workbook: 概要 (total, grade, rank, trend, the narrative and the office's paragraphs),
one sheet per area (each indicator's value, target, completion, score), 成效 (O1–O4), 滞后与整改
(what lags and its rectification items), and one 附件 sheet per annex ledger. The programme's:
概要, a ranking sheet per side, 项目指标, 县域, and 结对对比 (the pairs side by side).

Figures are written as numbers (the content's JSON numbers, never re-rounded); none is "—".
"""

import re
from pathlib import Path
from typing import Any

TITLE = {"bold": True, "font_size": 14}
HEADER = {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
LEVEL_FILLS = {"red": "#F8CBAD", "amber": "#FFE699"}
NONE = "—"
_SHEET_JUNK = re.compile(r"[\[\]:*?/\\]")


class _Book:
    """An xlsxwriter workbook with the report's formats and unique, valid sheet names."""

    def __init__(self, path: Path | str) -> None:
        import xlsxwriter

        self.book = xlsxwriter.Workbook(str(path))
        self.title = self.book.add_format(TITLE)
        self.header = self.book.add_format(HEADER)
        self.text = self.book.add_format({"border": 1, "text_wrap": True, "valign": "top"})
        self.plain = self.book.add_format({"text_wrap": True, "valign": "top"})
        self.integer = self.book.add_format({"num_format": "#,##0", "border": 1})
        self.decimal = self.book.add_format({"num_format": "#,##0.0#####", "border": 1})
        self.fills = {
            level: (
                self.book.add_format({"num_format": "#,##0", "border": 1, "bg_color": colour}),
                self.book.add_format(
                    {"num_format": "#,##0.0#####", "border": 1, "bg_color": colour}
                ),
            )
            for level, colour in LEVEL_FILLS.items()
        }
        self.names: set[str] = set()

    def sheet(self, name: str) -> Any:
        base = _SHEET_JUNK.sub("_", name).strip("'")[:31] or "Sheet"
        unique, n = base, 2
        while unique.lower() in self.names:
            suffix = f"({n})"
            unique, n = base[: 31 - len(suffix)] + suffix, n + 1
        self.names.add(unique.lower())
        return self.book.add_worksheet(unique)

    def number(self, sheet: Any, row: int, col: int, value: Any, level: str = "") -> None:
        """Write a figure as a number (integers without decimals), none as "—"."""
        if value is None or isinstance(value, bool) or not isinstance(value, int | float):
            sheet.write_string(row, col, NONE if value in (None, "") else str(value), self.text)
            return
        integer, decimal = self.fills.get(level, (self.integer, self.decimal))
        style = integer if float(value).is_integer() else decimal
        sheet.write_number(row, col, value, style)

    def header_row(self, sheet: Any, row: int, columns: list[str]) -> None:
        for col, name in enumerate(columns):
            sheet.write_string(row, col, name, self.header)

    def lines(self, sheet: Any, row: int, label: str, texts: list[str]) -> int:
        """Write a label and one text a row below it; return the next free row."""
        if not texts:
            return row
        sheet.write_string(row, 0, label, self.header)
        for offset, text in enumerate(texts, start=1):
            sheet.write_string(row + offset, 0, text, self.plain)
        return row + len(texts) + 2

    def close(self) -> None:
        self.book.close()


def _paragraphs(content: dict, place: str) -> list[str]:
    return [p["text"] for p in content.get("paragraphs") or [] if p.get("after") == place]


def _heading(content: dict) -> str:
    programme = content.get("programme", {}).get("name", "")
    unit = content.get("unit")
    who = f" · {unit['name']}（{unit['code']}）" if unit else ""
    return f"{programme}{who} {content.get('year')} 年度自评报告"


def _facts(book: _Book, sheet: Any, rows: list[tuple[str, Any]]) -> int:
    """Write the label–value rows of a cover sheet from its third row, numbers as numbers;
    return the row after them and a blank one."""
    for row, (label, value) in enumerate(rows, start=2):
        sheet.write_string(row, 0, label, book.text)
        if isinstance(value, int | float) and not isinstance(value, bool):
            book.number(sheet, row, 1, value)
        else:
            sheet.write_string(row, 1, str(value if value is not None else NONE), book.text)
    return len(rows) + 3


def _signature_rows(book: _Book, sheet: Any, row: int, content: dict) -> int:
    signed = content.get("signoff")
    if not signed:
        sheet.write_string(row, 0, "状态", book.text)
        sheet.write_string(row, 1, "未签发（草稿，数据以最新考核运行为准）", book.text)
        return row + 2
    cells = [
        (
            "状态",
            f"已签发 第 {signed['version']} 版" + ("" if signed.get("current") else "（已被替代）"),
        ),
        ("签发人", signed.get("signed_by") or ""),
        ("签发时间", signed.get("signed_at") or ""),
        ("SHA-256", signed.get("sha256") or ""),
    ]
    for offset, (label, value) in enumerate(cells):
        sheet.write_string(row + offset, 0, label, book.text)
        sheet.write_string(row + offset, 1, str(value), book.text)
    return row + len(cells) + 1


# --- a unit's workbook ------------------------------------------------------------------------

INDICATOR_COLUMNS = [
    "指标",
    "名称",
    "单位",
    "值",
    "目标",
    "完成率(%)",
    "得分",
    "满分",
    "预警",
    "记录数",
]


def write_workbook(content: dict, path: Path | str) -> None:
    """Write a unit's report (`report_content`) as the circulated workbook."""
    book = _Book(path)
    _summary_sheet(book, content)
    for area in content.get("areas", []):
        sheet = book.sheet(area["name"])
        sheet.write_string(
            0,
            0,
            f"{area['name']}（得分 {area.get('score_text', NONE)} / {area.get('max_text', NONE)}）",
            book.title,
        )
        row = _indicator_table(book, sheet, 2, area["indicators"])
        row = book.lines(sheet, row + 1, "说明", list(area.get("narrative") or []))
        book.lines(sheet, row, "补充说明", _paragraphs(content, area["key"]))
    outcomes = (content.get("outcomes") or {}).get("indicators") or []
    if outcomes:
        sheet = book.sheet("成效")
        sheet.write_string(0, 0, "脱贫成效（O1–O4）", book.title)
        _indicator_table(book, sheet, 2, outcomes)
    _lags_sheet(book, content.get("lags") or [])
    for n, annex in enumerate((content.get("annexes") or {}).get("ledgers") or [], start=1):
        _annex_sheet(book, n, annex)
    book.close()


def _summary_sheet(book: _Book, content: dict) -> None:
    sheet = book.sheet("概要")
    sheet.write_string(0, 0, _heading(content), book.title)
    unit = content.get("unit") or {}
    summary = content.get("summary") or {}
    rows: list[tuple[str, Any]] = [
        ("单位", f"{unit.get('name', '')}（{unit.get('code', '')}）"),
        ("单位类型", unit.get("type_name", "")),
        ("结对", "、".join(unit.get("partners") or [])),
        ("年度", content.get("year")),
        ("数据截至", content.get("as_of", "")),
        ("考核运行", (content.get("run") or {}).get("id")),
        ("总分", summary.get("score")),
        ("满分", summary.get("max")),
        ("等次", summary.get("grade", "")),
        ("排名", summary.get("rank")),
        ("同类单位数", summary.get("of")),
    ]
    row = _signature_rows(book, sheet, _facts(book, sheet, rows), content)
    trend = summary.get("trend") or []
    if trend:
        book.header_row(sheet, row, ["年度", "总分", "等次", "排名"])
        for offset, point in enumerate(trend, start=1):
            book.number(sheet, row + offset, 0, point.get("year"))
            book.number(sheet, row + offset, 1, point.get("score"))
            sheet.write_string(row + offset, 2, point.get("grade") or "", book.text)
            book.number(sheet, row + offset, 3, point.get("rank"))
        row += len(trend) + 2
    row = book.lines(sheet, row, "总体情况", list(summary.get("narrative") or []))
    book.lines(sheet, row, "补充说明", _paragraphs(content, "summary"))
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 60)


def _indicator_table(book: _Book, sheet: Any, row: int, indicators: list[dict]) -> int:
    book.header_row(sheet, row, INDICATOR_COLUMNS)
    for offset, ind in enumerate(indicators, start=1):
        r = row + offset
        alert = ind.get("alert") or {}
        level = alert.get("level", "")
        sheet.write_string(r, 0, ind["key"], book.text)
        sheet.write_string(r, 1, ind.get("name", ""), book.text)
        sheet.write_string(r, 2, ind.get("unit", ""), book.text)
        book.number(sheet, r, 3, ind.get("value"), level)
        book.number(sheet, r, 4, ind.get("target"))
        book.number(sheet, r, 5, ind.get("completion"))
        book.number(sheet, r, 6, ind.get("score"))
        book.number(sheet, r, 7, ind.get("max"))
        sheet.write_string(r, 8, alert.get("level_name", ""), book.text)
        book.number(sheet, r, 9, (ind.get("records") or {}).get("count"))
    sheet.set_column(0, 0, 8)
    sheet.set_column(1, 1, 40)
    sheet.set_column(2, 9, 12)
    return row + len(indicators) + 1


def _lags_sheet(book: _Book, lags: list[dict]) -> None:
    sheet = book.sheet("滞后与整改")
    book.header_row(
        sheet,
        0,
        ["指标", "名称", "预警", "值", "应达值", "整改事项", "状态", "整改期限", "责任单位"],
    )
    row = 1
    for lag in lags:
        items = lag.get("items") or [{}]
        for item in items:
            sheet.write_string(row, 0, lag.get("indicator", ""), book.text)
            sheet.write_string(row, 1, lag.get("name", ""), book.text)
            sheet.write_string(row, 2, lag.get("level_name", ""), book.text)
            book.number(sheet, row, 3, lag.get("value"), lag.get("level", ""))
            book.number(sheet, row, 4, lag.get("expected"))
            sheet.write_string(row, 5, item.get("title", ""), book.text)
            sheet.write_string(row, 6, item.get("status_name", ""), book.text)
            sheet.write_string(row, 7, item.get("deadline", ""), book.text)
            sheet.write_string(row, 8, item.get("office", ""), book.text)
            row += 1
    if not lags:
        sheet.write_string(1, 0, "无滞后指标。", book.plain)
    sheet.set_column(1, 1, 30)
    sheet.set_column(5, 5, 40)
    sheet.set_column(8, 8, 20)


def _annex_sheet(book: _Book, n: int, annex: dict) -> None:
    sheet = book.sheet(f"附件{n} {annex.get('title', annex.get('ledger', ''))}")
    shown = len(annex.get("rows") or [])
    total = annex.get("count", shown)
    sheet.write_string(
        0, 0, f"附件{n}：{annex.get('title', '')}（共 {total} 条，列出 {shown} 条）", book.title
    )
    book.header_row(sheet, 2, list(annex.get("columns") or []))
    for r, cells in enumerate(annex.get("rows") or [], start=3):
        for c, cell in enumerate(cells):
            sheet.write_string(r, c, str(cell), book.text)
    sheet.set_column(0, len(annex.get("columns") or []), 16)


# --- the programme's workbook -----------------------------------------------------------------


def _score(text: Any) -> Any:
    """Return a score printed as text ("1,234.50") as a number, "—" as None."""
    if isinstance(text, int | float):
        return text
    try:
        return float(str(text).replace(",", ""))
    except ValueError:
        return None


def write_programme_workbook(content: dict, path: Path | str) -> None:
    """Write the programme's report (`programme_content`) as a workbook."""
    book = _Book(path)
    sheet = book.sheet("概要")
    sheet.write_string(0, 0, _heading(content), book.title)
    summary = content.get("summary") or {}
    units = summary.get("units") or {}
    rows: list[tuple[str, Any]] = [
        ("项目", (content.get("programme") or {}).get("name", "")),
        ("年度", content.get("year")),
        ("数据截至", content.get("as_of", "")),
        ("考核运行", (content.get("run") or {}).get("id")),
        ("总分", summary.get("score")),
        ("等次", summary.get("grade", "")),
        ("帮扶方数", units.get("helper")),
        ("受援方数", units.get("recipient")),
    ]
    row = _signature_rows(book, sheet, _facts(book, sheet, rows), content)
    row = book.lines(sheet, row, "总体情况", list(summary.get("narrative") or []))
    book.lines(sheet, row, "补充说明", _paragraphs(content, "summary"))
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 60)

    work_areas = list(content.get("work_areas") or [])
    for side, label in (("helper", "帮扶方排名"), ("recipient", "受援方排名")):
        ranking = (content.get("rankings") or {}).get(side) or []
        sheet = book.sheet(label)
        book.header_row(sheet, 0, ["排名", "代码", "名称", *work_areas, "总分", "等次"])
        for r, unit in enumerate(ranking, start=1):
            book.number(sheet, r, 0, unit.get("rank"))
            sheet.write_string(r, 1, unit.get("code", ""), book.text)
            sheet.write_string(r, 2, unit.get("name", ""), book.text)
            for c, area in enumerate(work_areas, start=3):
                book.number(sheet, r, c, _score((unit.get("areas") or {}).get(area)))
            book.number(sheet, r, len(work_areas) + 3, unit.get("score"))
            sheet.write_string(r, len(work_areas) + 4, unit.get("grade", ""), book.text)
        sheet.freeze_panes(1, 3)
        sheet.set_column(2, 2, 18)

    sheet = book.sheet("项目指标")
    row = 0
    for area in content.get("areas") or []:
        sheet.write_string(row, 0, area["name"], book.title)
        row = _indicator_table(book, sheet, row + 1, area.get("indicators") or []) + 1
        row = book.lines(sheet, row, "补充说明", _paragraphs(content, area["key"]))

    county_map = content.get("map") or []
    if county_map:
        sheet = book.sheet("县域")
        book.header_row(
            sheet, 0, ["代码", "名称", "排名", "总分", "等次", "O1 贫困发生率(%)", "帮扶方"]
        )
        for r, county in enumerate(county_map, start=1):
            sheet.write_string(r, 0, county.get("code", ""), book.text)
            sheet.write_string(r, 1, county.get("name", ""), book.text)
            book.number(sheet, r, 2, county.get("rank"))
            book.number(sheet, r, 3, county.get("score"))
            sheet.write_string(r, 4, county.get("grade", ""), book.text)
            book.number(sheet, r, 5, county.get("value"))
            sheet.write_string(r, 6, "、".join(county.get("helpers") or []), book.text)
        sheet.set_column(1, 1, 16)
        sheet.set_column(6, 6, 30)

    _pairs_sheet(book, content.get("pairs") or [])
    book.close()


def _pairs_sheet(book: _Book, pairs: list[dict]) -> None:
    """The pairs side by side: one row per indicator, one column per pair."""
    sheet = book.sheet("结对对比")
    keys: dict[str, tuple[str, str]] = {}
    for pair in pairs:
        for ind in pair.get("indicators") or []:
            keys.setdefault(ind["key"], (ind.get("name", ""), ind.get("unit", "")))
    book.header_row(
        sheet,
        0,
        ["指标", "名称", "单位", *(f"{p['helper_name']}→{p['recipient_name']}" for p in pairs)],
    )
    for r, (key, (name, unit)) in enumerate(keys.items(), start=1):
        sheet.write_string(r, 0, key, book.text)
        sheet.write_string(r, 1, name, book.text)
        sheet.write_string(r, 2, unit, book.text)
        for c, pair in enumerate(pairs, start=3):
            values = {i["key"]: i.get("value") for i in pair.get("indicators") or []}
            book.number(sheet, r, c, values.get(key))
    sheet.freeze_panes(1, 3)
    sheet.set_column(1, 1, 30)
    sheet.set_column(3, 3 + len(pairs), 16)
