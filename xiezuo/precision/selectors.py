"""Reads of the precision and monitoring ledgers. Every read takes the caller's access."""

from django.db.models import Q, QuerySet

from xiezuo.access import Access, Verb
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError
from xiezuo.precision.models import Assurance, Clue, CountyCheck, Measure, MonitoringCase
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
