"""`xiezuo template`: write one ledger's template, or all of them."""

import io

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from xiezuo.ingest import catalog


def _run(*args, cwd=None, monkeypatch=None):
    if cwd is not None:
        monkeypatch.chdir(cwd)
    out = io.StringIO()
    call_command("template", *args, stdout=out)
    return out.getvalue()


def test_writes_the_template_to_the_named_file(tmp_path):
    path = tmp_path / "贫困户.xlsx"
    printed = _run("households", "-o", str(path))
    assert str(path) in printed
    sheet = openpyxl.load_workbook(path).worksheets[0]
    assert [c.value for c in sheet[3]] == catalog.ledger("households").headers


def test_default_file_name_is_the_key_in_the_working_directory(tmp_path, monkeypatch):
    _run("members", cwd=tmp_path, monkeypatch=monkeypatch)
    assert (tmp_path / "members-模板.xlsx").exists()


def test_output_directory_gets_the_default_name(tmp_path):
    _run("funds", "-o", str(tmp_path))
    assert (tmp_path / "funds-模板.xlsx").exists()


def test_all_writes_every_ledger(tmp_path):
    target = tmp_path / "templates"
    printed = _run("--all", "-o", str(target))
    written = sorted(p.name for p in target.iterdir())
    assert written == sorted(f"{key}-模板.xlsx" for key in catalog.ledgers())
    assert len(written) == len(catalog.ledgers()) >= 21
    assert len(printed.splitlines()) == len(written)
    for key, ledger in catalog.ledgers().items():
        sheet = openpyxl.load_workbook(target / f"{key}-模板.xlsx").worksheets[0]
        assert sheet.title == ledger.title


def test_unknown_ledger_lists_the_keys(tmp_path):
    with pytest.raises(CommandError, match=r"households.*population"):
        _run("farms", "-o", str(tmp_path / "x.xlsx"))


def test_no_ledger_and_no_all_is_an_error():
    with pytest.raises(CommandError, match="--all"):
        _run()


def test_all_with_a_ledger_is_an_error(tmp_path):
    with pytest.raises(CommandError, match="--all"):
        _run("households", "--all", "-o", str(tmp_path))
