"""`xiezuo import` and `xiezuo undo_batch`: the JSON report, the text report, the exit codes."""

import io
import json
import os
import subprocess
import sys

import pytest
from django.core.management import CommandError, call_command

from tests.ingest.conftest import (
    HOUSEHOLD_HEADERS,
    MEMBER_HEADERS,
    household_row,
    member_row,
    snapshot,
    write_csv,
    write_xlsx,
)
from xiezuo.ingest.models import Batch
from xiezuo.registry.models import Household, Member

KEYS = ["ledger", "file", "rows", "valid", "inserted", "updated", "unchanged", "errors", "notices"]


def run(*args):
    """Run `xiezuo import …` in-process; return (exit code, stdout)."""
    out = io.StringIO()
    try:
        call_command("import", *args, "--programme", "small", stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


def test_a_clean_file_exits_0_with_the_json_report(small_programme, households_file):
    code, out = run("households", str(households_file), "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert list(report) == KEYS
    assert report == {
        "ledger": "households", "file": "households.xlsx", "rows": 5, "valid": 5,
        "inserted": 5, "updated": 0, "unchanged": 0, "errors": [], "notices": [],
    }  # fmt: skip
    assert Household.objects.count() == 5


def test_a_file_with_errors_exits_1_and_loads_nothing(small_programme, households_file, tmp_path):
    run("households", str(households_file))
    rows = [member_row("13072310020100001", 1, 性别="未知"), member_row("13072310020100001", 2)]
    path = write_xlsx(tmp_path / "m.xlsx", [MEMBER_HEADERS, *rows])
    code, out = run("members", str(path), "--format", "json")
    report = json.loads(out)
    assert code == 1
    assert (report["rows"], report["valid"], report["inserted"]) == (2, 1, 0)
    assert report["errors"] == [
        {"row": 2, "column": "性别", "value": "未知", "message": report["errors"][0]["message"]}
    ]
    assert "性别" in report["errors"][0]["message"]
    assert not Member.objects.exists()


@pytest.mark.parametrize(
    ("ledger", "content", "message"),
    [
        ("nonsense", b"anything", "未知台账"),
        ("members", b"%PDF-1.5\n", "PDF"),
        ("members", "户编号,姓名\nH1,张三\n".encode(), "缺少必需的列"),
    ],
)
def test_unusable_input_exits_2_with_one_error_without_a_row(
    small_programme, tmp_path, ledger, content, message
):
    path = tmp_path / "input.csv"
    path.write_bytes(content)
    code, out = run(ledger, str(path), "--format", "json")
    report = json.loads(out)
    assert code == 2
    assert list(report) == KEYS
    assert report["rows"] == 0
    [error] = report["errors"]
    assert error["row"] is None
    assert error["column"] is None
    assert message in error["message"]


def test_dry_run_writes_nothing(small_programme, households_file):
    before = snapshot()
    code, out = run("households", str(households_file), "--dry-run", "--format", "json")
    assert (code, json.loads(out)["inserted"]) == (0, 5)
    assert snapshot() == before


def test_the_text_report_names_rows_columns_and_messages(
    small_programme, households_file, tmp_path
):
    run("households", str(households_file))
    rows = [MEMBER_HEADERS, member_row("13072310020100001", 1, 出生日期="去年")]
    code, out = run("members", str(write_xlsx(tmp_path / "m.xlsx", rows)))
    assert code == 1
    assert "共 1 行" in out
    assert "第 2 行「出生日期」（去年）：不是有效日期" in out


def test_a_named_sheet(small_programme, tmp_path, households_file):
    run("households", str(households_file))
    rows = [MEMBER_HEADERS, member_row("13072310020100001", 1)]
    path = write_xlsx(tmp_path / "m.xlsx", rows, sheet="成员", before=["说明"])
    assert run("members", str(path), "--sheet", "成员")[0] == 0


def test_undo_batch_takes_a_batch_back(small_programme, households_file):
    run("households", str(households_file))
    batch = Batch.objects.get()
    out = io.StringIO()
    call_command("undo_batch", str(batch.pk), stdout=out)
    assert "已撤销批次" in out.getvalue()
    assert not Household.objects.exists()
    with pytest.raises(CommandError, match="只有已导入的批次可以撤销"):
        call_command("undo_batch", str(batch.pk))
    with pytest.raises(CommandError, match="没有编号为 999999 的批次"):
        call_command("undo_batch", "999999")


def test_the_console_script_exits_2_on_a_renamed_pdf(tmp_path):
    """Through a real process: JSON on stdout, exit code 2, no traceback."""
    env = {**os.environ, "XIEZUO_DATA_DIR": str(tmp_path / "data")}
    env.pop("XIEZUO_DATABASE_URL", None)
    script = [sys.executable, "-m", "xiezuo"]
    subprocess.run([*script, "migrate", "-v", "0"], env=env, check=True, timeout=300)
    pdf = tmp_path / "台账.xlsx"
    pdf.write_bytes(b"%PDF-1.4\n1 0 obj\n")
    done = subprocess.run(
        [*script, "import", "members", str(pdf), "--format", "json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 2, done.stderr
    report = json.loads(done.stdout)
    assert list(report) == KEYS
    assert report["errors"][0]["row"] is None
    assert "Traceback" not in done.stderr


def test_the_command_prints_the_notices_as_text_and_json(small_programme, tmp_path):
    path = write_csv(tmp_path / "h.csv", [HOUSEHOLD_HEADERS, household_row(1, 识别标准="国家")])
    code, text = run("households", str(path), "--dry-run")
    assert code == 0
    assert "提示：已将 1 个单元格的简写或旧写法改为代码表的标准写法" in text
    code, out = run("households", str(path), "--dry-run", "--format", "json")
    report = json.loads(out)
    assert (code, report["errors"]) == (0, [])
    assert "「识别标准」1 处（如「国家」→「国家标准」）" in report["notices"][0]
