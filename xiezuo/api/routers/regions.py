"""Regions by their GB/T 2260 code: those the caller reads (their grants' regions, a helper
office's paired counties, the programme's provinces for the programme-wide roles)."""

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from ninja import Path, Query, Router, Schema

from xiezuo.access import Access
from xiezuo.api.auth import caller_access
from xiezuo.api.listing import REGION_PATTERN, STREAMED, Filters, listing
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError
from xiezuo.regions.models import Region

router = Router(tags=["regions"])


class RegionOut(Schema):
    code: str
    name: str
    level: int
    parent: str | None
    poor_county: bool
    deep_poverty: bool
    exit_year: int | None


class RegionPage(Schema):
    items: list[RegionOut]
    next: str | None


FIELDS = list(RegionOut.model_fields)


def region_rows(*, access: Access, region: str | None = None) -> QuerySet[Region]:
    """Return the regions the caller reads, optionally inside `region` (ScopeError outside)."""
    if not access.authenticated:
        raise ScopeError("需要登录")
    rows = Region.objects.all()
    if not access.everything:
        inside = Q(pk__in=[])
        for code in access.read_regions:
            inside |= Q(code__startswith=codes.prefix(code), level__gte=codes.level_of(code))
        rows = rows.filter(inside)
    if region:
        if not access.covers(region):
            raise ScopeError(f"无权查看区域 {region}", region=region)
        rows = rows.filter(code__startswith=codes.prefix(region), level__gte=codes.level_of(region))
    return rows


def _shape(rows: QuerySet[Region]) -> list[dict]:
    fields = ("code", "name", "level", "parent_id", "poor_county", "deep_poverty", "exit_year")
    shown = []
    for row in rows.values(*fields):
        row["parent"] = row.pop("parent_id")
        shown.append(row)
    return shown


@router.get("/regions", response=RegionPage, openapi_extra={"responses": STREAMED})
def region_list(request: HttpRequest, filters: Query[Filters]) -> object:
    """List the regions the caller reads (`region`: those inside it), by code."""
    rows = region_rows(access=caller_access(request), region=filters.region)
    return listing(request, rows, filters, key="code", shape=_shape, fields=FIELDS, name="regions")


@router.get("/regions/{code}", response=RegionOut)
def region_detail(request: HttpRequest, code: str = Path(..., pattern=REGION_PATTERN)) -> object:
    """Return one region the caller reads, by its code."""
    rows = region_rows(access=caller_access(request)).filter(code=code)
    found = _shape(rows)
    if not found:
        raise ScopeError(f"区划 {code} 不存在或不在权限范围内")
    return found[0]
