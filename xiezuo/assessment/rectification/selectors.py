"""Reads of rectification (整改) items, always through the caller's access.

Who sees an item is decided by its unit, as for drill-down: the unit must be one the caller
reaches (`Access.units`). So a helper district office sees its district's items and its
pairings' items; a county office its county's and its pairings'; the programme office and the
assessors all of them; an anonymous caller nothing.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Q, QuerySet
from django.utils import timezone

from xiezuo.access import Access, Verb
from xiezuo.assessment.models import AssessmentRun, RectificationItem
from xiezuo.core.errors import ScopeError
from xiezuo.programs.models import Programme


def visible_units(*, access: Access) -> frozenset[tuple[str, str]]:
    """Return the units whose rectification items the caller may read (`Access.units`).

    Raise ScopeError for an anonymous caller.
    """
    if not access.authenticated:
        raise ScopeError("需要登录才能查看整改事项")
    return access.units


def rectification_list(
    *,
    access: Access,
    run: AssessmentRun | None = None,
    unit_type: str | None = None,
    unit: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    today: dt.date | None = None,
) -> QuerySet[RectificationItem]:
    """Return the rectification items the caller may read, filtered.

    Only items of the access's programme. `overdue` True keeps the items whose deadline
    passed before `today` (default: the local date) and that are not done; False keeps the
    others. Raise ScopeError for an anonymous caller.
    """
    units = visible_units(access=access)
    programme: Programme | None = access.programme
    by_type: dict[str, list[str]] = defaultdict(list)
    for kind, code in units:
        by_type[kind].append(code)
    reach = Q(pk__in=[])
    for kind, codes in by_type.items():
        reach |= Q(unit_type=kind, unit__in=sorted(codes))
    items = RectificationItem.objects.filter(reach, run__programme=programme)
    if run is not None:
        items = items.filter(run=run)
    if unit_type:
        items = items.filter(unit_type=unit_type)
    if unit:
        items = items.filter(unit=unit)
    if status:
        items = items.filter(status=status)
    if overdue is not None:
        late = Q(deadline__lt=today or timezone.localdate()) & ~Q(
            status=RectificationItem.Status.DONE
        )
        items = items.filter(late if overdue else ~late)
    return items.select_related("run", "alert")


def rectification_get(*, access: Access, pk: int) -> RectificationItem:
    """Return one item the caller may read; ScopeError when it is missing or out of reach."""
    try:
        return rectification_list(access=access).get(pk=pk)
    except RectificationItem.DoesNotExist:
        raise ScopeError(f"整改事项 {pk} 不存在或不在您的权限范围内", item=pk) from None


def may_update(*, access: Access, item: RectificationItem) -> bool:
    """Return True when the caller may record progress on `item`: the verb, on a unit reached."""
    return access.may(Verb.UPDATE_RECTIFICATION) and (item.unit_type, item.unit) in access.units
