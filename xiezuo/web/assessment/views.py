"""The assessment pages: scorecard, unit page, drill-down, rectification list and actions.

Each view parses its request, calls one selector or service and renders. Signing in is
required; the scorecard is for the callers who may view the assessment (`Verb.VIEW_ASSESSMENT`).
"""

import re
from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.tasks import TaskResultStatus
from django.tasks.exceptions import TaskResultDoesNotExist, TaskResultMismatch
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from xiezuo.access import Access, Verb
from xiezuo.assessment import catalog, selectors
from xiezuo.assessment.catalog import CatalogError
from xiezuo.assessment.models import RectificationItem, UnitType
from xiezuo.assessment.rectification.selectors import (
    may_update,
    rectification_get,
    rectification_list,
)
from xiezuo.assessment.rectification.services import (
    RectificationError,
    rectification_draft,
    rectification_update,
)
from xiezuo.assessment.selectors import drilldown
from xiezuo.assessment.tasks import run_assessment
from xiezuo.core.errors import ScopeError
from xiezuo.programs.models import Programme
from xiezuo.web import params
from xiezuo.web.assessment import display
from xiezuo.web.assessment.forms import (
    EVIDENCE_TYPES,
    DraftForm,
    RectificationFilterForm,
    RectificationUpdateForm,
    RunForm,
    ScorecardForm,
    default_deadline,
)
from xiezuo.web.guards import verb_required

RECORDS_PER_PAGE = 50
ITEMS_PER_PAGE = 50
TASK_ID = re.compile(r"[0-9A-Za-z-]+")  # a database task's UUID, or a test backend's token


class Caller:
    """Who is asking: their access and its programme."""

    def __init__(self, access: Access, programme: Programme) -> None:
        self.access = access
        self.programme = programme

    def reaches(self, unit_type: str, unit: str) -> bool:
        return self.access.reaches((unit_type, unit))

    @property
    def may_run(self) -> bool:
        return self.access.may(Verb.RUN_ASSESSMENT)

    def may_rectify(self, item: RectificationItem) -> bool:
        return may_update(access=self.access, item=item)


def assessment_view(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Sign-in and a scorecard role required; pass the caller."""

    @verb_required(Verb.VIEW_ASSESSMENT)
    @wraps(view)
    def wrapped(
        request: HttpRequest, *args: Any, access: Access, programme: Programme, **kwargs: Any
    ) -> HttpResponseBase:
        return view(request, *args, caller=Caller(access, programme), **kwargs)

    return wrapped


SCORECARD_CACHE_SECONDS = 3600


@require_GET
@assessment_view
def scorecard(request: HttpRequest, *, caller: Caller) -> HttpResponse:
    """Show a year's units × indicators in colour bands, with total, grade and rank."""
    programme = caller.programme
    year = params.year(
        request, years=programme.years, default=selectors.latest_year(access=caller.access)
    )
    form = params.checked(ScorecardForm(request.GET, years=programme.years))
    side = form.value("side", "helper")
    area = form.value("area", "")
    task = params.key(request, "task", pattern=TASK_ID)
    run_id = form.value("run", None)
    card = selectors.scorecard(access=caller.access, year=year, side=side, run_id=run_id)
    _check_run(card.run, run_id)
    cols = display.columns(side, area)
    # A stored run never changes: its rows (about 500 linked cells) are built once per run,
    # side, area and reach, and the table's HTML kept with them (the template's cache tag).
    table_key = (
        f"{card.run.pk}:{card.run.created:%s%f}:{side}:{area}:{caller.access.fingerprint}"
        if card.run is not None
        else ""
    )
    built = cache.get(f"scorecard-rows:{table_key}") if table_key else None
    if built is None:
        built = (
            display.scorecard_rows(card, cols, linkable=caller.reaches),
            display.programme_row(card, cols, linkable=caller.reaches),
        )
        if table_key:
            cache.set(f"scorecard-rows:{table_key}", built, SCORECARD_CACHE_SECONDS)
    rows, total = built
    return render(
        request,
        "web/assessment_scorecard.html",
        {
            "programme": programme,
            "form": form,
            "year": year,
            "side": side,
            "area": area,
            "sides": display.SIDES,
            "side_label": display.SIDES[side],
            "areas": catalog.areas(),
            "card": card,
            "columns": cols,
            "groups": display.area_groups(cols),
            "rows": rows,
            "total": total,
            "table_key": table_key,
            "table_seconds": SCORECARD_CACHE_SECONDS if card.run is not None else 0,
            "bands": display.BAND_LABELS,
            "may_run": caller.may_run,
            "run_form": RunForm(initial={"year": year}),
            "draft_form": DraftForm(
                initial={"deadline": default_deadline(card.run.as_of)} if card.run else None
            ),
            "task": task,
        },
    )


@require_POST
@assessment_view
def run_start(request: HttpRequest, *, caller: Caller) -> HttpResponse:
    """Queue the assessment of a year (the programme office); follow it on the scorecard."""
    try:
        caller.access.check(Verb.RUN_ASSESSMENT)
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    form = RunForm(request.POST)
    scorecard_url = reverse("web:assessment")
    if not form.is_valid() or form.cleaned_data["year"] not in caller.programme.years:
        messages.error(request, "无法运行考核：" + _errors(form, "年度不在项目期内"))
        return redirect(scorecard_url)
    year, as_of = form.cleaned_data["year"], form.cleaned_data["as_of"]
    result = run_assessment.enqueue(
        caller.programme.key, year, as_of.isoformat() if as_of else None, request.user.pk
    )
    return _after_run(request, result, year=year)


@require_GET
@assessment_view
def run_status(request: HttpRequest, task_id: str, *, caller: Caller) -> HttpResponse:
    """Report a queued run: polled by the scorecard until it is done, then go to its run."""
    try:
        result = run_assessment.get_result(task_id)
    except (TaskResultDoesNotExist, TaskResultMismatch, ValueError):
        raise Http404("没有这个考核任务") from None
    year = int(result.args[1])
    return _after_run(request, result, year=year)


def _after_run(request: HttpRequest, result: Any, *, year: int) -> HttpResponse:
    base = reverse("web:assessment")
    if result.status == TaskResultStatus.SUCCESSFUL:
        target = f"{base}?year={year}&run={result.return_value}"
        if request.headers.get("HX-Request") == "true":
            response = HttpResponse(status=204)
            response["HX-Redirect"] = target
            return response
        messages.success(request, f"{year} 年考核已完成。")
        return redirect(target)
    if result.status == TaskResultStatus.FAILED:
        error = result.errors[-1].traceback.strip().splitlines()[-1] if result.errors else ""
        if request.method == "POST":
            messages.error(request, f"{year} 年考核运行失败：{error}")
            return redirect(f"{base}?year={year}")
        return render(request, "web/assessment_run_status.html", {"result": result, "error": error})
    if request.method == "POST":
        return redirect(f"{base}?year={year}&task={result.id}")
    return render(request, "web/assessment_run_status.html", {"result": result, "year": year})


@require_POST
@assessment_view
def rectification_draft_view(request: HttpRequest, run_id: int, *, caller: Caller) -> HttpResponse:
    """Draft rectification items from a run's red and amber alerts (the programme office)."""
    try:
        caller.access.check(Verb.DRAFT_RECTIFICATION)
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    run = selectors.run_get(access=caller.access, pk=run_id)
    form = DraftForm(request.POST)
    if not form.is_valid():
        messages.error(request, "无法生成整改清单：" + _errors(form, "请填写整改期限"))
        return redirect(f"{reverse('web:assessment')}?year={run.year}&run={run.pk}")
    try:
        draft = rectification_draft(
            access=caller.access,
            run=run,
            deadline=form.cleaned_data["deadline"],
            user=request.user,
        )
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    messages.success(
        request,
        f"已生成 {draft.created} 条整改事项"
        + (f"；{draft.existing} 条预警已有整改事项，未重复生成" if draft.existing else "")
        + "。",
    )
    return redirect(f"{reverse('web:rectification')}?run={run.pk}")


@require_GET
@assessment_view
def unit_page(request: HttpRequest, unit_type: str, unit: str, *, caller: Caller) -> HttpResponse:
    """Show one unit: six-area profile, trend over the years, lagging list, rectification."""
    if unit_type not in UnitType.values:
        raise Http404("没有这种考核单位")
    programme = caller.programme
    year = params.year(
        request, years=programme.years, default=selectors.latest_year(access=caller.access)
    )
    run_id = params.checked(ScorecardForm(request.GET, years=programme.years)).value("run", None)
    profile = selectors.unit_profile(
        access=caller.access, unit_type=unit_type, unit=unit, year=year, run_id=run_id
    )
    _check_run(profile.run, run_id)
    if profile.unit is None and not any(p.unit for p in profile.trend):
        raise Http404("没有这个单位的考核结果")
    link = caller.reaches(unit_type, unit)
    areas = display.area_profile(profile.results)
    trend_indicators, trend = display.trend_table(profile.trend, unit_type)
    items = rectification_list(access=caller.access, unit_type=unit_type, unit=unit)
    run_id = profile.run.pk if profile.run else 0
    secondments = (
        selectors.pairing_secondments(access=caller.access, pairing_key=unit, year=year)
        if unit_type == UnitType.PAIRING and link
        else None
    )
    return render(
        request,
        "web/assessment_unit.html",
        {
            "programme": programme,
            "year": year,
            "unit_type": unit_type,
            "unit": unit,
            "unit_type_label": display.unit_type_label(unit_type),
            "label": display.unit_label(unit_type, unit, profile.names),
            "profile": profile,
            "areas": areas,
            "lines": display.result_lines(profile.results, run_id=run_id, link=link),
            "alerts": display.alert_lines(profile.alerts, run_id=run_id, link=link),
            "trend_indicators": trend_indicators,
            "trend": trend,
            "chart": display.chart_data(areas, trend),
            "items": display.item_views(
                items,
                names=profile.names,
                today=timezone.localdate(),
                may_update=caller.may_rectify,
            ),
            "statuses": RectificationItem.Status.choices,
            "evidence_types": ",".join(EVIDENCE_TYPES),
            "years": list(programme.years),
            "secondments": secondments,
        },
    )


@require_GET
@assessment_view
def drill(
    request: HttpRequest,
    run_id: int,
    indicator: str,
    unit_type: str,
    unit: str,
    *,
    caller: Caller,
) -> HttpResponse:
    """List the records behind one number, with its value, target and how it was computed."""
    from xiezuo.assessment.evaluation import EvaluationError  # Ibis: loaded with the first drill

    run = selectors.run_get(access=caller.access, pk=run_id)
    try:
        item = catalog.indicator(indicator)
    except CatalogError:
        raise Http404("没有这个指标") from None
    result = selectors.result_get(run=run, indicator=indicator, unit_type=unit_type, unit=unit)
    try:
        found = drilldown(run, indicator, unit_type, unit, access=caller.access)
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    except EvaluationError as error:
        raise Http404(error.message) from error
    tables = selectors.record_pages(
        found,
        pages={d.ledger: request.GET.get(f"page-{d.ledger}") for d in found},
        size=RECORDS_PER_PAGE,
        page_of=params.page,
    )
    names = selectors.region_names([unit])
    alert = selectors.alert_of(run=run, indicator=indicator, unit_type=unit_type, unit=unit)
    return render(
        request,
        "web/assessment_drill.html",
        {
            "programme": caller.programme,
            "run": run,
            "indicator": item,
            "result": result,
            "unit_type": unit_type,
            "unit": unit,
            "label": display.unit_label(unit_type, unit, names),
            "cell": display.cell(result, item, link=False, run_id=run.pk),
            "share": display.percent(display.share(result.value, result.target, item.direction)),
            "alert": alert,
            "facts": {
                "target": display.plain(result.target),
                "numerator": display.plain(result.numerator),
                "denominator": display.plain(result.denominator),
                "expected": display.plain(alert.expected if alert else None),
            },
            "computation": display.computation(item, result),
            "sources": display.source_titles(item),
            "tables": [
                (
                    display.record_table(
                        page.ledger,
                        page.model,
                        page.items,
                        count=page.page.paginator.count,
                        access=caller.access,
                        pairing_keys=page.pairing_keys,
                    ),
                    page.page,
                )
                for page in tables
            ],
            "record_count": sum(len(d.ids) for d in found),
        },
    )


@require_GET
@assessment_view
def rectification_page(request: HttpRequest, *, caller: Caller) -> HttpResponse:
    """List the rectification items the caller reaches: status, deadline, overdue flag."""
    form = params.checked(RectificationFilterForm(request.GET))
    run = None
    if form.cleaned_data.get("run"):
        run = selectors.run_get(access=caller.access, pk=form.cleaned_data["run"])
    items = rectification_list(access=caller.access, run=run, **form.filters()).order_by(
        "deadline", "unit_type", "unit", "indicator", "id"
    )
    page = params.page(Paginator(items, ITEMS_PER_PAGE), request.GET.get("page"))
    names = selectors.region_names([item.unit for item in page.object_list])
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/rectification_list.html",
        {
            "programme": caller.programme,
            "form": form,
            "run": run,
            "page": page,
            "query": query.urlencode(),
            "items": display.item_views(
                page.object_list,
                names=names,
                today=timezone.localdate(),
                may_update=caller.may_rectify,
            ),
            "statuses": RectificationItem.Status.choices,
            "evidence_types": ",".join(EVIDENCE_TYPES),
        },
    )


@require_POST
@assessment_view
def rectification_update_view(request: HttpRequest, pk: int, *, caller: Caller) -> HttpResponse:
    """Record progress on an item: status, note, evidence file, linked records."""
    try:
        item = rectification_get(access=caller.access, pk=pk)
    except ScopeError as error:
        raise Http404(error.message) from error
    if not caller.may_rectify(item):
        raise PermissionDenied("您的账号不能更新这条整改事项")
    form = RectificationUpdateForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            rectification_update(
                access=caller.access,
                item=item,
                status=data["status"],
                note=data["note"],
                file=data["file"],
                records=data["records"] if data["records"] or item.records else None,
            )
        except ScopeError as error:
            raise PermissionDenied(error.message) from error
        except RectificationError as error:
            messages.error(request, f"整改事项未更新：{error.message}")
        else:
            messages.success(request, "整改事项已更新。")
    else:
        messages.error(request, "整改事项未更新：" + _errors(form, "请检查填写内容"))
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = reverse("web:assessment-unit", args=[item.unit_type, item.unit])
    return redirect(f"{back}#item-{item.pk}")


@require_GET
@assessment_view
def rectification_evidence(request: HttpRequest, pk: int, *, caller: Caller) -> HttpResponseBase:
    """Hand out an item's evidence file to a caller who may read the item."""
    try:
        item = rectification_get(access=caller.access, pk=pk)
    except ScopeError as error:
        raise Http404(error.message) from error
    if not item.evidence_file:
        raise Http404("这条整改事项没有佐证材料")
    try:
        handle = item.evidence_file.open("rb")
    except FileNotFoundError:
        raise Http404("佐证材料文件已不存在") from None
    return FileResponse(handle, as_attachment=True, filename=item.evidence_name)


def _check_run(shown: Any, asked: int | None) -> None:
    """404 when the run asked for is not the one a page found for its year (the page falls
    back to the year's latest run otherwise)."""
    if asked is not None and (shown is None or shown.pk != asked):
        raise Http404("这一年没有这次考核运行")


def _errors(form: Any, fallback: str) -> str:
    texts = [str(e) for errors in form.errors.values() for e in errors]
    return "；".join(texts) or fallback
