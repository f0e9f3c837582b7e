"""Reads of the region tables.

Regions and their flags are public reference data (the published division table), so these
selectors take no scope; selectors over registry rows do.
"""

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Model, Q, QuerySet

from xiezuo.core import codes
from xiezuo.regions.errors import RegionDataError
from xiezuo.regions.models import Region, RuralPopulation

if TYPE_CHECKING:
    from xiezuo.access import Access


def region_get(code: str) -> Region:
    """Return the region with this code; raise RegionDataError when there is none."""
    try:
        return Region.objects.get(code=code)
    except Region.DoesNotExist:
        raise RegionDataError(f"未知区划代码: {code}", code=code) from None


def region_children(code: str) -> QuerySet[Region]:
    """Return the regions directly under `code`, by code."""
    return Region.objects.filter(parent_id=code).order_by("code")


def regions_in(code: str, *, level: int) -> QuerySet[Region]:
    """Return the regions of `level` inside `code` (the region itself if it is of that level)."""
    return Region.objects.filter(code__startswith=codes.prefix(code), level=level).order_by("code")


def counties_in(code: str) -> QuerySet[Region]:
    """Return the counties inside a province, city or county (a county contains itself)."""
    return regions_in(code, level=codes.Level.COUNTY)


def poor_counties_in(code: str) -> QuerySet[Region]:
    """Return the poor counties inside `code`."""
    return counties_in(code).filter(poor_county=True)


def names_for(region_codes: Iterable[str]) -> dict[str, str]:
    """Return {code: name} for the given codes in one query; unknown codes are left out."""
    wanted = set(region_codes)
    if not wanted:
        return {}
    return dict(Region.objects.filter(code__in=wanted).values_list("code", "name"))


def population_for(region_codes: Iterable[str], *, year: int) -> dict[str, int]:
    """Return {code: rural registered population} stored for `year`; missing codes are left out."""
    rows = RuralPopulation.objects.filter(region_id__in=set(region_codes), year=year)
    return dict(rows.values_list("region_id", "population"))


def within_reach[M: Model](
    records: QuerySet[M], *, access: "Access", region: str | None, what: str
) -> QuerySet[M]:
    """Return `records` (rows with a `region` key: population, county checks) inside the
    regions the caller reads, and inside `region` when given (ScopeError outside; `what`
    names the data in the refusal)."""
    from xiezuo.core.errors import ScopeError

    if not access.everything:
        inside = Q(pk__in=[])
        for code in access.read_regions:
            inside |= Q(region__code__startswith=codes.prefix(code))
        records = records.filter(inside)
    if region:
        if not access.covers(region):
            raise ScopeError(f"无权读取区域 {region} 的{what}", region=region)
        records = records.filter(region__code__startswith=codes.prefix(region))
    return records
