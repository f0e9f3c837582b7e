"""Reads of the precision and monitoring ledgers. Every read takes the caller's access."""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from xiezuo.access import Access, Verb
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError
from xiezuo.precision.models import Assurance, Clue, CountyCheck, Measure, MonitoringCase
from xiezuo.registry.models import Household
from xiezuo.registry.selectors import household_list


def household_records[R: (Measure, Assurance, Clue, MonitoringCase)](
    *, access: Access, model: type[R], region: str | None = None
) -> QuerySet[R]:
    """Return the records of a household-level ledger (measures, assurances, clues, cases)
    of the households the caller may read, registered or monitored, optionally in `region`."""
    households = household_list(access=access, region=region, registered=None).values("pk")
    return model._default_manager.filter(household__in=households)


@dataclass(frozen=True)
class HouseholdPrecision:
    """What the precision ledgers hold about one household, as the caller may see it."""

    # category, person (a member's name, or 全户), id_number (masked), dates, amount, unit
    measures: list[dict]
    assurances: list[Assurance]
    clues: list[Clue]


def household_precision(*, access: Access, household: Household) -> HouseholdPrecision:
    """Return the measures, assurances and clues of a household the caller reads; a member's
    ID number on a measure is masked per `Access.mask`."""
    access.check(Verb.VIEW_HOUSEHOLDS)
    if not access.covers(household.village_id):
        raise ScopeError(f"无权查看户 {household.household_no}")
    names = dict(household.members.values_list("id_number", "name"))
    measures = []
    for measure in household.measures.order_by("start_date", "id"):
        shown = access.mask(
            "precision.Measure", {"id_number": measure.id_number}, region=household.village_id
        )
        measures.append(
            {
                "category": measure.category,
                "person": names.get(measure.id_number, measure.id_number) or "全户",
                "id_number": shown["id_number"] if measure.id_number else "",
                "start_date": measure.start_date,
                "end_date": measure.end_date,
                "amount": measure.amount,
                "unit": measure.unit,
            }
        )
    return HouseholdPrecision(
        measures=measures,
        assurances=list(household.assurances.order_by("year")),
        clues=list(household.clues.order_by("found_on", "id")),
    )


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
