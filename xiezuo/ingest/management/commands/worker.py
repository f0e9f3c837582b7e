"""`xiezuo worker`: run background tasks (imports, assessment runs) and the jobs' housekeeping."""

import logging
import os
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import CommandError
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV, run_with_reloader
from django_tasks_db.management.commands import db_worker

from xiezuo.ingest.worker import PRUNE_EVERY, RECOVER_EVERY, ResilientWorker


class Command(db_worker.Command):
    help = (
        "Run the background task worker (django-tasks-db's db_worker, with its options) so that "
        "it survives a busy or restarting database; fail import jobs whose worker died, and prune "
        "old jobs and uploaded files daily (XIEZUO_PRUNE_DAYS)."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        super().add_arguments(parser)
        parser.add_argument(
            "--recover-every",
            type=float,
            default=RECOVER_EVERY,
            help="seconds between checks for stale import jobs (default: %(default)s)",
        )
        parser.add_argument(
            "--prune-every",
            type=float,
            default=PRUNE_EVERY / 3600,
            help="hours between prunes, the first when the worker starts (default: %(default)s)",
        )
        parser.add_argument("--no-prune", action="store_true", help="never prune")

    def handle(self, *args: Any, **options: Any) -> None:
        self.configure_logging(options["verbosity"])
        ours = logging.getLogger("xiezuo")
        if not ours.hasHandlers():  # the site's LOGGING may already say where logs go
            ours.addHandler(logging.StreamHandler(self.stderr))
            ours.setLevel(logging.INFO if options["verbosity"] else logging.WARNING)
        queue_names = options["queue_name"].split(",")
        excluded = options["exclude_queues"].split(",") if options["exclude_queues"] else []
        if excluded and "*" not in queue_names:
            raise CommandError("--exclude-queues can only be used with --queue-name=*")
        worker = ResilientWorker(
            queue_names=queue_names,
            interval=options["interval"],
            batch=options["batch"],
            backend_name=options["backend_name"],
            startup_delay=options["startup_delay"],
            max_tasks=options["max_tasks"],
            worker_id=options["worker_id"],
            excluded_queue_names=excluded,
            recover_every=options["recover_every"],
            prune_every=None if options["no_prune"] else options["prune_every"] * 3600,
        )
        if options["reload"] and not options["batch"]:
            if os.environ.get(DJANGO_AUTORELOAD_ENV) == "true":
                worker.configure_signals()
            run_with_reloader(worker.run)
        else:
            worker.configure_signals()
            worker.run()
