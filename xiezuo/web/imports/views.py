"""The import pages: each parses its request, calls one action or selector and renders."""

from collections.abc import Callable
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiezuo.access import Access, Verb
from xiezuo.ingest.catalog import ledgers
from xiezuo.ingest.errors import BatchError
from xiezuo.ingest.jobs import (
    JobStateError,
    import_job_cancel,
    import_job_retry,
    import_job_start,
    import_jobs_fail_stale,
)
from xiezuo.ingest.models import Batch, ImportJob
from xiezuo.ingest.selectors import (
    annotated_file,
    batch_get,
    batch_list,
    import_job_get,
    import_job_list,
    job_errors,
)
from xiezuo.ingest.services import batch_undo
from xiezuo.ingest.writing import template_file_name, template_workbook
from xiezuo.programs.models import Programme
from xiezuo.web import params
from xiezuo.web.guards import verb_required
from xiezuo.web.imports.display import history_rows, job_view
from xiezuo.web.imports.forms import ImportForm

BATCHES_PER_PAGE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# Sign-in and the import verb required; the view receives the programme and the access.
importer_view = verb_required(Verb.IMPORT_LEDGERS)


@require_http_methods(["GET", "POST"])
@importer_view
def import_page(request: HttpRequest, *, programme: Programme, access: Access) -> HttpResponse:
    """Upload a ledger file (then follow its job); templates; the batch history with undo."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_start(
            access=access,
            user=request.user,
            ledger_key=form.cleaned_data["ledger"],
            upload=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect("web:import-job", pk=job.pk)
    batches = batch_list(access=access)
    page = params.page(Paginator(batches, BATCHES_PER_PAGE), request.GET.get("page"))
    return render(
        request,
        "web/import.html",
        {
            "programme": programme,
            "form": form,
            "ledgers": list(ledgers().values()),
            "running": import_job_list(access=access, unfinished=True)[:20],
            "page": page,
            "history": history_rows(page),
        },
    )


@require_GET
@importer_view
def import_job(
    request: HttpRequest, pk: int, *, programme: Programme, access: Access
) -> HttpResponse:
    """Show a job: its progress while it runs (polled by htmx), then its report.

    A running job whose worker died is failed here too, so the page never waits forever.
    """
    try:
        job = import_job_get(access=access, pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404("没有这个导入任务") from None
    if job.status == ImportJob.Status.RUNNING and import_jobs_fail_stale(job_ids=[job.pk]):
        job.refresh_from_db()
    template = "web/import_job.html"
    if request.headers.get("HX-Request") == "true":
        template += "#job"
    view = job_view(job, errors=job_errors(access=access, job=job))
    return render(request, template, {"programme": programme, "view": view})


@require_POST
@importer_view
def import_job_retry_view(
    request: HttpRequest, pk: int, *, programme: Programme, access: Access
) -> HttpResponse:
    """Queue a failed or cancelled job again (an office its own jobs, the programme office any)."""
    return _job_action(request, pk, access, import_job_retry, "已重新排队")


@require_POST
@importer_view
def import_job_cancel_view(
    request: HttpRequest, pk: int, *, programme: Programme, access: Access
) -> HttpResponse:
    """Cancel a queued or failed job (an office its own jobs, the programme office any)."""
    return _job_action(request, pk, access, import_job_cancel, "已取消")


def _job_action(
    request: HttpRequest,
    pk: int,
    access: Access,
    action: Callable[..., ImportJob],
    done: str,
) -> HttpResponse:
    try:
        job = import_job_get(access=access, pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404("没有这个导入任务") from None
    try:
        action(job=job)
    except JobStateError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"导入任务 {pk}（{job.original_name}）{done}。")
    return redirect("web:import-job", pk=pk)


@require_GET
@importer_view
def import_job_annotated(
    request: HttpRequest, pk: int, *, programme: Programme, access: Access
) -> FileResponse:
    """Return the job's original file with its bad cells filled red and commented.

    The import task writes the copy; this view only serves it (never builds one).
    """
    try:
        job = import_job_get(access=access, pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404("没有这个导入任务") from None
    if not job.finished:
        raise Http404("导入尚未完成，标注文件还没有生成")
    if not job.report or not job.report.get("errors"):
        raise Http404("这个导入任务没有错误需要标注")
    try:
        handle = annotated_file(access=access, job=job).open("rb")
    except FileNotFoundError:
        raise Http404("标注文件尚未生成或已被清理") from None
    return FileResponse(
        handle,
        as_attachment=True,
        filename=f"{Path(job.original_name).stem}-错误标注.xlsx",
        content_type=XLSX,
    )


@require_POST
@importer_view
def import_batch_undo(
    request: HttpRequest, pk: int, *, programme: Programme, access: Access
) -> HttpResponse:
    """Undo a loaded batch; a refusal is shown with its reason."""
    try:
        batch = batch_get(access=access, pk=pk)
    except Batch.DoesNotExist:
        raise Http404("没有这个批次") from None
    try:
        batch_undo(batch)
    except BatchError as error:
        messages.error(request, f"批次 {pk} 未撤销：{error.message}")
    else:
        messages.success(request, f"批次 {pk}（{batch.file_name}）已撤销。")
    return redirect(reverse("web:import") + f"#batch-{pk}")


@require_GET
@login_required
def import_template(request: HttpRequest, key: str) -> HttpResponse:
    """Return a ledger's XLSX template."""
    if key not in ledgers():
        raise Http404("没有这个台账")
    return _xlsx(template_workbook(key), template_file_name(key))


def _xlsx(content: bytes, file_name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, file_name)
    return response
