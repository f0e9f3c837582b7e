"""The cached overview follows every write path: imports, in-place edits, undo, admin saves."""

import pytest
from django.contrib.auth.models import User
from django.core.cache import cache
from django.urls import reverse

from tests.ingest.conftest import HOUSEHOLD_HEADERS, household_row, write_xlsx
from xiezuo.access import Access
from xiezuo.core.versions import REGISTRY, version_key
from xiezuo.ingest.models import Batch
from xiezuo.ingest.services import batch_undo
from xiezuo.regions.models import RuralPopulation
from xiezuo.registry.overview_cache import cached_programme_overview


@pytest.fixture
def run_import(small_programme):
    """Return import_file bound to the small programme and a programme-wide scope."""
    from xiezuo.ingest.services import import_file

    def run(ledger_key, path):
        return import_file(
            ledger_key=ledger_key,
            path=path,
            access=Access.operator(small_programme),
            programme=small_programme,
        )

    return run


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def overview(programme):
    return cached_programme_overview(access=Access.public(programme), programme=programme)


def kangbao(overview):
    return next(county for county in overview.counties if county.code == "130723")


def households(tmp_path, *rows, name="h.xlsx"):
    return write_xlsx(tmp_path / name, [HOUSEHOLD_HEADERS, *rows])


def test_an_in_place_edit_through_the_importer_changes_the_overview(
    run_import, small_programme, tmp_path
):
    """Same households, same ids, same count: only the exit year changes, and the overview too."""
    run_import("households", households(tmp_path, household_row(1), household_row(2)))
    before = overview(small_programme)
    assert before.totals[2018].exited_households == 2

    edited = households(
        tmp_path, household_row(1), household_row(2, 脱贫年度="2019"), name="edited.xlsx"
    )
    report = run_import("households", edited)
    assert (report.inserted, report.updated) == (0, 1)
    after = overview(small_programme)
    assert after.totals[2018].exited_households == 1
    assert after.totals[2019].exited_households == 1


def test_the_overview_is_cached_between_writes(
    run_import, small_programme, tmp_path, django_assert_max_num_queries
):
    run_import("households", households(tmp_path, household_row(1)))
    overview(small_programme)
    with django_assert_max_num_queries(1):  # the version, nothing else
        overview(small_programme)


def test_undo_changes_the_overview(run_import, small_programme, tmp_path):
    run_import("households", households(tmp_path, household_row(1)))
    report = run_import(
        "households", households(tmp_path, household_row(1), household_row(2), name="two.xlsx")
    )
    assert overview(small_programme).totals[2020].households == 2
    batch_undo(Batch.objects.get(pk=report.batch_id))
    assert overview(small_programme).totals[2020].households == 1


def test_a_ledger_import_outside_the_registry_keeps_the_version(
    run_import, small_programme, tmp_path
):
    """A project ledger does not touch what the overview reads: its cache stays."""
    from tests.ingest.test_ledgers import projects

    run_import("households", households(tmp_path, household_row(1), household_row(2)))
    version = version_key(REGISTRY)
    assert run_import("projects", projects(tmp_path, "p.xlsx")).inserted == 1
    assert version_key(REGISTRY) == version


def test_an_admin_save_of_the_rural_population_changes_the_overview(
    client, small_programme, run_import, tmp_path
):
    run_import("households", households(tmp_path, household_row(1)))
    population = RuralPopulation.objects.create(region_id="130723", year=2020, population=1000)
    assert kangbao(overview(small_programme)).figures[2020].rural_population == 1000
    admin = User.objects.create_superuser("admin", password="x")
    client.force_login(admin)
    url = reverse("admin:regions_ruralpopulation_change", args=[population.pk])
    response = client.post(url, {"region": "130723", "year": 2020, "population": 2000})
    assert response.status_code == 302, response.content.decode()[:2000]
    assert kangbao(overview(small_programme)).figures[2020].rural_population == 2000


def test_an_admin_delete_of_a_pairing_changes_the_overview(
    client, small_programme, run_import, tmp_path
):
    run_import("households", households(tmp_path, household_row(1)))
    assert [c.code for c in overview(small_programme).counties] == ["130723", "130728", "130826"]
    pairing = small_programme.pairings.get(recipient_id="130826")
    client.force_login(User.objects.create_superuser("admin", password="x"))
    url = reverse("admin:programs_pairing_delete", args=[pairing.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert [c.code for c in overview(small_programme).counties] == ["130723", "130728"]
