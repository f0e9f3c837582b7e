"""`xiezuo backup` and `xiezuo restore`: a round trip gives back every row, proved by row
counts and checksums, on SQLite (online backup) and PostgreSQL (pg_dump / pg_restore)."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from xiezuo.core.backup import table_checksums
from xiezuo.registry.models import Household, Member

# Restoring replaces whole tables: the test needs real transactions, not a rolled-back one.
pytestmark = pytest.mark.django_db(transaction=True)


def _run(*args):
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_a_round_trip_gives_back_every_row(small_programme, make_household, tmp_path):
    kept = [make_household("130723100201", people=2) for _ in range(3)]
    before = table_checksums()
    path = tmp_path / "xiezuo.backup"
    printed = _run("backup", "-o", str(path))
    assert "已备份" in printed
    manifest = json.loads((tmp_path / "xiezuo.backup.sums.json").read_text())
    assert manifest["registry_household"]["rows"] == 3
    assert manifest["registry_member"]["rows"] == 6

    # Changes after the backup: one household gone, one added, a member renamed.
    kept[0].delete()
    make_household("130723100202", people=1)
    Member.objects.filter(household=kept[1]).update(name="改名")
    assert table_checksums() != before

    printed = _run("restore", str(path), "--yes")
    assert "与备份时一致" in printed
    assert table_checksums() == before
    assert sorted(Household.objects.values_list("household_no", flat=True)) == sorted(
        h.household_no for h in kept
    )


def test_restore_refuses_a_file_of_the_other_kind_and_changes_nothing(
    small_programme, make_household, tmp_path
):
    make_household("130723100201", people=2)
    before = table_checksums()
    other = tmp_path / "other.backup"
    # A file of the other database's format.
    other.write_bytes(
        b"PGDMP\x01\x0e" if connection.vendor == "sqlite" else b"SQLite format 3\x00" + bytes(84)
    )
    with pytest.raises(CommandError) as refused:
        _run("restore", str(other), "--yes")
    assert refused.value.returncode == 2
    assert "不是" in str(refused.value)
    assert table_checksums() == before


def test_restore_reports_a_backup_that_does_not_match_its_checksums(
    small_programme, make_household, tmp_path
):
    make_household("130723100201", people=2)
    path = tmp_path / "x.backup"
    _run("backup", "-o", str(path))
    manifest = tmp_path / "x.backup.sums.json"
    figures = json.loads(manifest.read_text())
    figures["registry_member"]["rows"] += 1
    manifest.write_text(json.dumps(figures))
    with pytest.raises(CommandError) as mismatch:
        _run("restore", str(path), "--yes")
    assert mismatch.value.returncode == 1
    assert "registry_member" in str(mismatch.value)


def test_the_backup_file_is_private(small_programme, tmp_path):
    path = tmp_path / "x.backup"
    _run("backup", "-o", str(path))
    assert path.stat().st_mode & 0o077 == 0
