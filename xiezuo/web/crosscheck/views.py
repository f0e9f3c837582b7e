"""The cross-check pages (比对核查): the counties' counts, a county's queue, one flag's evidence
side by side with the confirm and dismiss forms.

Signing in and `Verb.VIEW_CROSSCHECKS` are required; what a caller sees is what the crosscheck
selectors return for their access (masked where they may not see personal data). A county,
village or flag outside the caller's reach answers 404; a malformed parameter 400. Decisions
and runs go through the services (`Verb.REVIEW_CROSSCHECKS` over the flag's county).
"""

import re
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from xiezuo.access import Access, Verb
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.crosscheck import selectors, services
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import pairing_list
from xiezuo.regions.selectors import names_for
from xiezuo.web import params
from xiezuo.web.crosscheck.forms import ConfirmForm, DismissForm, QueueForm, RunForm
from xiezuo.web.display import county_choices
from xiezuo.web.guards import verb_required

FLAGS_PER_PAGE = 50
COUNTY = re.compile(r"[0-9]{6}")


def _counties(access: Access, programme: Programme) -> list[tuple[str, str]]:
    return county_choices(pairing_list(programme=programme), access=access)


def _reviewable(access: Access, counties: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return the counties the caller may run the checks for and decide flags in."""
    if not access.may(Verb.REVIEW_CROSSCHECKS):
        return []
    return [(c, n) for c, n in counties if access.may_in(Verb.REVIEW_CROSSCHECKS, c)]


@require_GET
@verb_required(Verb.VIEW_CROSSCHECKS)
def index(request: HttpRequest, *, access: Access, programme: Programme) -> HttpResponse:
    """List the counties the caller reads with their flags per rule and status, and the run
    form for those they may review."""
    year = params.year(request, years=programme.years, default=programme.end_year)
    counties = _counties(access, programme)
    counts = selectors.county_counts(access=access, year=year)
    return render(
        request,
        "web/crosscheck_index.html",
        {
            "programme": programme,
            "year": year,
            "years": list(programme.years),
            "rules": selectors.RULES,
            "counties": [_county_row(code, name, counts.get(code)) for code, name in counties],
            "runnable": _reviewable(access, counties),
        },
    )


def _county_row(
    code: str, name: str, counts: list[selectors.RuleCount] | None
) -> tuple[str, str, list[selectors.RuleCount], int]:
    """Return a county's row of the index: its counts of the known rules, and the total."""
    counts = counts or selectors.rule_counts_empty()
    return (
        code,
        name,
        [c for c in counts if c.rule in selectors.RULES],
        sum(c.total for c in counts),
    )


@require_POST
@verb_required(Verb.REVIEW_CROSSCHECKS)
def run(request: HttpRequest, *, access: Access, programme: Programme) -> HttpResponse:
    """Run the checks for one county and year (inline: one county's register against the
    year's lists) and store the flags; the queue keeps earlier decisions."""
    form = RunForm(request.POST)
    if not form.is_valid():
        messages.error(request, "未运行：" + _errors(form))
        return redirect(reverse("web:crosscheck"))
    county, year, fuzzy = (form.cleaned_data[k] for k in ("county", "year", "fuzzy"))
    back = f"{reverse('web:crosscheck-county', args=[county])}?year={year}"
    if year not in programme.years:
        messages.error(request, f"未运行：项目没有 {year} 年")
        return redirect(reverse("web:crosscheck"))
    if county not in dict(_reviewable(access, _counties(access, programme))):
        raise PermissionDenied("只有所在县扶贫办（或协作办）可以运行本县的比对")
    try:
        stored = services.crosscheck_run(access=access, year=year, county=county, fuzzy=fuzzy)
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    except XiezuoError as error:
        messages.error(request, f"未运行：{error.message}")
    else:
        messages.success(request, f"比对完成：{stored} 条疑点（已处理的疑点保留原决定）。")
    return redirect(back)


@require_GET
@verb_required(Verb.VIEW_CROSSCHECKS)
def county_page(
    request: HttpRequest, county: str, *, access: Access, programme: Programme
) -> HttpResponse:
    """Show a county's 比对 queue: counts per rule and status, then the flags, filtered by
    rule, village and status, a page at a time."""
    year = params.year(request, years=programme.years, default=programme.end_year)
    names = dict(_counties(access, programme))
    if not COUNTY.fullmatch(county) or county not in names:
        raise Http404("没有这个受援县，或您的账号不能查看它")
    form = params.checked(QueueForm(request.GET))
    data = form.cleaned_data
    try:
        flags = selectors.flags_for_county(
            access=access,
            county=county,
            year=year,
            rule=data["rule"] or None,
            village=data["village"] or None,
            status=data["status"] or None,
        )
        counts = selectors.rule_counts(access=access, county=county, year=year)
    except ScopeError as error:
        raise Http404(error.message) from error
    page = params.page(Paginator(flags, FLAGS_PER_PAGE), request.GET.get("page"))
    rows = selectors.flag_rows(access=access, flags=page.object_list)
    villages = names_for({row.village for row in rows})
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "web/crosscheck_county.html",
        {
            "programme": programme,
            "year": year,
            "years": list(programme.years),
            "county": county,
            "county_name": names[county],
            "form": form,
            "counts": counts,
            "totals": _totals(counts),
            "page": page,
            "rows": [(row, villages.get(row.village, row.village)) for row in rows],
            "query": query.urlencode(),
            "filtered": any(data.values()),
            "may_run": county in dict(_reviewable(access, list(names.items()))),
            "rules": selectors.RULES,
        },
    )


def _totals(counts: list[selectors.RuleCount]) -> dict[str, int]:
    return {
        name: sum(getattr(c, name) for c in counts)
        for name in ("pending", "confirmed", "dismissed", "stale", "total")
    }


@require_GET
@verb_required(Verb.VIEW_CROSSCHECKS)
def flag_page(
    request: HttpRequest, pk: int, *, access: Access, programme: Programme
) -> HttpResponse:
    """Show one flag: the registry row beside the list row (differing fields marked), the
    match and its score, the decision, and for a reviewer the confirm and dismiss forms."""
    try:
        flag = selectors.flag_get(access=access, pk=pk)
    except ScopeError as error:
        raise Http404(error.message) from error
    return render(request, "web/crosscheck_flag.html", _flag_context(access, programme, flag))


def _flag_context(access: Access, programme: Programme, flag: Any, **forms: Any) -> dict:
    household = flag.household
    names = names_for({household.village_id, household.county_id})
    [row] = selectors.flag_rows(access=access, flags=[flag])
    return {
        "source_title": source_title(flag.source),
        "programme": programme,
        "flag": flag,
        "row": row,
        "household": household,
        "village_name": names.get(household.village_id, household.village_id),
        "county_name": names.get(household.county_id, household.county_id),
        "evidence": selectors.flag_evidence(access=access, flag=flag),
        "may_review": flag.status == flag.Status.PENDING
        and selectors.may_review(access=access, flag=flag),
        "confirm_form": forms.get("confirm") or ConfirmForm(prefix="confirm"),
        "dismiss_form": forms.get("dismiss") or DismissForm(prefix="dismiss"),
    }


def source_title(source: str) -> str:
    """Return the Chinese title of the list a flag comes from (死亡人员 for deaths)."""
    if source == "registry":
        return "建档立卡"
    from xiezuo.ingest import catalog

    found = catalog.ledgers().get(source)
    return found.title if found is not None else source


DECISIONS: dict[str, tuple[type[DismissForm], Callable[..., Any], str]] = {
    "confirm": (ConfirmForm, services.flag_confirm, "已确认，该户已列入整改"),
    "dismiss": (DismissForm, services.flag_dismiss, "已排除"),
}


@require_POST
@verb_required(Verb.VIEW_CROSSCHECKS)
def decide(
    request: HttpRequest, pk: int, decision: str, *, access: Access, programme: Programme
) -> HttpResponse:
    """Confirm or dismiss a flag through its service; an invalid form or a refusal shows the
    flag page again with the reason (422)."""
    if decision not in DECISIONS:
        raise Http404("没有这个操作")
    try:
        flag = selectors.flag_get(access=access, pk=pk)
    except ScopeError as error:
        raise Http404(error.message) from error
    if not selectors.may_review(access=access, flag=flag):
        raise PermissionDenied("只有所在县扶贫办（或协作办）可以确认或排除比对疑点")
    form_class, service, done = DECISIONS[decision]
    form = form_class(request.POST, prefix=decision)
    if form.is_valid():
        try:
            service(access=access, flag=flag, **form.cleaned_data)
        except ScopeError as error:
            raise PermissionDenied(error.message) from error
        except XiezuoError as error:
            form.add_error(error.extra.get("field"), error.message)
        else:
            messages.success(request, f"{done}。")
            return redirect(reverse("web:crosscheck-flag", args=[flag.pk]))
    messages.error(request, "未保存：" + _errors(form))
    flag.refresh_from_db()
    context = _flag_context(access, programme, flag, **{decision: form})
    return render(request, "web/crosscheck_flag.html", context, status=422)


def _errors(form: Any) -> str:
    texts = [str(e) for errors in form.errors.values() for e in errors]
    return "；".join(texts) or "请检查填写内容"
