"""The demo generator writes what the importer accepts: every ledger exported with
`xiezuo export` re-imports with `--dry-run` without an error, every row unchanged."""

import io
import json

import pytest
from django.core.management import CommandError, call_command

from tests.demo.conftest import demo_programme, ledger_programme  # noqa: F401  (fixtures)
from xiezuo.demo.services import demo_build
from xiezuo.ingest import catalog

SCALE = 0.005


def _command(name, *args):
    out = io.StringIO()
    try:
        call_command(name, *args, "--programme", "small", stdout=out, stderr=io.StringIO())
    except CommandError as error:
        return error.returncode, out.getvalue()
    return 0, out.getvalue()


@pytest.fixture
def demo(ledger_programme):  # noqa: F811
    return demo_build(programme=ledger_programme.key, scale=SCALE)


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_every_exported_ledger_re_imports_unchanged(demo, tmp_path, suffix):
    exported = {}
    for key in catalog.ledgers():
        path = tmp_path / f"{key}.{suffix}"
        code, printed = _command("export", key, "-o", str(path))
        assert code == 0, printed
        exported[key] = path
    for key, path in exported.items():
        code, out = _command("import", key, str(path), "--dry-run", "--format", "json")
        report = json.loads(out)
        assert report["errors"] == [], (key, report["errors"][:5])
        assert code == 0
        assert report["rows"] > 0, key
        assert (report["inserted"], report["updated"]) == (0, 0), key
        assert report["unchanged"] == report["rows"], key
