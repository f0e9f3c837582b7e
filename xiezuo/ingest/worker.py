"""The task worker the site runs: django-tasks-db's worker, made to survive a busy database,
and doing the import jobs' housekeeping.

django-tasks-db's `db_worker` exits on the first "database is locked" it meets outside a task
(another process writing for longer than the busy timeout), and nothing restarts it. This
worker waits and tries again instead, for any operational database error (a locked SQLite
file, a PostgreSQL server restarting). Between tasks it fails stale import jobs (every
`recover_every` seconds, and at once when it starts, so a job left running by a killed worker
is failed as soon as a worker comes back) and prunes old jobs and files (every `prune_every`
seconds, starting when it starts).
"""

import logging
import time

from django.db import InterfaceError, OperationalError, close_old_connections, connection
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

from xiezuo.ingest.jobs import import_jobs_fail_stale, import_jobs_prune

__all__ = ["PRUNE_EVERY", "RECOVER_EVERY", "ResilientWorker"]

logger = logging.getLogger("xiezuo.worker")

RECOVER_EVERY = 60.0  # seconds
PRUNE_EVERY = 24 * 3600.0  # seconds: daily
RETRY_FIRST, RETRY_MAX = 0.5, 30.0  # seconds to wait after a database error, doubling


class ResilientWorker(Worker):
    """django-tasks-db's worker loop, retrying database errors, with the jobs' housekeeping."""

    def __init__(
        self,
        *,
        recover_every: float = RECOVER_EVERY,
        prune_every: float | None = PRUNE_EVERY,
        **options: object,
    ) -> None:
        super().__init__(**options)  # type: ignore[arg-type]
        self.recover_every = recover_every
        self.prune_every = prune_every
        self.next_recovery = self.next_prune = time.monotonic()

    def run(self) -> None:
        logger.info("worker %s started, queues %s", self.worker_id, ",".join(self.queue_names))
        delay = RETRY_FIRST
        while self.running:
            try:
                self.housekeeping()
                task_result = self.claim()
                if task_result is not None:
                    self.run_task(task_result)
            except (OperationalError, InterfaceError) as error:
                logger.warning("database error, trying again in %.1f s: %s", delay, error)
                connection.close()
                time.sleep(delay)
                delay = min(delay * 2, RETRY_MAX)
                continue
            delay = RETRY_FIRST
            if self.batch and task_result is None:
                logger.info("no more tasks for worker %s: exiting", self.worker_id)
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                logger.info("worker %s ran %d tasks: exiting", self.worker_id, self._run_tasks)
                return
            close_old_connections()
            if self.running and task_result is None:
                time.sleep(self.interval)

    def claim(self) -> DBTaskResult | None:
        """Claim the next ready task for this worker; return it, or None when none is ready."""
        close_old_connections()
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        with exclusive_transaction(tasks.db):
            task_result = tasks.get_locked()
            if task_result is not None:
                task_result.claim(self.worker_id)
        return task_result

    def housekeeping(self) -> None:
        """Fail stale import jobs and prune old ones, when each is due."""
        now = time.monotonic()
        if now >= self.next_recovery:
            failed = import_jobs_fail_stale()
            if failed:
                logger.warning("stale import jobs failed: %s", ", ".join(map(str, failed)))
            self.next_recovery = now + self.recover_every
        if self.prune_every is not None and now >= self.next_prune:
            try:
                pruned = import_jobs_prune()
            except (OperationalError, InterfaceError):
                raise
            except Exception:  # a file that will not go must not stop the worker
                logger.exception("prune failed")
            else:
                logger.info(
                    "pruned %d jobs, %d upload folders, %d task results older than %s",
                    pruned.jobs,
                    pruned.folders,
                    pruned.task_results,
                    pruned.cutoff.date(),
                )
            self.next_prune = now + self.prune_every
