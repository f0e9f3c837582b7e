"""A stored run rendered for people: rich tables on a terminal, the circulated XLSX workbook."""

from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from xiezuo.assessment import catalog
from xiezuo.assessment.models import AssessmentRun
from xiezuo.programs.keys import ARROW, unit_codes
from xiezuo.regions.selectors import names_for

SIDES = (
    ("pairing", "结对"),
    ("helper", "帮扶方"),
    ("recipient", "受援方"),
    ("programme", "项目"),
)
LEVEL_NAMES = {"red": "红色预警", "amber": "黄色预警"}


def unit_names(run: AssessmentRun) -> dict[tuple[str, str], str]:
    """Return the display name of every unit of a run (region names; `A→B` for pairings)."""
    keys = set(run.units.values_list("unit_type", "unit"))
    names = names_for(code for unit_type, unit in keys for code in unit_codes(unit_type, unit))
    found = {}
    for unit_type, unit in keys:
        if unit_type == "programme":
            found[(unit_type, unit)] = run.programme.name
        else:
            found[(unit_type, unit)] = ARROW.join(
                names.get(code, code) for code in unit_codes(unit_type, unit)
            )
    return found


def print_tables(run: AssessmentRun, console: Console) -> None:
    """Print one table per unit type: area scores, total, grade, rank and alerts."""
    names = unit_names(run)
    areas = catalog.areas()
    area_of = {i.id: i.area for i in catalog.indicators()}
    area_scores: dict[tuple[str, str], dict[str, Decimal]] = defaultdict(dict)
    for r in run.results.all():
        if r.score is not None:
            scores = area_scores[(r.unit_type, r.unit)]
            area = area_of.get(r.indicator, "")
            scores[area] = scores.get(area, Decimal(0)) + r.score
    alerts: dict[tuple[str, str], list[str]] = defaultdict(list)
    for a in run.alerts.all():
        alerts[(a.unit_type, a.unit)].append(
            f"[{'red' if a.level == 'red' else 'yellow'}]{a.indicator}[/]"
        )
    title = f"{run.programme.name} {run.year} 年度考核（截至 {run.as_of}，{run.engine}）"
    console.print(f"[bold]{title}[/]")
    for unit_type, label in SIDES:
        units = [u for u in run.units.all() if u.unit_type == unit_type]
        if not units:
            continue
        table = Table(title=label, show_lines=False)
        table.add_column("排名", justify="right")
        table.add_column("单位")
        for area in areas:
            table.add_column(area, justify="right")
        table.add_column("总分", justify="right")
        table.add_column("等次")
        table.add_column("预警")
        for u in units:
            scores = area_scores[(unit_type, u.unit)]
            table.add_row(
                str(u.rank),
                f"{names.get((unit_type, u.unit), u.unit)} ({u.unit})",
                *(f"{scores[a]:.2f}" if a in scores else "—" for a in areas),
                f"{u.score:.2f}",
                u.grade,
                " ".join(alerts.get((unit_type, u.unit), [])),
            )
        console.print(table)


def write_workbook(run: AssessmentRun, path: Path | str) -> None:
    """Write the assessment workbook: one sheet per unit type, indicators as columns, total,
    grade and rank, lagging cells coloured by their alert; a sheet of the indicators and one
    of the alerts."""
    import xlsxwriter

    indicators = catalog.indicators()
    names = unit_names(run)
    values: dict[tuple[str, str, str], Any] = {
        (r.unit_type, r.unit, r.indicator): r for r in run.results.all()
    }
    alert_of = {(a.unit_type, a.unit, a.indicator): a for a in run.alerts.all()}
    book = xlsxwriter.Workbook(str(path))
    title = book.add_format({"bold": True, "font_size": 14})
    header = book.add_format(
        {"bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "valign": "top"}
    )
    number = book.add_format({"num_format": "#,##0.00", "border": 1})
    text = book.add_format({"border": 1})
    fills = {
        "red": book.add_format({"num_format": "#,##0.00", "border": 1, "bg_color": "#F8CBAD"}),
        "amber": book.add_format({"num_format": "#,##0.00", "border": 1, "bg_color": "#FFE699"}),
    }
    heading = f"{run.programme.name} {run.year} 年度考核（截至 {run.as_of}）"
    for unit_type, label in SIDES:
        units = [u for u in run.units.all() if u.unit_type == unit_type]
        if not units:
            continue
        shown = [i for i in indicators if unit_type in i.unit_types]
        sheet = book.add_worksheet(label)
        sheet.write(0, 0, f"{heading} · {label}", title)
        columns = [
            "排名",
            "单位代码",
            "单位名称",
            *(f"{i.id}\n{i.name_zh}（{i.unit}）" for i in shown),
        ]
        columns += ["总分", "等次"]
        for col, name in enumerate(columns):
            sheet.write(2, col, name, header)
        sheet.set_row(2, 60)
        for row, u in enumerate(units, start=3):
            sheet.write_number(row, 0, u.rank, text)
            sheet.write_string(row, 1, u.unit, text)
            sheet.write_string(row, 2, names.get((unit_type, u.unit), u.unit), text)
            for col, ind in enumerate(shown, start=3):
                result = values.get((unit_type, u.unit, ind.id))
                alert = alert_of.get((unit_type, u.unit, ind.id))
                style = fills[alert.level] if alert else number
                if result is None or result.value is None:
                    sheet.write_string(row, col, "—", style)
                else:
                    sheet.write_number(row, col, float(result.value), style)
            sheet.write_number(row, len(shown) + 3, float(u.score), number)
            sheet.write_string(row, len(shown) + 4, u.grade, text)
        sheet.freeze_panes(3, 3)
        sheet.set_column(0, 0, 6)
        sheet.set_column(1, 1, 16)
        sheet.set_column(2, 2, 22)
        sheet.set_column(3, len(shown) + 4, 12)
    _indicator_sheet(book, run, header, text)
    _alert_sheet(book, run, names, header, text, number)
    book.close()


def _indicator_sheet(book: Any, run: AssessmentRun, header: Any, text: Any) -> None:
    sheet = book.add_worksheet("指标说明")
    defaults = {
        r.indicator: r
        for r in run.programme.indicator_targets.filter(year=run.year, unit_type="pairing", unit="")
    }
    columns = ["指标", "领域", "名称", "单位", "方向", "每结对目标", "权重"]
    for col, name in enumerate(columns):
        sheet.write(0, col, name, header)
    for row, ind in enumerate(catalog.indicators(), start=1):
        target = defaults.get(ind.id)
        cells = [
            ind.id,
            ind.area,
            ind.name_zh,
            ind.unit,
            "越高越好" if ind.direction == "higher" else "越低越好",
            "无目标" if target is None or target.target is None else float(target.target),
            "" if target is None else float(target.weight),
        ]
        for col, cell in enumerate(cells):
            sheet.write(row, col, cell, text)
    sheet.set_column(2, 2, 60)
    sheet.write(len(catalog.indicators()) + 2, 0, "目标与权重为协作平台默认值，非官方标准。")


def _alert_sheet(
    book: Any, run: AssessmentRun, names: dict, header: Any, text: Any, number: Any
) -> None:
    sheet = book.add_worksheet("预警")
    columns = ["级别", "单位类型", "单位代码", "单位名称", "指标", "值", "应达值"]
    for col, name in enumerate(columns):
        sheet.write(0, col, name, header)
    labels = dict(SIDES)
    for row, a in enumerate(run.alerts.all(), start=1):
        sheet.write(row, 0, LEVEL_NAMES[a.level], text)
        sheet.write(row, 1, labels[a.unit_type], text)
        sheet.write(row, 2, a.unit, text)
        sheet.write(row, 3, names.get((a.unit_type, a.unit), a.unit), text)
        sheet.write(row, 4, a.indicator, text)
        sheet.write_number(row, 5, float(a.value), number)
        sheet.write_number(row, 6, float(a.expected), number)
    if not run.alerts.exists():
        sheet.write(1, 0, "本次运行无预警（截至日期不在年度内时不预警）。", text)
    sheet.set_column(3, 3, 24)
