"""Reads of the precision and monitoring ledgers. Every read takes the caller's access."""

from datetime import date
from typing import Any

from django.db.models import Q, QuerySet

from xiezuo.access import Access, Verb
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError
from xiezuo.precision.models import Assurance, Clue, CountyCheck, Measure, MonitoringCase
from xiezuo.precision.reports import Case, MonitoringReport, PrecisionReport
from xiezuo.registry.selectors import household_list

type HouseholdRecord = Measure | Assurance | Clue | MonitoringCase


def household_records[R: HouseholdRecord](
    *, access: Access, model: type[R], region: str | None = None
) -> QuerySet[R]:
    """Return the records of a household-level ledger (measures, assurances, clues, cases)
    of the households the caller may read, registered or monitored, optionally in `region`."""
    households = household_list(access=access, region=region, registered=None).values("pk")
    return model._default_manager.filter(household__in=households)


def county_check_list(*, access: Access, region: str | None = None) -> QuerySet[CountyCheck]:
    """Return the county checks of the counties the caller may read, optionally in `region`."""
    access.check(Verb.VIEW_HOUSEHOLDS)
    checks = CountyCheck.objects.select_related("region")
    if not access.everything:
        inside = Q(pk__in=[])
        for code in access.read_regions:
            inside |= Q(region__code__startswith=codes.prefix(code))
        checks = checks.filter(inside)
    if region:
        if not access.covers(region):
            raise ScopeError(f"无权查看区域 {region} 的核查数据", region=region)
        checks = checks.filter(region__code__startswith=codes.prefix(region))
    return checks


def precision_report(*, access: Access, year: int, region: str | None = None) -> PrecisionReport:
    """Return the gaps, wrong exits, ready-to-exit households, village and county exits of
    `year` for the households the caller may read, optionally inside `region`."""
    raise NotImplementedError


def monitoring_report(
    *, access: Access, year: int, as_of: date | None = None, region: str | None = None
) -> MonitoringReport:
    """Return the monitoring cases of `year` as of `as_of` (default: today, or 31 December
    when the year is over) for the households the caller may read."""
    raise NotImplementedError


def monitoring_case(
    *, access: Access, household_no: str, year: int, as_of: date | None = None
) -> Case:
    """Return the case of one household in `year`; ScopeError outside the caller's access
    or when the household is not a case."""
    raise NotImplementedError


def case_timeline(*, access: Access, household_no: str, year: int) -> list[tuple[date, str]]:
    """Return the events of a household's case in `year`, by day: clues, confirmation, the
    village notice, measures, elimination."""
    raise NotImplementedError


def village_notice(
    *, access: Access, village: str, year: int, as_of: date | None = None
) -> list[dict[str, Any]]:
    """Return the rows of a village's printable notice of `year`: 户主姓名, 家庭人口数,
    categories and reasons — never an ID number, phone, bank or health data."""
    raise NotImplementedError
