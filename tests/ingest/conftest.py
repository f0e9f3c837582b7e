"""Helpers for the ingest tests: files written the way officials' tools write them."""

import csv
import datetime as dt
import hashlib
import io

import pytest
import xlsxwriter
from django.db import connection

from xiezuo.access import Access
from xiezuo.core.ids import make_id
from xiezuo.ingest.catalog import ledger

LEDGER_TABLES = (
    "regions_region",
    "regions_ruralpopulation",
    "registry_household",
    "registry_member",
    "registry_income",
)

HOUSEHOLD_HEADERS = ledger("households").headers
MEMBER_HEADERS = ledger("members").headers
INCOME_HEADERS = ledger("incomes").headers


def write_xlsx(path, rows, *, sheet="台账", title=None, notes=None, before=(), formats=None):
    """Write `rows` (the first is the header) under an optional title and notes row.

    str cells are written as text, int/float as numbers, None left empty; a str starting with
    "=" is written as a formula. `before` names empty sheets placed ahead of this one.
    """
    workbook = xlsxwriter.Workbook(str(path))
    for name in before:
        workbook.add_worksheet(name).write(0, 0, "说明")
    worksheet = workbook.add_worksheet(sheet)
    r = 0
    for line in (title, notes):
        if line is not None:
            worksheet.write_string(r, 0, line)
            r += 1
    for row in rows:
        for c, value in enumerate(row):
            if value is None:
                continue
            if isinstance(value, str) and value.startswith("="):
                worksheet.write_formula(r, c, value)
            elif isinstance(value, str):
                worksheet.write_string(r, c, value)
            else:
                worksheet.write_number(r, c, value)
        r += 1
    if formats:
        formats(workbook, worksheet)
    workbook.close()
    return path


def write_csv(path, rows, *, encoding="utf-8", title=None):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if title:
        writer.writerow([title])
    writer.writerows([["" if v is None else v for v in row] for row in rows])
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def household_row(n, *, village="130723100201", **changes):
    """Return one valid households row (as text cells, catalog order)."""
    values = {
        "户编号": f"{village}{n:05d}",
        "村代码": village,
        "户主姓名": f"户主{n}",
        "户主证件号码": make_id(village[:6], dt.date(1960, 1, 1), n),
        "家庭人口数": "3",
        "贫困户属性": "一般贫困户",
        "识别标准": "国家标准",
        "主要致贫原因": "因病",
        "其他致贫原因": "缺技术、缺资金",
        "识别年度": "2015",
        "脱贫状态": "已脱贫(享受政策)",
        "脱贫年度": "2018",
        "返贫年度": "",
    }
    values.update(changes)
    return [values[h] for h in HOUSEHOLD_HEADERS]


def member_row(household_no, n, **changes):
    birth = dt.date(1960, 1, 1) + dt.timedelta(days=400 * (n % 50) + n // 1000)
    values = {
        "户编号": household_no,
        "姓名": f"成员{n}",
        "证件号码": make_id("130723", birth, n % 1000),
        "性别": "男" if n % 2 else "女",
        "出生日期": birth.isoformat(),
        "与户主关系": "本人" if n == 1 else "之子",
        "健康状况": "健康",
        "劳动技能": "普通劳动力",
        "务工状况": "县外省内",
    }
    values.update(changes)
    return [values[h] for h in MEMBER_HEADERS]


def income_row(household_no, year, **changes):
    values = {
        "户编号": household_no,
        "年度": str(year),
        "工资性收入(元)": "8,600.00",
        "生产经营性收入(元)": "2300",
        "财产性收入(元)": "150.5",
        "转移性收入(元)": "3100",
        "生产经营性支出(元)": "900",
    }
    values.update(changes)
    return [values[h] for h in INCOME_HEADERS]


def snapshot():
    """Return {table: (row count, checksum of every row)} of the ledger tables."""
    result = {}
    with connection.cursor() as cursor:
        for table in LEDGER_TABLES:
            cursor.execute(f"SELECT * FROM {table} ORDER BY 1")
            rows = cursor.fetchall()
            digest = hashlib.sha256(repr(rows).encode()).hexdigest()
            result[table] = (len(rows), digest)
    return result


@pytest.fixture
def everywhere(small_programme):
    """The operator at the machine: every region of the programme, nothing masked."""
    return Access.operator(small_programme)


@pytest.fixture
def households_file(tmp_path):
    rows = [HOUSEHOLD_HEADERS] + [household_row(n) for n in range(1, 6)]
    return write_xlsx(
        tmp_path / "households.xlsx", rows, title="贫困户台账", notes="说明：每行一户"
    )


@pytest.fixture
def run_import(small_programme, everywhere):
    """Return import_file bound to the small programme and the operator's access."""
    from xiezuo.ingest.services import import_file

    def run(ledger_key, path, **options):
        options.setdefault("access", everywhere)
        options.setdefault("programme", small_programme)
        return import_file(ledger_key=ledger_key, path=path, **options)

    return run
