"""Reading any ledger of the catalog: the rows the caller may read, through the scoped
selector of its model.

What an export writes and what the API lists come from here, so both choose the same selector
for a model; `writing.ledger_rows` then turns the rows into cells in catalog order, masked per
`Access.mask`.
"""

from typing import Any

from django.apps import apps
from django.db.models import Model, QuerySet

from xiezuo.access import Access
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.ingest.catalog import Ledger
from xiezuo.ledgers.models import PairingRecord
from xiezuo.ledgers.selectors import ledger_records
from xiezuo.precision.models import CountyCheck
from xiezuo.precision.selectors import county_check_list, household_records
from xiezuo.regions.models import RuralPopulation
from xiezuo.regions.selectors import within_reach
from xiezuo.registry.models import Household
from xiezuo.registry.selectors import household_list

__all__ = ["FilterError", "ledger_records_for"]


class FilterError(XiezuoError):
    """A filter the ledger cannot apply: a malformed region code, a year it does not have."""


def ledger_records_for(
    ledger: Ledger, *, access: Access, region: str | None = None, year: int | None = None
) -> QuerySet[Any]:
    """Return the ledger's rows the caller may read, through the scoped selector of its model.

    `region` narrows to a region (ScopeError outside the caller's access); `year` to the rows
    of a year: a pairing ledger's records of that year (`PairingRecord.in_year`), or the rows
    whose 年度 it is. Raise FilterError for a malformed region or a ledger without years.
    """
    if region is not None:
        try:
            codes.level_of(region)
        except ValueError as error:
            raise FilterError(str(error), region=region) from None
    model: type[Model] = apps.get_model(ledger.model)
    if issubclass(model, PairingRecord):
        return ledger_records(access=access, model=model, region=region, year=year)
    if year is not None and "year" not in {f.name for f in model._meta.get_fields()}:
        raise FilterError(f"「{ledger.title}」没有年度，不能按年度筛选", ledger=ledger.key)
    records = _records(ledger, model, access=access, region=region)
    if year is not None:
        records = records.filter(year=year)
    return records


def _records(
    ledger: Ledger, model: type[Model], *, access: Access, region: str | None
) -> QuerySet[Any]:
    if model is Household:
        registered = ledger.extra.get("fixed", {}).get("registered", True)
        return household_list(access=access, region=region, registered=registered)
    if model is CountyCheck:
        return county_check_list(access=access, region=region)
    if model._meta.app_label == "precision":
        return household_records(access=access, model=model, region=region)  # type: ignore[type-var]
    if model._meta.app_label == "registry":
        households = household_list(access=access, region=region, registered=None).values("pk")
        return model._default_manager.filter(household__in=households)
    if model is RuralPopulation:
        return _population(access=access, region=region)
    scoped = getattr(model, "scoped_records", None)
    if scoped is not None:  # a ledger outside the pairings reads through its own selector
        return scoped(access=access, region=region)
    raise FilterError(f"「{ledger.title}」没有读取它的选择器", ledger=ledger.key)


def _population(*, access: Access, region: str | None) -> QuerySet[RuralPopulation]:
    if not access.authenticated:
        raise ScopeError("需要登录才能读取人口数据")
    return within_reach(
        RuralPopulation.objects.all(), access=access, region=region, what="人口数据"
    )
