"""Precision work and monitoring (docs/precision.md): a year's gaps, exits and the county
exit checklist; the monitoring cases of a year and one household's case. Read through the
precision selectors, in the caller's scope, as the pages show them."""

from datetime import date

from django.http import HttpRequest
from ninja import Field, Path, Query, Router, Schema

from xiezuo.access import Access, Verb
from xiezuo.api.auth import caller_access
from xiezuo.api.errors import ApiError
from xiezuo.api.listing import REGION_PATTERN
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.precision.reports import Case, MonitoringReport, PrecisionReport
from xiezuo.precision.rules import rules_for
from xiezuo.precision.selectors import monitoring_case, monitoring_report, precision_report

router = Router(tags=["precision"])

YEAR = Path(..., ge=1949, le=2100)


class RegionFilter(Schema):
    region: str | None = Field(None, pattern=REGION_PATTERN, description="区划代码: inside it")


class MonitoringFilters(RegionFilter):
    as_of: date | None = Field(None, description="deadlines as of this day (default: today)")


class AsOf(Schema):
    as_of: date | None = None


def _year(access: Access, year: int, *, monitoring: bool = False) -> None:
    """404 for a year outside the programme (or before monitoring began)."""
    programme = access.programme
    if programme is None or year not in programme.years:
        raise ScopeError(f"项目没有 {year} 年")
    if monitoring and year < rules_for(programme.key, year).monitoring_from_year:
        raise ScopeError(f"{year} 年没有防返贫监测")


@router.get("/precision/{year}", response=PrecisionReport)
def precision(request: HttpRequest, filters: Query[RegionFilter], year: int = YEAR) -> object:
    """Return a year's gaps (causes without a matching measure), wrong exits, households ready
    to exit, village incidence and each county's exit test with the what-if."""
    access = caller_access(request)
    access.check(Verb.VIEW_PRECISION)
    _year(access, year)
    return precision_report(access=access, year=year, region=filters.region)


@router.get("/monitoring/{year}", response=MonitoringReport)
def monitoring(request: HttpRequest, filters: Query[MonitoringFilters], year: int = YEAR) -> object:
    """Return the monitoring cases of a year: categories, reasons, deadlines, status, overdue."""
    access = caller_access(request)
    access.check(Verb.VIEW_HOUSEHOLDS)
    _year(access, year, monitoring=True)
    return monitoring_report(access=access, year=year, as_of=filters.as_of, region=filters.region)


@router.get("/monitoring/{year}/cases/{household_no}", response=Case)
def monitoring_case_route(
    request: HttpRequest,
    filters: Query[AsOf],
    year: int = YEAR,
    household_no: str = Path(..., min_length=1, max_length=32, description="户编号"),
) -> object:
    """Return one household's case of a year (404 when it is none)."""
    access = caller_access(request)
    access.check(Verb.VIEW_HOUSEHOLDS)
    _year(access, year, monitoring=True)
    try:
        return monitoring_case(
            access=access, household_no=household_no, year=year, as_of=filters.as_of
        )
    except ScopeError:
        raise
    except XiezuoError as error:
        raise ApiError(404, "not_found", error.message) from None
