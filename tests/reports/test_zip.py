"""The zip of all reports of a year: queued by the programme office, written by the task
worker (run here in-process), followed on a polling page, one PDF per unit."""

import io
import warnings
import zipfile

from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from tests.reports.signoff_site import (
    UNITS,
    YEAR,
    access_of,
    assessment_data,  # noqa: F401  (a fixture)
    signoff_site,  # noqa: F401  (a fixture)
)
from xiezuo.reports import services

DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def run_worker_in_this_test(monkeypatch) -> None:
    """Run the task worker in-process, inside the test's transaction. A worker drops the
    database connections it finds out of autocommit between tasks (`close_old_connections`);
    here that is the test's own connection, which PostgreSQL would really close (SQLite's
    in-memory test database is kept), so the worker keeps it, as a real worker, running
    outside any transaction, does anyway."""
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def test_the_worker_writes_one_pdf_per_unit_into_the_zip(
    signoff_site,  # noqa: F811
    settings,
    tmp_path,
    monkeypatch,
):
    settings.TASKS = DB_TASKS
    settings.DATA_DIR = tmp_path / "data"
    services.report_sign_off(
        access=access_of(signoff_site, "kangbao"), year=YEAR, unit_type="recipient", unit="130723"
    )
    client = Client(raise_request_exception=False)
    client.force_login(signoff_site["users"]["office"])
    queued = client.post(reverse("web:reports-zip", args=[YEAR]))
    assert queued.status_code == 302
    waiting = client.get(queued.url).content.decode()
    assert "hx-get" in waiting
    assert "排队中" in waiting

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        run_worker_in_this_test(monkeypatch)
    # This process runs threads: the PDF workers are not forked from it.
    assert not [w for w in caught if "multi-threaded" in str(w.message)]

    done = client.get(queued.url, HTTP_HX_REQUEST="true").content.decode()
    assert "data-download" in done
    download = client.get(queued.url + "download/")
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(b"".join(download.streaming_content)))
    names = archive.namelist()
    assert len(names) == len(UNITS)
    assert all(name.endswith(".pdf") for name in names)
    assert all(archive.read(name).startswith(b"%PDF") for name in names)
    assert any("v1" in name and "130723" in name for name in names)


def test_only_the_programme_office_zips(signoff_site, settings):  # noqa: F811
    settings.TASKS = DB_TASKS
    for who in ("assessor", "kangbao", "huairou"):
        client = Client(raise_request_exception=False)
        client.force_login(signoff_site["users"][who])
        assert client.post(reverse("web:reports-zip", args=[YEAR])).status_code == 403
