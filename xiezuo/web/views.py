"""The pages: each parses its request, calls one selector and renders a template."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from xiezuo.access import Verb
from xiezuo.access.middleware import access_of
from xiezuo.bulletins.selectors import article_latest
from xiezuo.core.errors import ScopeError
from xiezuo.precision.selectors import household_precision
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import pairing_list
from xiezuo.registry.models import Household
from xiezuo.registry.overview_cache import cached_programme_overview
from xiezuo.registry.selectors import (
    household_edits,
    household_get,
    household_list,
    member_list,
)
from xiezuo.web import params
from xiezuo.web.display import county_choices, income_lines, overview_context
from xiezuo.web.forms import HouseholdFilterForm
from xiezuo.web.paging import keyset_page

HOUSEHOLDS_PER_PAGE = 50
HOUSEHOLD_NO_LENGTH = Household._meta.get_field("household_no").max_length or 32


def overview(request: HttpRequest) -> HttpResponse:
    """Show the programme's published figures for one year: tiles, county table and map."""
    try:
        access, programme = access_of(request)
    except Programme.DoesNotExist:
        return render(request, "web/no_programme.html")
    overview = cached_programme_overview(access=access, programme=programme)
    year = params.year(request, years=overview.years, default=programme.end_year)
    context = overview_context(overview, year=year)
    context["bulletins"] = article_latest(access=access, limit=5)
    return render(request, "web/overview.html", context)


@login_required
def households(request: HttpRequest) -> HttpResponse:
    """List the households the caller reads, filtered and paged by 户编号."""
    try:
        access, programme = access_of(request)
    except Programme.DoesNotExist:
        return render(request, "web/no_programme.html")
    form = HouseholdFilterForm(
        request.GET, counties=county_choices(pairing_list(programme=programme), access=access)
    )
    try:
        rows = household_list(access=access, region=form.region_code)
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    if form.status_label:
        rows = rows.filter(status=form.status_label)
    if not form.is_valid():
        rows = rows.none()  # the page shows the filter's error, not every household
    page = keyset_page(
        rows,
        key="household_no",
        size=HOUSEHOLDS_PER_PAGE,
        after=params.key(request, "after", max_length=HOUSEHOLD_NO_LENGTH),
        before=params.key(request, "before", max_length=HOUSEHOLD_NO_LENGTH),
        last=params.flag(request, "last"),
    )
    return render(
        request,
        "web/household_list.html",
        {"programme": programme, "form": form, "page": page, "count": rows.count()},
        status=200 if form.is_valid() else 400,
    )


@login_required
def household_detail(request: HttpRequest, household_no: str) -> HttpResponse:
    """Show one household the caller reads: members (masked per `Access.mask`), incomes and
    status history."""
    try:
        access, programme = access_of(request)
    except Programme.DoesNotExist:
        return render(request, "web/no_programme.html")
    if not access.may(Verb.VIEW_HOUSEHOLDS):
        raise PermissionDenied("需要相应区域权限才能查看贫困户信息")
    params.check_path(household_no, max_length=HOUSEHOLD_NO_LENGTH)
    try:
        household = household_get(access=access, household_no=household_no)
    except ScopeError as error:
        raise Http404(error.message) from error
    return render(
        request,
        "web/household_detail.html",
        {
            "programme": programme,
            "household": household,
            "members": member_list(access=access, household=household),
            "incomes": income_lines(household, list(household.incomes.order_by("year"))),
            "history": list(household.history.order_by("year", "id")),
            "precision": household_precision(access=access, household=household),
            "edits": household_edits(access=access, household=household),
        },
    )
