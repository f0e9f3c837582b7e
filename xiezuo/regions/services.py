"""Writes to the region tables: the division table, county flags and rural population."""

import csv
import gzip
import io
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from django.db import transaction

from xiezuo.core import codes
from xiezuo.core.bulk import bulk_insert
from xiezuo.regions.errors import RegionDataError
from xiezuo.regions.models import Region, RuralPopulation

DATA_DIR = Path(__file__).resolve().parent / "data"
DIVISIONS_FILE = DATA_DIR / "divisions.csv.gz"
COUNTY_FLAGS_FILE = DATA_DIR / "county_flags.csv"

REGION_FIELDS = ("code", "name", "level", "parent_id", "poor_county", "deep_poverty", "exit_year")
POPULATION_COLUMNS = ("区划代码", "年度", "乡村户籍人口")
# How far down a title block may push the header row of a population sheet.
HEADER_SEARCH_ROWS = 10
# How many errors the message spells out; `extra["errors"]` holds all of them.
ERRORS_IN_MESSAGE = 5
# Codes per `IN (...)` query: SQLite caps the parameters of one statement.
IN_CHUNK = 900


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


def load_population(*, path: Path) -> int:
    """Load rural registered population (区划代码, 年度, 乡村户籍人口) from CSV or XLSX.

    A row replaces the stored value of its (region, year). Every bad cell is reported as
    (row, column, message) with the row number the spreadsheet shows; if there is any, nothing
    is loaded. Return the number of rows loaded.
    """
    path = Path(path)
    table = _read_table(path)
    header_index = _find_header(table, path)
    header = [cell.strip() for cell in table[header_index]]
    position = {name: header.index(name) for name in POPULATION_COLUMNS}
    errors: list[dict[str, Any]] = []
    records: dict[tuple[str, int], tuple[int, int]] = {}  # (code, year) -> (population, row)
    for index in range(header_index + 1, len(table)):
        cells = table[index]
        if not any(cell.strip() for cell in cells):
            continue
        row_number = index + 1
        values = {name: _cell(cells, position[name]) for name in POPULATION_COLUMNS}
        parsed: dict[str, Any] = {}
        for column, parse in (("区划代码", _code), ("年度", _year), ("乡村户籍人口", _count)):
            try:
                parsed[column] = parse(values[column])
            except ValueError as error:
                errors.append({"row": row_number, "column": column, "message": str(error)})
        if len(parsed) < len(POPULATION_COLUMNS):
            continue
        key = (parsed["区划代码"], parsed["年度"])
        if key in records:
            first = records[key][1]
            message = f"与第 {first} 行重复: {key[0]} {key[1]} 年"
            errors.append({"row": row_number, "column": "区划代码", "message": message})
            continue
        records[key] = (parsed["乡村户籍人口"], row_number)
    known: set[str] = set()
    for chunk in _chunks(sorted({code for code, _ in records})):
        known.update(Region.objects.filter(code__in=chunk).values_list("code", flat=True))
    for (code, _), (_, row_number) in records.items():
        if code not in known:
            errors.append(
                {"row": row_number, "column": "区划代码", "message": f"未知区划代码: {code}"}
            )
    _raise_if(errors, path)
    with transaction.atomic():
        for year in {year for _, year in records}:
            for chunk in _chunks(sorted(code for code, y in records if y == year)):
                RuralPopulation.objects.filter(year=year, region_id__in=chunk).delete()
        return bulk_insert(
            RuralPopulation,
            ("region_id", "year", "population"),
            ((code, year, population) for (code, year), (population, _) in records.items()),
        )


def _read_table(path: Path) -> list[list[str]]:
    """Return every row of the first sheet (or the CSV) as text cells."""
    suffix = path.suffix.lower()
    if suffix in {".xlsx", ".xlsm", ".xls"}:
        import fastexcel

        try:
            sheet = fastexcel.read_excel(path).load_sheet(
                0, header_row=None, skip_rows=0, dtypes="string"
            )
        except Exception as error:  # fastexcel raises its own tree; name the file either way
            raise RegionDataError(f"无法读取 Excel 文件: {error}", path=str(path)) from error
        frame = sheet.to_polars()
        return [["" if cell is None else str(cell) for cell in row] for row in frame.iter_rows()]
    if suffix == ".csv":
        raw = path.read_bytes()
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                text = raw.decode(encoding)
            except UnicodeDecodeError:
                continue
            return [list(row) for row in csv.reader(io.StringIO(text, newline=""))]
        raise RegionDataError("CSV 文件编码无法识别（应为 UTF-8 或 GB18030）", path=str(path))
    raise RegionDataError(f"不支持的文件类型: {path.suffix}（应为 .csv 或 .xlsx）", path=str(path))


def _find_header(table: list[list[str]], path: Path) -> int:
    for index, row in enumerate(table[:HEADER_SEARCH_ROWS]):
        if set(POPULATION_COLUMNS) <= {cell.strip() for cell in row}:
            return index
    raise RegionDataError(
        f"未找到表头行：前 {HEADER_SEARCH_ROWS} 行中没有同时含有"
        f" {'、'.join(POPULATION_COLUMNS)} 的行",
        path=str(path),
        errors=[{"row": None, "column": None, "message": "缺少表头"}],
    )


def _cell(cells: list[str], position: int) -> str:
    return cells[position].strip() if position < len(cells) else ""


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


def _code(text: str) -> str:
    """Return a division code; full-width digits and Excel's trailing '.0' are undone."""
    text = unicodedata.normalize("NFKC", text).strip()
    if text.endswith(".0"):  # a code Excel stored as a number
        text = text[:-2]
    if not text:
        raise ValueError("不能为空")
    try:
        if not text.isascii():
            raise ValueError(text)
        codes.level_of(text)
    except ValueError:
        raise ValueError(f"不是有效的区划代码: {text!r}") from None
    return text


def _year(text: str) -> int:
    year = _whole_number(text)
    if not 1949 <= year <= 2100:
        raise ValueError(f"年度超出范围: {year}")
    return year


def _count(text: str) -> int:
    count = _whole_number(text)
    if count < 0:
        raise ValueError(f"不能为负数: {count}")
    return count


def _chunks(items: list[str]) -> Iterator[list[str]]:
    """Yield slices small enough for one `IN (...)` on every backend (village files are big)."""
    for start in range(0, len(items), IN_CHUNK):
        yield items[start : start + IN_CHUNK]


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
