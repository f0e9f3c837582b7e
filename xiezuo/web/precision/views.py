"""The precision pages: a county's 精准帮扶 page, the 监测 board, a case and the village notice.

Signing in and `Verb.VIEW_HOUSEHOLDS` are required; what a caller sees is what the precision
selectors return for their access (a helper office reads its paired counties, masked). A
county, village or case outside the caller's reach answers 404; a malformed parameter 400.
The case steps are written through the monitoring services (`Verb.MANAGE_MONITORING`).
"""

import datetime as dt
import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from xiezuo.access import Access, Verb
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.precision import services
from xiezuo.precision.rules import Rules, rules_for
from xiezuo.precision.selectors import (
    case_timeline,
    monitoring_case,
    monitoring_report,
    precision_report,
    village_notice,
)
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import pairing_list
from xiezuo.regions.selectors import names_for
from xiezuo.registry.selectors import household_get
from xiezuo.web import params
from xiezuo.web.display import county_choices
from xiezuo.web.guards import verb_required
from xiezuo.web.precision import display
from xiezuo.web.precision.forms import BoardForm, CaseDateForm, CaseNoticeForm

CASES_PER_PAGE = 100
MAX_VILLAGE_CHOICES = 300
COUNTY = re.compile(r"[0-9]{6}")
VILLAGE = re.compile(r"[0-9]{12}")


class Caller:
    """Who is asking: their access, its programme and the recipient counties they read."""

    def __init__(self, access: Access, programme: Programme) -> None:
        self.access = access
        self.programme = programme

    def counties(self) -> list[tuple[str, str]]:
        """Return (code, name) of the programme's recipient counties the caller reads."""
        return county_choices(pairing_list(programme=self.programme), access=self.access)

    def rules(self, year: int) -> Rules:
        return rules_for(self.programme.key, year)

    @property
    def may_manage(self) -> bool:
        return self.access.may(Verb.MANAGE_MONITORING)


def precision_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Sign-in and `Verb.VIEW_HOUSEHOLDS` required; pass the caller."""

    @verb_required(Verb.VIEW_HOUSEHOLDS)
    @wraps(view)
    def wrapped(
        request: HttpRequest, *args: Any, access: Access, programme: Programme, **kwargs: Any
    ) -> HttpResponseBase:
        return view(request, *args, caller=Caller(access, programme), **kwargs)

    return wrapped


def _check(caller: Caller, verb: Verb) -> None:
    """Refuse (403) a caller who may not `verb`."""
    try:
        caller.access.check(verb)
    except ScopeError as error:
        raise PermissionDenied(error.message) from error


# --- 精准帮扶 ----------------------------------------------------------------------------------


@require_GET
@precision_view
def precision_index(request: HttpRequest, *, caller: Caller) -> HttpResponse:
    """Open a county's page: the one asked for, the caller's only county, or a choice."""
    _check(caller, Verb.VIEW_PRECISION)
    year = params.year(request, years=caller.programme.years, default=caller.programme.end_year)
    counties = caller.counties()
    chosen = params.key(request, "county", pattern=COUNTY)
    if chosen is None and len(counties) == 1:
        chosen = counties[0][0]
    if chosen is not None:
        return redirect(f"{reverse('web:precision-county', args=[chosen])}?year={year}")
    return render(
        request,
        "web/precision_index.html",
        {"programme": caller.programme, "year": year, "counties": counties},
    )


@require_GET
@precision_view
def county_page(request: HttpRequest, county: str, *, caller: Caller) -> HttpResponse:
    """Show a county's gaps, wrong exits, ready-to-exit households, village incidence and its
    exit checklist with the what-if."""
    _check(caller, Verb.VIEW_PRECISION)
    programme = caller.programme
    year = params.year(request, years=programme.years, default=programme.end_year)
    counties = caller.counties()
    names = dict(counties)
    if county not in names:
        raise Http404("没有这个受援县，或您的账号不能查看它")
    context = {
        "programme": programme,
        "year": year,
        "years": list(programme.years),
        "county": county,
        "county_name": names[county],
        "counties": counties,
        "read_only": not caller.access.may(Verb.WRITE_REGISTRY),
    }
    try:
        report = precision_report(access=caller.access, year=year, region=county)
    except ScopeError as error:
        raise Http404(error.message) from error
    except XiezuoError as error:  # the programme lacks a figure of the year (its line)
        return render(request, "web/precision_county.html", {**context, "error": error.message})
    townships = names_for({v.township for v in report.villages})
    villages = names_for({g.village for g in report.gaps} | {c for c, _ in _to_exit(report)})
    return render(
        request,
        "web/precision_county.html",
        {
            **context,
            **display.county_context(
                report,
                county=county,
                rules=caller.rules(year),
                townships=townships,
                village_names=villages,
            ),
        },
    )


def _to_exit(report: Any) -> list[tuple[str, int]]:
    return [pair for c in report.counties for pair in c.villages_to_exit]


# --- 监测 ------------------------------------------------------------------------------------


@require_GET
@precision_view
def monitoring_board(request: HttpRequest, *, caller: Caller) -> HttpResponse:
    """Show a year's monitoring cases: counts by category and status, then the filtered list
    with the deadlines (overdue ones in red)."""
    programme = caller.programme
    year = params.year(request, years=programme.years, default=programme.end_year)
    form = params.checked(BoardForm(request.GET, year=year))
    data = form.cleaned_data
    region = data["region"] or None
    for code in (region, data["village"]):
        if code and not caller.access.covers(code):
            raise Http404("您的账号不能查看这个区域")
    rules = caller.rules(year)
    context: dict[str, Any] = {
        "programme": programme,
        "year": year,
        "years": list(programme.years),
        "form": form,
        "counties": caller.counties(),
        "rules": rules,
        "too_early": year < rules.monitoring_from_year,
    }
    if context["too_early"]:
        return render(request, "web/precision_monitoring.html", context)
    try:
        report = monitoring_report(  # the narrowest region asked for: the engine reads less
            access=caller.access, year=year, as_of=data["as_of"], region=data["village"] or region
        )
    except ScopeError as error:
        raise Http404(error.message) from error
    except XiezuoError as error:  # the programme lacks a figure of the year (its line)
        return render(request, "web/precision_monitoring.html", {**context, "error": error.message})
    cases = display.filter_cases(
        report.cases,
        category=data["category"],
        status=data["status"],
        village=data["village"],
        overdue=data["overdue"],
    )
    page = params.page(Paginator(cases, CASES_PER_PAGE), request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    village_names = names_for({c.village for c in page.object_list})
    return render(
        request,
        "web/precision_monitoring.html",
        {
            **context,
            "report": report,
            "counts": display.case_counts(report.cases),
            "statuses": display.STATUSES,
            "matching": len(cases),
            "filtered": any(data[k] for k in ("region", "village", "category", "status", "overdue"))
            or data["as_of"] is not None,
            "page": page,
            "rows": display.case_rows(page.object_list, village_names),
            "query": query.urlencode(),
            "as_of_query": f"?as_of={data['as_of']:%Y-%m-%d}" if data["as_of"] else "",
            "villages": _village_choices(report.cases, region=region),
        },
    )


def _village_choices(cases: list[Any], *, region: str | None) -> list[str]:
    """Return the villages holding cases, for the filter's suggestions: those of the region
    chosen, or of the whole board when it is small (a programme holds thousands)."""
    villages = sorted({case.village for case in cases})
    return villages if region or len(villages) <= MAX_VILLAGE_CHOICES else []


def _monitoring_year(caller: Caller, year: int) -> None:
    """404 for a year outside the programme or before monitoring began (the board says why)."""
    if year not in caller.programme.years or year < caller.rules(year).monitoring_from_year:
        raise Http404(f"{year} 年没有防返贫监测")


def _as_of(request: HttpRequest, year: int) -> dt.date | None:
    form = params.checked(BoardForm(request.GET, year=year))
    return form.cleaned_data["as_of"]


@require_GET
@precision_view
def case_page(
    request: HttpRequest, household_no: str, year: int, *, caller: Caller
) -> HttpResponse:
    """Show one case: the household, its categories and reasons, the deadlines, the timeline
    (clue → confirmed → notice → measures → eliminated) and, for a county office, the steps."""
    _monitoring_year(caller, year)
    as_of = _as_of(request, year)
    try:
        case = monitoring_case(
            access=caller.access, household_no=household_no, year=year, as_of=as_of
        )
        household = household_get(access=caller.access, household_no=household_no)
        timeline = case_timeline(access=caller.access, household_no=household_no, year=year)
    except ScopeError as error:
        raise Http404(error.message) from error
    shown = caller.access.mask(
        "registry.Household",
        {
            "householder_id_number": household.householder_id_number,
            "responsible_phone": household.responsible_phone,
        },
        region=household.village_id,
    )
    names = names_for({household.village_id, household.county_id})
    return render(
        request,
        "web/precision_case.html",
        {
            "programme": caller.programme,
            "year": year,
            "case": case,
            "household": household,
            "shown": shown,
            "masked": caller.access.masks("registry.Household", household.village_id),
            "village_name": names.get(household.village_id, household.village_id),
            "county_name": names.get(household.county_id, household.county_id),
            "steps": display.case_steps(case),
            "timeline": [(day, text, display.timeline_kind(text)) for day, text in timeline],
            "overdue_labels": [display.OVERDUE_LABELS.get(k, k) for k in case.overdue],
            "may_manage": caller.may_manage,
            "confirm_form": CaseDateForm(initial={"on": case.confirmed_on}, prefix="confirm"),
            "notice_form": CaseNoticeForm(
                initial={"start": case.notice_from, "end": case.notice_to}, prefix="notice"
            ),
            "eliminate_form": CaseDateForm(initial={"on": case.eliminated_on}, prefix="eliminate"),
            "notice_min_days": caller.rules(year).notice_min_days,
        },
    )


STEPS: dict[str, tuple[type, Callable[..., Any], str]] = {
    "confirm": (CaseDateForm, services.case_confirm, "已确认为监测对象"),
    "notice": (CaseNoticeForm, services.case_notice, "已记录村内公示"),
    "eliminate": (CaseDateForm, services.case_eliminate, "已标注风险消除"),
}


@require_POST
@precision_view
def case_step(
    request: HttpRequest, household_no: str, year: int, step: str, *, caller: Caller
) -> HttpResponse:
    """Record a step of a case (confirmation, village notice, risk eliminated) through its
    service; the service's refusal is shown on the case page."""
    if step not in STEPS:
        raise Http404("没有这个步骤")
    try:
        caller.access.check(Verb.MANAGE_MONITORING)
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    _monitoring_year(caller, year)
    form_class, service, done = STEPS[step]
    form = form_class(request.POST, prefix=step)
    back = reverse("web:monitoring-case", args=[household_no, year])
    if not form.is_valid():
        messages.error(request, "未保存：" + _errors(form))
        return redirect(back)
    try:
        service(access=caller.access, household_no=household_no, year=year, **form.cleaned_data)
    except ScopeError as error:
        raise Http404(error.message) from error
    except XiezuoError as error:
        messages.error(request, f"未保存：{error.message}")
    else:
        messages.success(request, f"{done}。")
    return redirect(back)


@require_GET
@precision_view
def notice_page(request: HttpRequest, village: str, *, caller: Caller) -> HttpResponse:
    """Show a village's printable notice of its monitoring cases (A4): householder, size,
    categories and reasons — never an ID number, phone, bank or health data."""
    if not VILLAGE.fullmatch(village) or not caller.access.covers(village):
        raise Http404("没有这个村，或您的账号不能查看它")
    programme = caller.programme
    year = params.year(request, years=programme.years, default=programme.end_year)
    as_of = _as_of(request, year)
    rules = caller.rules(year)
    names = names_for({village, village[:9], village[:6]})
    if village not in names:
        raise Http404("没有这个村")
    rows: list[dict[str, Any]] = []
    if year >= rules.monitoring_from_year:
        try:
            rows = village_notice(access=caller.access, village=village, year=year, as_of=as_of)
        except ScopeError as error:
            raise Http404(error.message) from error
    return render(
        request,
        "web/precision_notice.html",
        {
            "programme": programme,
            "year": year,
            "village": village,
            "village_name": names[village],
            "township_name": names.get(village[:9], ""),
            "county_name": names.get(village[:6], ""),
            "rows": rows,
            "too_early": year < rules.monitoring_from_year,
            "rules": rules,
        },
    )


def _errors(form: Any) -> str:
    texts = [str(e) for errors in form.errors.values() for e in errors]
    return "；".join(texts) or "请检查填写内容"
