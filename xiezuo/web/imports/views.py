"""The import pages: each parses its request, calls one action or selector and renders."""

from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiezuo.core.errors import ScopeError
from xiezuo.ingest.catalog import ledgers
from xiezuo.ingest.errors import BatchError
from xiezuo.ingest.jobs import check_may_import, import_job_start
from xiezuo.ingest.models import Batch, ImportJob
from xiezuo.ingest.selectors import batch_get, batch_list, import_job_get, import_job_list
from xiezuo.ingest.services import batch_undo
from xiezuo.ingest.writing import template_file_name, template_workbook
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import programme_get, scope_for
from xiezuo.web import params
from xiezuo.web.imports.display import history_rows, job_view
from xiezuo.web.imports.forms import ImportForm

BATCHES_PER_PAGE = 20
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def importer_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Sign-in required, an importing office's grant required; pass the programme and scope."""

    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        try:
            programme = programme_get()
        except Programme.DoesNotExist:
            return render(request, "web/no_programme.html")
        try:
            check_may_import(user=request.user)
        except ScopeError as error:
            raise PermissionDenied(error.message) from error
        scope = scope_for(user=request.user, programme=programme)
        return view(request, *args, programme=programme, scope=scope, **kwargs)

    return wrapped


@require_http_methods(["GET", "POST"])
@importer_view
def import_page(request: HttpRequest, *, programme: Programme, scope: Any) -> HttpResponse:
    """Upload a ledger file (then follow its job); templates; the batch history with undo."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        job = import_job_start(
            user=request.user,
            programme=programme,
            ledger_key=form.cleaned_data["ledger"],
            upload=form.cleaned_data["file"],
            dry_run=form.cleaned_data["dry_run"],
        )
        return redirect("web:import-job", pk=job.pk)
    batches = batch_list(scope=scope, user=request.user, programme=programme)
    page = params.page(Paginator(batches, BATCHES_PER_PAGE), request.GET.get("page"))
    return render(
        request,
        "web/import.html",
        {
            "programme": programme,
            "form": form,
            "ledgers": list(ledgers().values()),
            "running": import_job_list(
                scope=scope, user=request.user, programme=programme, unfinished=True
            )[:20],
            "page": page,
            "history": history_rows(page),
        },
    )


@require_GET
@importer_view
def import_job(request: HttpRequest, pk: int, *, programme: Programme, scope: Any) -> HttpResponse:
    """Show a job: its progress while it runs (polled by htmx), then its report."""
    try:
        job = import_job_get(scope=scope, user=request.user, programme=programme, pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404("没有这个导入任务") from None
    template = "web/import_job.html"
    if request.headers.get("HX-Request") == "true":
        template += "#job"
    return render(request, template, {"programme": programme, "view": job_view(job)})


@require_GET
@importer_view
def import_job_annotated(
    request: HttpRequest, pk: int, *, programme: Programme, scope: Any
) -> FileResponse:
    """Return the job's original file with its bad cells filled red and commented.

    The import task writes the copy; this view only serves it (never builds one).
    """
    try:
        job = import_job_get(scope=scope, user=request.user, programme=programme, pk=pk)
    except ImportJob.DoesNotExist:
        raise Http404("没有这个导入任务") from None
    if not job.finished:
        raise Http404("导入尚未完成，标注文件还没有生成")
    if not job.report or not job.report.get("errors"):
        raise Http404("这个导入任务没有错误需要标注")
    try:
        handle = job.annotated_path.open("rb")
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
    request: HttpRequest, pk: int, *, programme: Programme, scope: Any
) -> HttpResponse:
    """Undo a loaded batch; a refusal is shown with its reason."""
    try:
        batch = batch_get(scope=scope, user=request.user, programme=programme, pk=pk)
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
