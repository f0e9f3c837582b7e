"""The report's charts as SVG strings, drawn on the server from the content's numbers.

No browser and no script: a bar chart per area (each indicator's value against its target), a
trend line of the total score over the years, and the county map of the programme report
(the county outlines the overview page's map uses, `web/static/vendor/maps/*.json`). Text is
set in the CJK font family, so WeasyPrint and a browser draw it alike.
"""

import json
import math
from functools import cache
from html import escape
from pathlib import Path

FONT = "'Noto Sans CJK SC', 'Noto Serif CJK SC', sans-serif"
MAP_FILE = (
    Path(__file__).parents[1]
    / "web"
    / "static"
    / "vendor"
    / "maps"
    / "zhangjiakou-chengde-baoding.json"
)
COLOURS = {"value": "#b4432f", "target": "#d9d9d9", "axis": "#888", "text": "#333"}
GRADE_COLOURS = ("#1a7f4b", "#7fbf7b", "#f2c14e", "#ea7a4b", "#c8443a")
NO_DATA = "#eeeeee"
GRID = 2  # map outline resolution, in SVG pixels


def _svg(width: float, height: float, body: list[str], title: str) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" '
        f'width="{width:g}" height="{height:g}" role="img" aria-label="{escape(title)}" '
        f'font-family="{escape(FONT)}" font-size="11">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def area_bars(area: dict, *, width: int = 620) -> str:
    """Return the bar chart of an area: per indicator, the value as a share of its target.

    Each row draws the target as a grey bar of fixed length and the value to the same scale
    (values above 150 % of the target are cut at the frame); an indicator without a target or
    a value draws its bar empty. Labels are the indicator keys and completions, as the table
    below the chart prints them.
    """
    rows = [i for i in area["indicators"] if i["kind"] != "flag"]
    row_h, top, left, right = 24, 26, 56, 70
    height = top + row_h * max(len(rows), 1) + 16
    span = width - left - right
    full = span / 1.5  # the target's length: 100 % sits at two thirds of the frame
    body = [
        f'<text x="{left}" y="14" fill="{COLOURS["text"]}">'
        f"{escape(area['name'])}：完成目标情况（灰色为目标）</text>",
        f'<line x1="{left + full:.1f}" y1="{top - 4}" x2="{left + full:.1f}" '
        f'y2="{height - 12}" stroke="{COLOURS["axis"]}" stroke-dasharray="3 2"/>',
    ]
    for n, row in enumerate(rows):
        y = top + n * row_h
        body.append(
            f'<text x="{left - 6}" y="{y + 14}" text-anchor="end" '
            f'fill="{COLOURS["text"]}">{escape(row["key"])}</text>'
        )
        if row["target"] is not None:
            body.append(
                f'<rect x="{left}" y="{y + 3}" width="{full:.1f}" height="16" '
                f'fill="{COLOURS["target"]}"/>'
            )
        share = None
        if row["completion"] is not None:
            share = min(float(row["completion"]) / 100, 1.5)
        if share is not None and share > 0:
            body.append(
                f'<rect x="{left}" y="{y + 7}" width="{full * share:.1f}" height="8" '
                f'fill="{COLOURS["value"]}"/>'
            )
        label = f"{row['completion_text']}%" if row["completion"] is not None else "无目标"
        body.append(
            f'<text x="{width - right + 6}" y="{y + 14}" fill="{COLOURS["text"]}">'
            f"{escape(label)}</text>"
        )
    return _svg(width, height, body, f"{area['name']}完成目标情况")


def trend_line(trend: list[dict], *, width: int = 620, height: int = 180) -> str:
    """Return the line of the total score over the years (one point a year)."""
    left, right, top, bottom = 44, 20, 20, 28
    points = [p for p in trend if p["score"] is not None]
    body = [f'<text x="{left}" y="12" fill="{COLOURS["text"]}">历年考核总分</text>']
    if not points:
        body.append(f'<text x="{left}" y="{height / 2}" fill="{COLOURS["axis"]}">暂无数据</text>')
        return _svg(width, height, body, "历年考核总分")
    high = max(100.0, max(float(p["score"]) for p in points))
    inner_w, inner_h = width - left - right, height - top - bottom
    step = inner_w / max(len(points) - 1, 1)

    def xy(n: int, score: float) -> tuple[float, float]:
        x = left + (n * step if len(points) > 1 else inner_w / 2)
        return x, top + inner_h * (1 - score / high)

    for tick in (0, 25, 50, 75, 100):
        y = top + inner_h * (1 - tick / high)
        body.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" '
            f'stroke="#e5e5e5"/><text x="{left - 6}" y="{y + 4:.1f}" text-anchor="end" '
            f'fill="{COLOURS["axis"]}">{tick}</text>'
        )
    coords = [xy(n, float(p["score"])) for n, p in enumerate(points)]
    body.append(
        '<polyline fill="none" stroke="{}" stroke-width="2" points="{}"/>'.format(
            COLOURS["value"], " ".join(f"{x:.1f},{y:.1f}" for x, y in coords)
        )
    )
    for (x, y), p in zip(coords, points, strict=True):
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{COLOURS["value"]}"/>')
        body.append(
            f'<text x="{x:.1f}" y="{height - 8}" text-anchor="middle" '
            f'fill="{COLOURS["text"]}">{p["year"]}</text>'
        )
    return _svg(width, height, body, "历年考核总分")


@cache
def _outlines(width: int, height: int) -> tuple[tuple[str, str, str], ...]:
    """Return (adcode, name, SVG path) of every county outline, fitted into width × height."""
    if not MAP_FILE.exists():
        return ()
    features = json.loads(MAP_FILE.read_text(encoding="utf-8"))["features"]
    rings_of = []
    for f in features:
        geometry = f["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        rings_of.append((f["properties"], [ring for poly in polygons for ring in poly]))
    lons = [pt[0] for _, rings in rings_of for ring in rings for pt in ring]
    lats = [pt[1] for _, rings in rings_of for ring in rings for pt in ring]
    west, east, south, north = min(lons), max(lons), min(lats), max(lats)
    mid = math.cos(math.radians((south + north) / 2))
    scale = min(width / ((east - west) * mid), height / (north - south))
    outlines = []
    for props, rings in rings_of:
        parts = []
        for ring in rings:
            # On a grid of GRID pixels: a point in the same cell as the last one kept is dropped.
            pts: list[str] = []
            for lon, lat in ring:
                x = round((lon - west) * mid * scale / GRID) * GRID
                y = round((north - lat) * scale / GRID) * GRID
                pt = f"{x},{y}"
                if not pts or pts[-1] != pt:
                    pts.append(pt)
            if len(pts) > 2:
                parts.append("M" + "L".join(pts) + "Z")
        outlines.append((str(props.get("adcode", "")), str(props.get("name", "")), "".join(parts)))
    return tuple(outlines)


def county_map(counties: list[dict], *, width: int = 520, height: int = 560) -> str:
    """Return the county map: each county of the programme filled by its rank band (five
    bands, best dark green), others grey; a grid of tiles when no outlines are available."""
    body = []
    ranked = {c["code"]: c for c in counties}
    count = max(len(counties), 1)

    def colour(county: dict | None) -> str:
        if county is None or county.get("rank") is None:
            return NO_DATA
        band = min(int((county["rank"] - 1) * len(GRADE_COLOURS) / count), len(GRADE_COLOURS) - 1)
        return GRADE_COLOURS[band]

    outlines = _outlines(width, height - 40)
    if outlines:
        for code, name, path in outlines:
            county = ranked.get(code)
            body.append(
                f'<path d="{path}" fill="{colour(county)}" stroke="#fff" stroke-width="0.6">'
                f"<title>{escape(name)}</title></path>"
            )
    else:
        cols = 6
        size = width / cols
        for n, county in enumerate(counties):
            x, y = (n % cols) * size, (n // cols) * size
            body.append(
                f'<rect x="{x + 2:.1f}" y="{y + 2:.1f}" width="{size - 4:.1f}" '
                f'height="{size - 4:.1f}" fill="{colour(county)}"/>'
                f'<text x="{x + size / 2:.1f}" y="{y + size / 2:.1f}" text-anchor="middle" '
                f'fill="#fff">{escape(county["name"])}</text>'
            )
    legend_y = height - 24
    labels = ("前 20%", "20–40%", "40–60%", "60–80%", "后 20%")
    for n, (fill, label) in enumerate(zip(GRADE_COLOURS, labels, strict=True)):
        x = 10 + n * 100
        body.append(
            f'<rect x="{x}" y="{legend_y}" width="14" height="14" fill="{fill}"/>'
            f'<text x="{x + 18}" y="{legend_y + 12}" fill="{COLOURS["text"]}">{label}</text>'
        )
    return _svg(width, height, body, "受援县考核排名分布")
