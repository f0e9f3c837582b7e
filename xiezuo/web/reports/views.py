"""The self-evaluation report pages: a year's reports, one unit's report with the office's
paragraphs, sign-off and versions, its files, and the zip of all of them (a task).

Sign-in and `view_reports` are required; editing and signing check `sign_reports` in the
services. Junk in a path or a query answers 400 or 404, never 500.
"""

import re
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
from django.urls import reverse
from django.utils.csp import CSP
from django.utils.http import content_disposition_header
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from xiezuo.access import Access, Verb
from xiezuo.assessment import catalog
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.programs.models import Programme
from xiezuo.regions.selectors import names_for
from xiezuo.reports import selectors, services
from xiezuo.reports.models import ReportUnitType
from xiezuo.reports.tasks import build_reports_zip
from xiezuo.web import params
from xiezuo.web.guards import verb_required

reports_view = verb_required(Verb.VIEW_REPORTS)
TASK_ID = re.compile(r"[0-9A-Za-z-]{1,64}")
_VERSION = re.compile(r"[0-9]{1,4}")
BLANK_PARAGRAPHS = 3
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def _year(programme: Programme, year: int) -> int:
    if year not in programme.years:
        raise Http404(f"没有 {year} 年的自评报告")
    return year


def _unit(access: Access, programme: Programme, year: int, unit_type: str, unit: str) -> None:
    """404 for a unit with no report in the year, 403 for one the caller does not read."""
    _year(programme, year)
    if unit_type not in selectors.UNIT_TYPES:
        raise Http404("没有这类单位")
    if (unit_type, unit) not in selectors.year_units(programme, year):
        raise Http404(f"{year} 年没有单位 {unit} 的自评报告")
    if not selectors.readable(access, unit_type, unit):
        raise PermissionDenied(f"无权查看 {unit} 的自评报告")


def _version(request: HttpRequest) -> int | None:
    raw = request.GET.get("version", "")
    if not raw:
        return None
    if not _VERSION.fullmatch(raw):
        raise BadRequest("参数 version 须为版本号")
    return int(raw)


@require_GET
@reports_view
def report_list(request: HttpRequest, *, access: Access, programme: Programme) -> HttpResponse:
    """List the units of a year whose reports the caller reads, with their status."""
    year = params.year(request, years=programme.years, default=programme.end_year)
    rows = selectors.report_units(access=access, year=year)
    return render(
        request,
        "web/reports_list.html",
        {
            "programme": programme,
            "year": year,
            "years": list(programme.years),
            "rows": rows,
            "signed": sum(1 for row in rows if row.current is not None),
            "may_zip": selectors.may_sign(access, "programme", programme.key),
            "run": selectors.report_run(access=access, year=year),
        },
    )


@require_GET
@reports_view
def report_page(
    request: HttpRequest,
    year: int,
    unit_type: str,
    unit: str,
    *,
    access: Access,
    programme: Programme,
) -> HttpResponse:
    """Show a unit's report (framed, printable), the office's paragraphs, sign-off, versions."""
    _unit(access, programme, year, unit_type, unit)
    version = _version(request)
    versions = selectors.report_versions(access=access, year=year, unit_type=unit_type, unit=unit)
    if version is not None and version not in {v.version for v in versions}:
        raise Http404(f"没有第 {version} 版")
    current = next((v for v in versions if v.is_current), None)
    shown = next((v for v in versions if v.version == version), current)
    may_sign = selectors.may_sign(access, unit_type, unit)
    paragraphs = selectors.draft_paragraphs(
        access=access, year=year, unit_type=unit_type, unit=unit
    )
    run = selectors.report_run(access=access, year=year)
    names = names_for([unit]) if unit_type != "programme" else {}
    file_query = f"?version={shown.version}" if shown is not None and version is not None else ""
    return render(
        request,
        "web/reports_unit.html",
        {
            "programme": programme,
            "year": year,
            "unit_type": unit_type,
            "type_label": ReportUnitType(unit_type).label,
            "unit": unit,
            "name": selectors.unit_name(programme, unit_type, unit, names),
            "versions": [(v, selectors.verified(v)) for v in versions],
            "current": current,
            "shown": shown,
            "shown_verified": shown is None or selectors.verified(shown),
            "may_sign": may_sign,
            "run": run,
            "paragraph_rows": [*paragraphs, *({"after": "", "text": ""},) * BLANK_PARAGRAPHS],
            "places": [("summary", "总体情况之后"), *((a, f"“{a}”之后") for a in catalog.areas())],
            "file_query": file_query,
        },
    )


@require_POST
@reports_view
def paragraphs_view(
    request: HttpRequest,
    year: int,
    unit_type: str,
    unit: str,
    *,
    access: Access,
    programme: Programme,
) -> HttpResponse:
    """Save the office's paragraphs of a unit's report (`after_N`, `text_N` pairs)."""
    _unit(access, programme, year, unit_type, unit)
    numbers = sorted(
        {int(key[5:]) for key in request.POST if re.fullmatch(r"text_[0-9]{1,3}", key)}
    )
    paragraphs = [
        {"after": request.POST.get(f"after_{n}", ""), "text": request.POST.get(f"text_{n}", "")}
        for n in numbers
    ]
    try:
        services.paragraphs_save(
            access=access,
            year=year,
            unit_type=unit_type,
            unit=unit,
            paragraphs=paragraphs,
            user=request.user,
        )
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    except XiezuoError as error:
        messages.error(request, f"未保存：{error.message}")
    else:
        messages.success(request, "补充段落已保存；签发（或发布新版本）时写入报告。")
    return redirect(reverse("web:report", args=[year, unit_type, unit]))


@require_POST
@reports_view
def sign_view(
    request: HttpRequest,
    year: int,
    unit_type: str,
    unit: str,
    *,
    access: Access,
    programme: Programme,
) -> HttpResponse:
    """Sign a unit's report off (`action=sign`) or issue a new version (`action=new_version`)."""
    _unit(access, programme, year, unit_type, unit)
    action = request.POST.get("action", "")
    if action not in ("sign", "new_version"):
        raise BadRequest("参数 action 无效")
    issue = services.report_sign_off if action == "sign" else services.report_new_version
    try:
        report = issue(access=access, year=year, unit_type=unit_type, unit=unit, user=request.user)
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    except XiezuoError as error:
        messages.error(request, f"未签发：{error.message}")
    else:
        messages.success(
            request, f"已签发第 {report.version} 版（SHA-256 {report.sha256[:16]}…）。"
        )
    return redirect(reverse("web:report", args=[year, unit_type, unit]))


@require_GET
@xframe_options_sameorigin
@reports_view
def report_file(
    request: HttpRequest,
    year: int,
    unit_type: str,
    unit: str,
    fmt: str,
    *,
    access: Access,
    programme: Programme,
) -> HttpResponse:
    """Return a unit's report as PDF or XLSX (a download) or as the printable HTML page."""
    if fmt not in services.FORMATS:
        raise Http404("没有这种格式")
    _unit(access, programme, year, unit_type, unit)
    version = _version(request)
    try:
        data, name = services.report_document(
            access=access, year=year, unit_type=unit_type, unit=unit, fmt=fmt, version=version
        )
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    except XiezuoError as error:
        if version is not None:
            raise Http404(error.message) from error
        return render(
            request, "web/reports_unavailable.html", {"error": error.message, "year": year}
        )
    if fmt == "html":
        response = HttpResponse(data, content_type="text/html; charset=utf-8")
        # Framed by the report page (same origin) and printed from there.
        response._csp_config = {  # type: ignore[attr-defined]
            **settings.SECURE_CSP,
            "frame-ancestors": [CSP.SELF],
        }
        return response
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = content_disposition_header(True, name)
    return response


# --- the zip of all reports -----------------------------------------------------------------


def _zipping(access: Access, programme: Programme, year: int) -> None:
    _year(programme, year)
    if not selectors.may_sign(access, "programme", programme.key):
        raise PermissionDenied("只有协作办可以打包下载全部自评报告")


@require_http_methods(["GET", "POST"])
@reports_view
def zip_start(
    request: HttpRequest, year: int, *, access: Access, programme: Programme
) -> HttpResponse:
    """Offer (GET) and queue (POST) the zip of every report of a year."""
    _zipping(access, programme, year)
    if request.method == "GET":
        return render(request, "web/reports_zip.html", {"year": year, "result": None})
    result = build_reports_zip.enqueue(programme.key, year, request.user.pk)
    return redirect(reverse("web:reports-zip-status", args=[year, result.id]))


def _zip_result(programme: Programme, year: int, task_id: str) -> Any:
    if not TASK_ID.fullmatch(task_id):
        raise Http404("没有这个打包任务")
    try:
        result = build_reports_zip.get_result(task_id)
    except (TaskResultDoesNotExist, TaskResultMismatch, ValueError):
        raise Http404("没有这个打包任务") from None
    if list(result.args[:2]) != [programme.key, year]:
        raise Http404("没有这个打包任务")
    return result


@require_GET
@reports_view
def zip_status(
    request: HttpRequest, year: int, task_id: str, *, access: Access, programme: Programme
) -> HttpResponse:
    """Follow a zip task: the page polls this until the zip is written, then links it."""
    _zipping(access, programme, year)
    result = _zip_result(programme, year, task_id)
    error = ""
    if result.status == TaskResultStatus.FAILED and result.errors:
        error = result.errors[-1].traceback.strip().splitlines()[-1]
    template = (
        "web/reports_zip_status.html"
        if request.headers.get("HX-Request") == "true"
        else "web/reports_zip.html"
    )
    return render(
        request,
        template,
        {"year": year, "result": result, "error": error, "done": result.status == "SUCCESSFUL"},
    )


@require_GET
@reports_view
def zip_download(
    request: HttpRequest, year: int, task_id: str, *, access: Access, programme: Programme
) -> FileResponse:
    """Hand out a written zip."""
    _zipping(access, programme, year)
    result = _zip_result(programme, year, task_id)
    if result.status != TaskResultStatus.SUCCESSFUL:
        raise Http404("打包尚未完成")
    name = str(result.return_value)
    path = services.zip_directory() / name
    if not services.ZIP_NAME.fullmatch(name) or not path.is_file():
        raise Http404("打包文件已不存在，请重新打包")
    return FileResponse(
        Path(path).open("rb"),
        as_attachment=True,
        filename=f"{programme.name}-{year}年自评报告.zip",
        content_type="application/zip",
    )
