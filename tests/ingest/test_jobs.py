"""Import jobs beyond the happy path: a dead worker's job fails, is retried or cancelled;
old jobs and files are pruned, batches kept."""

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.models import User
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.ingest.conftest import HOUSEHOLD_HEADERS, household_row, write_xlsx
from xiezuo.access import Role
from xiezuo.access.selectors import access_for
from xiezuo.access.services import grant_give
from xiezuo.ingest.jobs import (
    JobStateError,
    import_job_cancel,
    import_job_retry,
    import_job_start,
    import_jobs_fail_stale,
    import_jobs_prune,
    worker_name,
)
from xiezuo.ingest.models import Batch, ImportJob
from xiezuo.ingest.tasks import run_import
from xiezuo.registry.models import Household

DUMMY = {"default": {"BACKEND": "django.tasks.backends.dummy.DummyBackend"}}
DATABASE_QUEUE = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture(autouse=True)
def _data_dir(settings, tmp_path):
    settings.DATA_DIR = tmp_path / "data"
    settings.TASKS = DUMMY


@pytest.fixture
def office(small_programme):
    user = User.objects.create_user("kangbao")
    grant_give(user=user, role=Role.COUNTY_OFFICE, region_code="130723")
    return user


@pytest.fixture
def queued(office, small_programme, tmp_path):
    """Return a queued job of two 康保 households."""
    path = write_xlsx(
        tmp_path / "households.xlsx", [HOUSEHOLD_HEADERS, household_row(1), household_row(2)]
    )
    return import_job_start(
        access=access_for(user=office, programme=small_programme),
        user=office,
        ledger_key="households",
        upload=SimpleUploadedFile(path.name, path.read_bytes()),
    )


def running(job, *, worker, silent_for=0.0):
    """Mark `job` as claimed by `worker`, last heard from `silent_for` seconds ago."""
    beat = timezone.now() - dt.timedelta(seconds=silent_for)
    ImportJob.objects.filter(pk=job.pk).update(
        status=ImportJob.Status.RUNNING, started_at=beat, heartbeat_at=beat, worker=worker
    )
    job.refresh_from_db()
    return job


def dead_worker() -> str:
    """Return the worker name of a process of this host that has exited."""
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return f"{worker_name().rpartition(':')[0]}:{process.pid}"


# --- stale jobs -----------------------------------------------------------------------------


def test_a_job_whose_worker_exited_fails_at_once(queued):
    """A worker of this host that no longer runs: the job fails, whatever its heartbeat."""
    job = running(queued, worker=dead_worker())
    assert import_jobs_fail_stale(stale_after=3600) == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "后台任务进程已退出" in job.message
    assert "没有写入" in job.message
    assert job.finished_at is not None


def test_a_job_silent_longer_than_the_limit_fails(queued):
    """A worker elsewhere (another host) that stopped beating: failed after the limit."""
    job = running(queued, worker="elsewhere:123", silent_for=120)
    assert import_jobs_fail_stale(stale_after=300) == []
    assert import_jobs_fail_stale(stale_after=60) == [job.pk]
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED
    assert "120 秒没有报告进度" in job.message


def test_a_worker_elsewhere_that_beats_keeps_its_job(queued):
    job = running(queued, worker="elsewhere:123", silent_for=1)
    assert import_jobs_fail_stale(stale_after=60) == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING


def test_a_live_worker_of_this_host_keeps_its_job_however_long_it_is_silent(queued):
    """On SQLite a long import cannot beat (its transaction holds the lock): alive is enough."""
    job = running(queued, worker=worker_name(), silent_for=3600)
    assert import_jobs_fail_stale(stale_after=60) == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.RUNNING


def test_the_stale_limit_comes_from_the_environment(queued, monkeypatch):
    job = running(queued, worker="elsewhere:123", silent_for=30)
    monkeypatch.setenv("XIEZUO_JOB_STALE_SECONDS", "60")
    assert import_jobs_fail_stale() == []
    monkeypatch.setenv("XIEZUO_JOB_STALE_SECONDS", "10")
    assert import_jobs_fail_stale() == [job.pk]


def test_the_task_result_of_a_stale_job_fails_too(settings, office, small_programme, tmp_path):
    settings.TASKS = DATABASE_QUEUE
    path = write_xlsx(tmp_path / "h.xlsx", [HOUSEHOLD_HEADERS, household_row(1)])
    job = import_job_start(
        access=access_for(user=office, programme=small_programme),
        user=office,
        ledger_key="households",
        upload=SimpleUploadedFile(path.name, path.read_bytes()),
    )
    DBTaskResult.objects.filter(pk=job.task_id).update(status="RUNNING")
    running(job, worker=dead_worker())
    import_jobs_fail_stale()
    assert DBTaskResult.objects.get(pk=job.task_id).status == "FAILED"


# --- retry and cancel -----------------------------------------------------------------------


def test_a_failed_job_is_retried_with_its_file_and_loads(queued):
    job = running(queued, worker=dead_worker())
    import_jobs_fail_stale()
    job.refresh_from_db()
    old_task = job.task_id
    job = import_job_retry(job=job)
    assert (job.status, job.message, job.worker, job.started_at) == ("queued", "", "", None)
    assert job.task_id != old_task
    assert run_import.call(job.pk) == "done"
    job.refresh_from_db()
    assert job.report["inserted"] == 2
    assert Household.objects.count() == 2


@pytest.mark.parametrize("status", ["queued", "running", "done"])
def test_only_failed_or_cancelled_jobs_are_retried(queued, status):
    ImportJob.objects.filter(pk=queued.pk).update(status=status)
    with pytest.raises(JobStateError, match="不能重试"):
        import_job_retry(job=queued)
    queued.refresh_from_db()
    assert queued.status == status


def test_a_retry_needs_the_kept_file(queued):
    ImportJob.objects.filter(pk=queued.pk).update(status=ImportJob.Status.FAILED)
    queued.upload_path.unlink()
    with pytest.raises(JobStateError, match="原文件已清理"):
        import_job_retry(job=queued)


def test_a_cancelled_queued_job_is_skipped_by_the_worker(queued):
    job = import_job_cancel(job=queued)
    assert job.status == ImportJob.Status.CANCELLED
    assert job.finished_at is not None
    assert run_import.call(job.pk) == "skipped"
    assert not Household.objects.exists()


def test_a_failed_job_may_be_given_up_and_retried_later(queued):
    ImportJob.objects.filter(pk=queued.pk).update(status=ImportJob.Status.FAILED)
    assert import_job_cancel(job=queued).status == ImportJob.Status.CANCELLED
    assert import_job_retry(job=queued).status == ImportJob.Status.QUEUED


@pytest.mark.parametrize("status", ["running", "done", "cancelled"])
def test_running_or_finished_jobs_are_not_cancelled(queued, status):
    ImportJob.objects.filter(pk=queued.pk).update(status=status)
    with pytest.raises(JobStateError, match="不能取消"):
        import_job_cancel(job=queued)


def test_a_retried_jobs_old_worker_does_not_overwrite_the_new_run(queued):
    """The worker that was thought dead finishes after a retry: the new run's record stands."""
    from xiezuo.ingest.tasks import _finish

    job = running(queued, worker="elsewhere:1", silent_for=999)
    import_jobs_fail_stale(stale_after=60)
    import_job_retry(job=job)
    _finish(job.pk, "elsewhere:1", status=ImportJob.Status.DONE)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED


# --- prune ----------------------------------------------------------------------------------


def finished(job, *, days_ago: float, status=ImportJob.Status.DONE):
    ImportJob.objects.filter(pk=job.pk).update(
        status=status, finished_at=timezone.now() - dt.timedelta(days=days_ago)
    )
    job.refresh_from_db()
    return job


@pytest.fixture
def old_and_new(office, small_programme, tmp_path):
    """Return a loaded job finished 40 days ago (with its batch) and one finished yesterday."""
    path = write_xlsx(tmp_path / "h.xlsx", [HOUSEHOLD_HEADERS, household_row(1)])
    jobs = []
    for _ in range(2):
        job = import_job_start(
            access=access_for(user=office, programme=small_programme),
            user=office,
            ledger_key="households",
            upload=SimpleUploadedFile(path.name, path.read_bytes()),
        )
        run_import.call(job.pk)
        jobs.append(job)
    return finished(jobs[0], days_ago=40), finished(jobs[1], days_ago=1)


def test_prune_deletes_old_finished_jobs_and_files_and_keeps_batches(old_and_new):
    old, new = old_and_new
    result = import_jobs_prune(days=30)
    assert (result.jobs, result.folders) == (1, 1)
    assert result.bytes > 0
    assert list(ImportJob.objects.values_list("pk", flat=True)) == [new.pk]
    assert not old.upload_path.parent.exists()
    assert new.upload_path.is_file()
    assert Batch.objects.filter(pk=old.batch_id).exists()


def test_prune_keeps_unfinished_jobs_however_old(queued):
    ImportJob.objects.filter(pk=queued.pk).update(
        created_at=timezone.now() - dt.timedelta(days=400)
    )
    assert import_jobs_prune(days=30).jobs == 0
    assert queued.upload_path.is_file()


def test_prune_removes_orphan_upload_folders(settings, queued):
    orphan = Path(settings.DATA_DIR) / "uploads" / "left-behind"
    orphan.mkdir()
    (orphan / "x.xlsx").write_bytes(b"x" * 10)
    past = (timezone.now() - dt.timedelta(days=60)).timestamp()
    os.utime(orphan, (past, past))
    assert import_jobs_prune(days=30).folders == 1
    assert not orphan.exists()
    assert queued.upload_path.is_file()


def test_a_dry_run_counts_and_deletes_nothing(old_and_new):
    old, _ = old_and_new
    result = import_jobs_prune(days=30, dry_run=True)
    assert (result.jobs, result.folders) == (1, 1)
    assert ImportJob.objects.count() == 2
    assert old.upload_path.is_file()


def test_the_prune_command_takes_days_from_the_environment(old_and_new, monkeypatch, capsys):
    monkeypatch.setenv("XIEZUO_PRUNE_DAYS", "0.5")
    call_command("prune", "--dry-run")
    out = capsys.readouterr().out
    assert "将删除" in out
    assert "导入任务 2 个" in out
    assert ImportJob.objects.count() == 2
    call_command("prune", "--days", "30")
    out = capsys.readouterr().out
    assert "已删除" in out
    assert "导入任务 1 个" in out
    assert "导入批次全部保留" in out
    assert ImportJob.objects.count() == 1
