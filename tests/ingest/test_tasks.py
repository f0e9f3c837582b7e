"""The import task: a queued job's file is imported, its progress and report land on the job."""

import json
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from tests.ingest.conftest import HOUSEHOLD_HEADERS, household_row, write_xlsx
from xiezuo.access import Access, Role
from xiezuo.access.selectors import access_for
from xiezuo.access.services import grant_give
from xiezuo.core.errors import ScopeError
from xiezuo.ingest import tasks
from xiezuo.ingest.jobs import import_job_start, stored_name
from xiezuo.ingest.models import Batch, ImportJob
from xiezuo.ingest.selectors import import_job_get
from xiezuo.ingest.services import import_file
from xiezuo.ingest.tasks import JobProgress, run_import
from xiezuo.registry.models import Household

IMMEDIATE = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    """Keep uploads under the test's own folder."""
    settings.DATA_DIR = tmp_path / "data"


@pytest.fixture
def office(small_programme):
    """Return the 康保 county office (130723)."""
    user = User.objects.create_user("kangbao")
    grant_give(user=user, role=Role.COUNTY_OFFICE, region_code="130723")
    return user


def upload(path: Path) -> SimpleUploadedFile:
    return SimpleUploadedFile(path.name, path.read_bytes())


def start(user, programme, path, *, ledger="households", dry_run=False):
    return import_job_start(
        access=access_for(user=user, programme=programme),
        user=user,
        ledger_key=ledger,
        upload=upload(path),
        dry_run=dry_run,
    )


def households(tmp_path, *rows, name="households.xlsx"):
    return write_xlsx(tmp_path / name, [HOUSEHOLD_HEADERS, *rows], title="贫困户台账")


# --- the job as the task leaves it ----------------------------------------------------------


def test_a_clean_file_loads_and_the_job_keeps_report_and_batch(
    settings, office, small_programme, tmp_path
):
    """Immediate backend: the job is done, its report is the importer's, its batch loaded."""
    settings.TASKS = IMMEDIATE
    job = start(office, small_programme, households(tmp_path, *map(household_row, (1, 2, 3))))
    assert job.status == ImportJob.Status.DONE
    assert job.report["inserted"] == 3
    assert job.report["errors"] == []
    assert job.report["status"] == Batch.Status.LOADED
    assert job.batch.status == Batch.Status.LOADED
    assert job.batch.user == office
    assert (job.done, job.total) == (3, 3)
    assert job.started_at
    assert job.finished_at
    assert job.task_id
    assert Household.objects.count() == 3


def test_the_file_is_kept_under_uploads_by_its_original_name(
    settings, office, small_programme, tmp_path
):
    settings.TASKS = DUMMY
    job = start(office, small_programme, households(tmp_path, household_row(1), name="台账.xlsx"))
    assert job.status == ImportJob.Status.QUEUED
    assert job.upload_path == settings.DATA_DIR / "uploads" / str(job.upload_key) / "台账.xlsx"
    assert job.upload_path.read_bytes() == (tmp_path / "台账.xlsx").read_bytes()


def test_a_dry_run_writes_nothing(settings, office, small_programme, tmp_path):
    settings.TASKS = IMMEDIATE
    job = start(office, small_programme, households(tmp_path, household_row(1)), dry_run=True)
    assert (job.report["dry_run"], job.report["inserted"]) == (True, 1)
    assert job.batch.status == Batch.Status.VALIDATED
    assert not Household.objects.exists()


def test_an_unusable_file_is_a_stored_report_not_a_crash(
    settings, office, small_programme, tmp_path
):
    """A renamed PDF: the job is done, the report says why, no batch, nothing loaded."""
    settings.TASKS = IMMEDIATE
    path = tmp_path / "ledger.xlsx"
    path.write_bytes(b"%PDF-1.5\n")
    job = start(office, small_programme, path)
    assert job.status == ImportJob.Status.DONE
    assert job.report["unusable"] is True
    assert job.report["file"] == "ledger.xlsx"
    assert [e["row"] for e in job.report["errors"]] == [None]
    assert "PDF" in job.report["errors"][0]["message"]
    assert job.batch is None


def test_rows_outside_the_importers_county_are_errors(settings, office, small_programme, tmp_path):
    """The task imports with the uploader's access: 康保 cannot load 怀安's households."""
    settings.TASKS = IMMEDIATE
    job = start(
        office,
        small_programme,
        households(tmp_path, household_row(1), household_row(2, village="130728100201")),
    )
    assert job.report["status"] == Batch.Status.FAILED
    assert {e["row"] for e in job.report["errors"]} == {4}  # title, header, then data
    assert not Household.objects.exists()


def test_an_unexpected_failure_marks_the_job_failed(
    settings, office, small_programme, tmp_path, monkeypatch
):
    settings.TASKS = DUMMY
    job = start(office, small_programme, households(tmp_path, household_row(1)))

    def broken(**kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(tasks, "import_file", broken)
    with pytest.raises(RuntimeError):
        run_import.call(job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert job.message == "RuntimeError: disk on fire"
    assert job.finished_at is not None


def test_a_job_runs_once(settings, office, small_programme, tmp_path):
    """A task delivered twice imports once."""
    settings.TASKS = DUMMY
    job = start(office, small_programme, households(tmp_path, household_row(1)))
    assert run_import.call(job.pk) == "done"
    assert run_import.call(job.pk) == "skipped"
    assert Batch.objects.count() == 1


def test_only_offices_may_start_a_job(settings, small_programme, tmp_path):
    settings.TASKS = DUMMY
    cadre = User.objects.create_user("cadre")
    grant_give(user=cadre, role=Role.CADRE, region_code="130723100201")
    with pytest.raises(ScopeError):
        start(cadre, small_programme, households(tmp_path, household_row(1)))
    assert not ImportJob.objects.exists()
    assert not (settings.DATA_DIR / "uploads").exists()


@pytest.mark.parametrize(
    ("name", "stored"),
    [
        ("台账.xlsx", "台账.xlsx"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\贫困户.csv", "贫困户.csv"),
        ("..", "upload"),
        ("", "upload"),
        ("a\x00b\n.xlsx", "ab.xlsx"),
        ("户" * 200 + ".xlsx", "户" * 65 + ".xlsx"),
    ],
)
def test_stored_names_are_safe(name, stored):
    assert stored_name(name) == stored


# --- progress -------------------------------------------------------------------------------


def test_progress_is_throttled_within_a_stage(settings, office, small_programme, tmp_path):
    """Many reports of one stage write once per interval; a new stage is written at once."""
    settings.TASKS = DUMMY
    job = start(office, small_programme, households(tmp_path, household_row(1)))
    progress = JobProgress(job.pk, interval=60)
    for done in range(100):
        progress("校验", done, 100)
    job.refresh_from_db()
    assert (job.stage, job.done, job.total) == ("校验", 0, 100)
    progress("写入新增行", 5, 10)
    job.refresh_from_db()
    assert (job.stage, job.done, job.total) == ("写入新增行", 5, 10)


def test_progress_inside_the_loads_transaction_is_recorded_beside_the_upload(
    settings, office, small_programme, tmp_path, django_assert_num_queries
):
    """Inside the load's transaction the row is left alone; the job as read shows the record."""
    settings.TASKS = DUMMY
    job = start(office, small_programme, households(tmp_path, household_row(1)))
    progress = JobProgress(job.pk, interval=0)
    with transaction.atomic():
        progress("校验并写入", 100_000, 200_000)  # reads where the upload lies, writes no row
        with django_assert_num_queries(0):
            progress("校验并写入", 150_000, 200_000)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
        seen = import_job_get(access=access_for(user=office, programme=small_programme), pk=job.pk)
        stored = ImportJob.objects.get(pk=job.pk)
    assert (seen.stage, seen.done, seen.total) == ("校验并写入", 150_000, 200_000)
    assert (stored.stage, stored.done) == ("", 0)
    with django_assert_num_queries(1):
        progress("保存", 200_000, 200_000)
    assert not job.progress_path.exists()
    job.refresh_from_db()
    assert (job.stage, job.done, job.total) == ("保存", 200_000, 200_000)


def test_a_running_imports_progress_moves_while_its_transaction_is_open(
    settings, office, small_programme, tmp_path
):
    """The importer's own reports during a load reach the page, chunk by chunk."""
    settings.TASKS = DUMMY
    settings.IMPORT_CHUNK_ROWS = 11
    path = households(tmp_path, *map(household_row, range(1, 31)))
    job = start(office, small_programme, path)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    recorder = JobProgress(job.pk, interval=0)
    seen = []

    def progress(stage, done, total):
        recorder(stage, done, total)
        if stage == "校验并写入":
            job.refresh_from_db()
            job.read_progress()
            seen.append((job.stage, job.done, job.total))

    report = import_file(
        ledger_key="households",
        path=path,
        access=Access.operator(small_programme),
        programme=small_programme,
        progress=progress,
    )
    assert report.inserted == 30
    assert seen[0] == ("校验并写入", 0, 30)
    assert seen[-1] == ("校验并写入", 30, 30)
    assert len(seen) > 2
    assert [done for _, done, _ in seen] == sorted(done for _, done, _ in seen)


# --- the real worker ----------------------------------------------------------------------

SETUP = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from tests.conftest import REGIONS, SMALL_PROGRAMME
    from xiezuo.access.selectors import access_for
    from xiezuo.access.services import grant_give
    from xiezuo.ingest.jobs import import_job_start
    from xiezuo.programs.services import programme_load
    from xiezuo.regions.models import Region

    for code, name, level, parent in REGIONS:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    toml = Path(sys.argv[1]).with_name("small.toml")
    toml.write_text(SMALL_PROGRAMME, encoding="utf-8")
    programme = programme_load(path=toml)
    user = User.objects.create_user("kangbao")
    grant_give(user=user, role="county_office", region_code="130723")
    path = Path(sys.argv[1])
    job = import_job_start(
        access=access_for(user=user, programme=programme), user=user, ledger_key="households",
        upload=SimpleUploadedFile(path.name, path.read_bytes()),
    )
    print(job.pk, job.status)
    """
)


def test_the_db_worker_runs_a_queued_import(tmp_path):
    """`xiezuo db_worker --batch` in a subprocess imports a job queued in a file-based SQLite."""
    data = tmp_path / "worker-data"
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith("XIEZUO_")},
        "XIEZUO_DATA_DIR": str(data),
        "DJANGO_SETTINGS_MODULE": "xiezuo.settings",
    }
    path = households(tmp_path, household_row(1), household_row(2), name="ok.xlsx")
    script = tmp_path / "setup.py"
    script.write_text("import django\ndjango.setup()\n" + SETUP, encoding="utf-8")

    def xiezuo(*args):
        return subprocess.run(
            [sys.executable, "-m", "xiezuo", *args],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )

    migrate = xiezuo("migrate", "--verbosity", "0")
    assert migrate.returncode == 0, migrate.stderr
    queued = subprocess.run(
        [sys.executable, str(script), str(path)],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert queued.returncode == 0, queued.stderr
    job_id, status = queued.stdout.split()
    assert status == "queued"

    worker = xiezuo("db_worker", "--batch", "--no-startup-delay", "--no-reload")
    assert worker.returncode == 0, worker.stderr + worker.stdout

    with sqlite3.connect(data / "xiezuo.sqlite3") as db:
        status, report, batch = db.execute(
            "SELECT status, report, batch_id FROM ingest_importjob WHERE id = ?", (int(job_id),)
        ).fetchone()
        households_loaded = db.execute("SELECT count(*) FROM registry_household").fetchone()[0]
        task_status = db.execute("SELECT status FROM django_tasks_database_dbtaskresult").fetchone()
    assert status == "done"
    assert json.loads(report)["inserted"] == 2
    assert batch is not None
    assert households_loaded == 2
    assert task_status == ("SUCCESSFUL",)


# --- the annotated copy ---------------------------------------------------------------------


def test_the_task_writes_the_annotated_copy_of_a_file_with_errors(
    settings, office, small_programme, tmp_path
):
    import openpyxl

    settings.TASKS = IMMEDIATE
    bad = household_row(2, 贫困户属性="特别贫困")
    job = start(office, small_programme, households(tmp_path, household_row(1), bad))
    assert job.report["errors"]
    sheet = openpyxl.load_workbook(job.annotated_path).worksheets[0]
    assert sheet.cell(row=4, column=HOUSEHOLD_HEADERS.index("贫困户属性") + 1).comment


def test_a_refused_bomb_gets_an_error_sheet_alone_without_being_opened(
    settings, office, small_programme, tmp_path
):
    """The copy of a file over the limits says why, and does not unpack the file."""
    import openpyxl

    from tests.ingest.test_limits import bomb

    settings.TASKS = IMMEDIATE
    settings.IMPORT_MAX_UNPACKED_BYTES = 1 << 20
    job = start(office, small_programme, bomb(tmp_path / "m.xlsx", 2 << 20), ledger="members")
    assert job.report["unusable"]
    workbook = openpyxl.load_workbook(job.annotated_path)
    assert workbook.sheetnames == ["错误说明"]
    assert "文件解压后过大" in workbook.worksheets[0].cell(row=4, column=4).value
