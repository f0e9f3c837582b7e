"""Imports through the API: the same job, service and guards as the import page."""

import io
import zipfile

import pytest

from tests.ingest.conftest import HOUSEHOLD_HEADERS, household_row, write_csv
from xiezuo.ingest.models import Batch, ImportJob
from xiezuo.ingest.tasks import run_import
from xiezuo.registry.models import Household

pytestmark = pytest.mark.django_db


def _file(path, name=None) -> io.BytesIO:
    handle = io.BytesIO(path.read_bytes())
    handle.name = name or path.name
    return handle


def _households_csv(tmp_path, *rows, name="households.csv"):
    return write_csv(tmp_path / name, [HOUSEHOLD_HEADERS, *rows])


def test_upload_queues_a_job_that_the_worker_runs_then_the_report(users, bearer, tmp_path):
    """Upload → 202 and a queued job; the worker's task runs it; the job reads done and its
    report counts the two households inserted."""
    client = bearer("county_office")
    path = _households_csv(tmp_path, household_row(1), household_row(2))
    response = client.post("/api/imports/jobs", {"ledger": "households", "file": _file(path)})
    assert response.status_code == 202, response.content
    job = response.json()
    assert (job["status"], job["ledger"], job["file"]) == ("queued", "households", path.name)
    early = client.get(f"/api/imports/jobs/{job['id']}/report")
    assert early.status_code == 409
    assert early.json()["code"] == "not_finished"
    assert run_import.call(job["id"]) == "done"
    assert client.get(f"/api/imports/jobs/{job['id']}").json()["status"] == "done"
    report = client.get(f"/api/imports/jobs/{job['id']}/report").json()
    assert (report["rows"], report["inserted"], report["errors"]) == (2, 2, [])
    assert Household.objects.count() == 2
    batches = client.get("/api/imports/batches").json()["items"]
    assert [(b["ledger"], b["inserted"], b["status"]) for b in batches] == [
        ("households", 2, "loaded")
    ]


def test_check_reports_bad_rows_as_400_with_row_and_column(users, bearer, tmp_path):
    """A file with a wrong ID number checked at once: 400 invalid_rows, the error at its row
    (Excel's numbering: the header is row 1) and column; nothing written."""
    bad = household_row(2, **{"户主证件号码": "130723196001010000"})
    path = _households_csv(tmp_path, household_row(1), bad)
    response = bearer("county_office").post(
        "/api/imports/check", {"ledger": "households", "file": _file(path)}
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_rows"
    assert [(e["row"], e["column"]) for e in body["errors"]] == [(3, "户主证件号码")]
    assert Household.objects.count() == 0


def test_check_of_a_good_file_reports_without_writing(users, bearer, tmp_path):
    path = _households_csv(tmp_path, household_row(1))
    response = bearer("county_office").post(
        "/api/imports/check", {"ledger": "households", "file": _file(path)}
    )
    assert response.status_code == 200
    assert (response.json()["rows"], response.json()["inserted"]) == (1, 1)
    assert Household.objects.count() == 0


def test_an_oversized_upload_is_refused_before_it_is_kept(users, bearer, tmp_path, settings):
    """Over the size limit: 400 unusable_file, no job, no file left in the uploads folder."""
    settings.IMPORT_MAX_BYTES = 100
    path = _households_csv(tmp_path, household_row(1), household_row(2))
    response = bearer("county_office").post(
        "/api/imports/jobs", {"ledger": "households", "file": _file(path)}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unusable_file"
    assert not ImportJob.objects.exists()
    assert not [p for p in (settings.DATA_DIR / "uploads").rglob("*") if p.is_file()]


def test_a_zip_bomb_is_refused(users, bearer, tmp_path, settings):
    """A workbook part compressed far beyond the ratio allowed: 400 unusable_file."""
    settings.IMPORT_RATIO_FLOOR_BYTES = 1024
    bomb = tmp_path / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"0" * (8 << 20))
    response = bearer("county_office").post(
        "/api/imports/jobs", {"ledger": "households", "file": _file(bomb)}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "unusable_file"
    assert "压缩" in response.json()["message"]


def test_a_cadre_may_not_import(users, bearer, tmp_path):
    """A cadre cannot import: the answer is 404, as for anything outside their access."""
    path = _households_csv(tmp_path, household_row(1))
    response = bearer("cadre").post(
        "/api/imports/jobs", {"ledger": "households", "file": _file(path)}
    )
    assert response.status_code == 404
    assert not Batch.objects.exists()


def test_an_unknown_ledger_is_a_bad_request(users, bearer, tmp_path):
    path = _households_csv(tmp_path, household_row(1))
    response = bearer("county_office").post(
        "/api/imports/jobs", {"ledger": "nothing", "file": _file(path)}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_request"


def test_retry_of_a_finished_job_is_a_conflict(users, bearer, tmp_path):
    client = bearer("county_office")
    path = _households_csv(tmp_path, household_row(1))
    job = client.post("/api/imports/jobs", {"ledger": "households", "file": _file(path)}).json()
    run_import.call(job["id"])
    response = client.post(f"/api/imports/jobs/{job['id']}/retry")
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
