"""Writes to the region tables: the division table and county flags.

Rural population is a ledger like the others: `xiezuo import population FILE`.
"""

import csv
import gzip
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import transaction

from xiezuo.core.bulk import bulk_insert
from xiezuo.regions.errors import RegionDataError
from xiezuo.regions.models import Region

DATA_DIR = Path(__file__).resolve().parent / "data"
DIVISIONS_FILE = DATA_DIR / "divisions.csv.gz"
COUNTY_FLAGS_FILE = DATA_DIR / "county_flags.csv"

REGION_FIELDS = ("code", "name", "level", "parent_id", "poor_county", "deep_poverty", "exit_year")
# How many errors the message spells out; `extra["errors"]` holds all of them.
ERRORS_IN_MESSAGE = 5


def load_divisions(*, path: Path | None = None) -> int:
    """Add the divisions of the data file that the table does not hold yet; return how many.

    Rows already present, with their flags and everything that refers to them, are left as
    they are, so loading twice changes nothing. The rows go in through the bulk path inside one
    transaction, parents before children (a parent's code is a prefix of its children's).
    """
    path = path or DIVISIONS_FILE
    with transaction.atomic():
        existing = set(Region.objects.values_list("code", flat=True))
        rows = [row for row in _division_rows(path) if row[0] not in existing]
        return bulk_insert(Region, REGION_FIELDS, rows)


def _division_rows(path: Path) -> Iterator[tuple[Any, ...]]:
    with gzip.open(path, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        header = next(reader)
        if tuple(header) != ("code", "name", "level", "parent"):
            raise RegionDataError(f"区划文件表头不符: {header}", path=str(path))
        for code, name, level, parent in reader:
            yield code, name, int(level), parent or None, False, False, None


def load_county_flags(*, path: Path | None = None) -> int:
    """Set poor-county, deep-poverty and exit-year flags from a CSV file; return the count.

    The file has columns code, poor_county, deep_poverty, exit_year (others, such as name and
    source, are ignored). Every code must be a county already in the table.
    """
    path = path or COUNTY_FLAGS_FILE
    with path.open(encoding="utf-8-sig", newline="") as handle:
        records = list(csv.DictReader(handle))
    errors: list[dict[str, Any]] = []
    flags: dict[str, tuple[bool, bool, int | None]] = {}
    rows_of: dict[str, int] = {}
    columns = (("poor_county", _flag), ("deep_poverty", _flag), ("exit_year", _optional_year))
    for row_number, record in enumerate(records, start=2):
        code = (record.get("code") or "").strip()
        values: list[Any] = []
        for column, parse in columns:
            try:
                values.append(parse(record.get(column)))
            except ValueError as error:
                errors.append({"row": row_number, "column": column, "message": str(error)})
        if code in rows_of:
            message = f"与第 {rows_of[code]} 行重复: {code}"
            errors.append({"row": row_number, "column": "code", "message": message})
        rows_of.setdefault(code, row_number)
        if len(values) == len(columns):
            flags[code] = (values[0], values[1], values[2])
    counties = Region.objects.in_bulk(list(rows_of), field_name="code")
    for code, row_number in rows_of.items():
        region = counties.get(code)
        if region is None or region.level != Region.LevelChoices.COUNTY:
            errors.append({"row": row_number, "column": "code", "message": f"不是已知的县: {code}"})
    _raise_if(errors, path)
    with transaction.atomic():
        for code, (poor, deep, exit_year) in flags.items():
            region = counties[code]
            region.poor_county, region.deep_poverty, region.exit_year = poor, deep, exit_year
        Region.objects.bulk_update(
            [counties[code] for code in flags], ["poor_county", "deep_poverty", "exit_year"]
        )
    return len(flags)


def _flag(value: str | None) -> bool:
    text = (value or "").strip().lower()
    if text in {"1", "true", "yes", "是"}:
        return True
    if text in {"0", "false", "no", "否", ""}:
        return False
    raise ValueError(f"不是是/否值: {value!r}")


def _optional_year(value: str | None) -> int | None:
    text = (value or "").strip()
    return _year(text) if text else None


def _whole_number(text: str) -> int:
    """Return the integer a cell holds: '12,345', '2019.0' and full-width digits are accepted."""
    text = unicodedata.normalize("NFKC", text).replace(",", "").strip()
    if not text:
        raise ValueError("不能为空")
    try:
        number = float(text) if any(c in text for c in ".eE") else int(text)
    except ValueError:
        raise ValueError(f"不是数字: {text!r}") from None
    if number != int(number):
        raise ValueError(f"不是整数: {text!r}")
    return int(number)


def _year(text: str) -> int:
    year = _whole_number(text)
    if not 1949 <= year <= 2100:
        raise ValueError(f"年度超出范围: {year}")
    return year


def _raise_if(errors: list[dict[str, Any]], path: Path) -> None:
    if not errors:
        return
    errors.sort(key=lambda error: (error["row"] or 0, error["column"] or ""))
    shown = "；".join(
        f"第 {error['row']} 行「{error['column']}」: {error['message']}"
        for error in errors[:ERRORS_IN_MESSAGE]
    )
    more = f"；另有 {len(errors) - ERRORS_IN_MESSAGE} 处" if len(errors) > ERRORS_IN_MESSAGE else ""
    raise RegionDataError(
        f"{path.name} 有 {len(errors)} 处错误，未载入任何数据：{shown}{more}",
        path=str(path),
        errors=errors,
    )
