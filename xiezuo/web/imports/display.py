"""What the job page shows: progress while the job runs, then the report in the page's words."""

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from xiezuo.ingest.catalog import ledgers
from xiezuo.ingest.models import Batch, ImportJob

# The error table shows this many rows; the annotated file carries them all.
ERRORS_SHOWN = 1_000


@dataclass(frozen=True)
class JobView:
    """A job as the page shows it."""

    job: ImportJob
    ledger_title: str
    percent: int | None = None  # None: no total known yet (an indeterminate bar)
    outcome: str = ""  # unusable | errors | checked | loaded | failed | cancelled
    counts: dict[str, int] = field(default_factory=dict)
    notices: list[str] = field(default_factory=list)
    errors: list[dict[str, Any]] = field(default_factory=list)
    error_count: int = 0
    error_rows: int = 0
    batch_status: str = ""

    @property
    def batch_status_label(self) -> str:
        try:
            return Batch.Status(self.batch_status).label
        except ValueError:
            return ""

    @property
    def errors_capped(self) -> bool:
        return self.error_count > len(self.errors)

    @property
    def stage_text(self) -> str:
        """Return what the job is doing, in the page's words."""
        job = self.job
        if job.status == ImportJob.Status.QUEUED:
            return "等待后台任务处理"
        if not job.stage:
            return "正在开始"
        if job.stage == "校验" and job.total and job.done >= job.total:
            # The load that follows reports from inside its transaction, unseen until it ends.
            return "校验完成，正在保存结果"
        return job.stage


@dataclass(frozen=True)
class HistoryRow:
    """One batch of the history, with its ledger's title."""

    batch: Batch
    ledger_title: str

    @property
    def bad_rows(self) -> int:
        return self.batch.rows - self.batch.valid


def history_rows(batches: Iterable[Batch]) -> list[HistoryRow]:
    """Return the batches of a history page with their ledgers' titles."""
    titles = {key: ledger.title for key, ledger in ledgers().items()}
    return [HistoryRow(batch=b, ledger_title=titles.get(b.ledger, b.ledger)) for b in batches]


def job_view(job: ImportJob, *, errors: list[dict[str, Any]] | None = None) -> JobView:
    """Return what the page shows of `job`; `errors` as the caller may see them (default:
    as reported)."""
    ledger = ledgers().get(job.ledger)
    title = ledger.title if ledger else job.ledger
    if not job.finished:
        percent = None
        if job.total:
            percent = min(100, round(100 * job.done / job.total))
        return JobView(job=job, ledger_title=title, percent=percent)
    if job.status == ImportJob.Status.CANCELLED:
        return JobView(job=job, ledger_title=title, outcome="cancelled")
    if job.status == ImportJob.Status.FAILED or not job.report:
        return JobView(job=job, ledger_title=title, outcome="failed")
    report: dict[str, Any] = job.report
    if errors is None:
        errors = list(report.get("errors") or [])
    return JobView(
        job=job,
        ledger_title=title,
        outcome=_outcome(report),
        counts={
            key: int(report.get(key) or 0)
            for key in ("rows", "valid", "inserted", "updated", "unchanged")
        },
        notices=list(report.get("notices") or []),
        errors=errors[:ERRORS_SHOWN],
        error_count=len(errors),
        error_rows=len({e.get("row") for e in errors if e.get("row") is not None}),
        # The batch's status now (it may have been undone since), else the report's.
        batch_status=job.batch.status if job.batch else str(report.get("status") or ""),
    )


def _outcome(report: dict[str, Any]) -> str:
    if report.get("unusable"):
        return "unusable"
    if report.get("errors"):
        return "errors"
    if report.get("dry_run"):
        return "checked"
    return "loaded"
