"""Loading: rows classified against the database by their natural key, written through the
bulk path, and put back by undo (`restore`)."""

import datetime as dt

from tests.ingest.conftest import HOUSEHOLD_HEADERS, household_row, write_xlsx
from xiezuo.ingest import catalog
from xiezuo.ingest.loading import classify, restore
from xiezuo.ingest.models import Batch
from xiezuo.ingest.reading import read_table
from xiezuo.ingest.validation import Context, validate
from xiezuo.registry.models import Household


def classified(path, programme, access):
    """Classify the households file at `path` as the importer does, without writing it."""
    ledger = catalog.ledger("households")
    context = Context(
        programme=programme,
        scope=access.import_regions(ledger.model),
        today=dt.date(2020, 12, 31),
    )
    validated = validate(read_table(path, ledger), ledger, context)
    assert not validated.errors
    return classify(validated)


def households(tmp_path, *rows, name="h.xlsx"):
    return write_xlsx(tmp_path / name, [HOUSEHOLD_HEADERS, *rows])


def test_rows_not_in_the_database_are_inserts(small_programme, everywhere, tmp_path):
    found = classified(
        households(tmp_path, household_row(1), household_row(2)), small_programme, everywhere
    )
    assert (found.inserts.height, found.updates.height, found.unchanged) == (2, 0, 0)
    assert not found.errors


def test_a_stored_row_is_unchanged_or_an_update_by_its_natural_key(
    small_programme, everywhere, run_import, tmp_path
):
    run_import("households", households(tmp_path, household_row(1), household_row(2)))
    same = classified(
        households(tmp_path, household_row(1), household_row(2), name="same.xlsx"),
        small_programme,
        everywhere,
    )
    assert (same.inserts.height, same.updates.height, same.unchanged) == (0, 0, 2)
    edited = classified(
        households(tmp_path, household_row(1, 户主姓名="改名"), household_row(3), name="e.xlsx"),
        small_programme,
        everywhere,
    )
    assert (edited.inserts.height, edited.updates.height, edited.unchanged) == (1, 1, 0)


def test_restore_deletes_the_inserted_rows_and_puts_updated_values_back(run_import, tmp_path):
    run_import("households", households(tmp_path, household_row(1)))
    report = run_import(
        "households",
        households(tmp_path, household_row(1, 户主姓名="改名"), household_row(2), name="e.xlsx"),
    )
    assert (report.inserted, report.updated) == (1, 1)
    assert restore(Batch.objects.get(pk=report.batch_id)) == (1, 1)
    assert list(Household.objects.values_list("householder_name", flat=True)) == ["户主1"]
