"""The pages: each parses its request, calls one selector and renders a template."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from xiezuo.core.errors import ScopeError
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import pairing_list, programme_get, scope_for
from xiezuo.registry.models import Household
from xiezuo.registry.selectors import household_get, household_list, member_list
from xiezuo.web import params
from xiezuo.web.display import county_choices, income_lines, overview_context
from xiezuo.web.forms import HouseholdFilterForm
from xiezuo.web.overview_cache import cached_programme_overview
from xiezuo.web.paging import keyset_page

HOUSEHOLDS_PER_PAGE = 50
HOUSEHOLD_NO_LENGTH = Household._meta.get_field("household_no").max_length or 32


def overview(request: HttpRequest) -> HttpResponse:
    """Show the programme's published figures for one year: tiles, county table and map."""
    try:
        programme = programme_get()
    except Programme.DoesNotExist:
        return render(request, "web/no_programme.html")
    scope = scope_for(user=request.user, programme=programme)
    overview = cached_programme_overview(scope=scope, programme=programme)
    year = params.year(request, years=overview.years, default=programme.end_year)
    return render(request, "web/overview.html", overview_context(overview, year=year))


@login_required
def households(request: HttpRequest) -> HttpResponse:
    """List the households in the caller's scope, filtered and paged by 户编号."""
    try:
        programme = programme_get()
    except Programme.DoesNotExist:
        return render(request, "web/no_programme.html")
    scope = scope_for(user=request.user, programme=programme)
    form = HouseholdFilterForm(
        request.GET, counties=county_choices(pairing_list(programme=programme), scope=scope)
    )
    try:
        rows = household_list(scope=scope, region=form.region_code)
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
    """Show one household in scope: members (masked per role), incomes and status history."""
    try:
        programme = programme_get()
    except Programme.DoesNotExist:
        return render(request, "web/no_programme.html")
    scope = scope_for(user=request.user, programme=programme)
    if not scope.may_read_households:
        raise PermissionDenied("需要相应区域权限才能查看贫困户信息")
    params.check_path(household_no, max_length=HOUSEHOLD_NO_LENGTH)
    try:
        household = household_get(scope=scope, household_no=household_no)
    except ScopeError as error:
        raise Http404(error.message) from error
    return render(
        request,
        "web/household_detail.html",
        {
            "programme": programme,
            "household": household,
            "members": member_list(scope=scope, household=household),
            "incomes": income_lines(household, list(household.incomes.order_by("year"))),
            "history": list(household.history.order_by("year", "id")),
        },
    )
