"""Reads of rectification (整改) items, always through the caller's scope.

Who sees an item is decided by its unit, as for drill-down: the caller must see every pairing of
the unit (`ledgers.selectors.visible_pairing_ids`), and for a helper district or a recipient
county the scope must also hold that region. So a helper district office sees its district's
items and its pairings' items; a county office its county's and its pairings'; the programme
office and the assessors all of them; an anonymous caller nothing.
"""

import datetime as dt
from collections import defaultdict

from django.db.models import Q, QuerySet
from django.utils import timezone

from xiezuo.assessment.models import AssessmentRun, RectificationItem
from xiezuo.core.errors import ScopeError
from xiezuo.core.scope import Scope
from xiezuo.ledgers.selectors import visible_pairing_ids
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import programme_get

type UnitKey = tuple[str, str]  # (unit type, unit)


def visible_units(*, scope: Scope, programme: Programme) -> set[UnitKey]:
    """Return the units of `programme` whose rectification items the caller may read and update.

    Raise ScopeError for an anonymous caller.
    """
    if not scope.authenticated:
        raise ScopeError("需要登录才能查看整改事项")
    visible = visible_pairing_ids(scope=scope)
    pairings = list(programme.pairings.values_list("pk", "helper_id", "recipient_id"))
    by_side: dict[UnitKey, set[int]] = defaultdict(set)
    units: set[UnitKey] = set()
    for pk, helper, recipient in pairings:
        by_side["helper", helper].add(pk)
        by_side["recipient", recipient].add(pk)
        if pk in visible:
            units.add(("pairing", f"{helper}→{recipient}"))
    units |= {
        (unit_type, code)
        for (unit_type, code), pks in by_side.items()
        if pks <= visible and scope.covers(code)
    }
    if {pk for pk, _, _ in pairings} <= visible and (
        scope.everything
        or (
            scope.covers(programme.helper_province_id)
            and scope.covers(programme.recipient_province_id)
        )
    ):
        units.add(("programme", programme.key))
    return units


def rectification_list(
    *,
    scope: Scope,
    programme: Programme | None = None,
    run: AssessmentRun | None = None,
    unit_type: str | None = None,
    unit: str | None = None,
    status: str | None = None,
    overdue: bool | None = None,
    today: dt.date | None = None,
) -> QuerySet[RectificationItem]:
    """Return the rectification items the caller may read, filtered.

    `programme` defaults to the run's, else the installation's. `overdue` True keeps the items
    whose deadline passed before `today` (default: the local date) and that are not done;
    False keeps the others. Raise ScopeError for an anonymous caller.
    """
    programme = programme or (run.programme if run else programme_get())
    units = visible_units(scope=scope, programme=programme)
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


def rectification_get(
    *, scope: Scope, pk: int, programme: Programme | None = None
) -> RectificationItem:
    """Return one item the caller may read; ScopeError when it is missing or out of scope."""
    try:
        return rectification_list(scope=scope, programme=programme).get(pk=pk)
    except RectificationItem.DoesNotExist:
        raise ScopeError(f"整改事项 {pk} 不存在或不在您的权限范围内", item=pk) from None


def may_update(*, scope: Scope, item: RectificationItem) -> bool:
    """Return True when the caller's scope covers the item's unit."""
    if not scope.authenticated:
        return False
    units = visible_units(scope=scope, programme=item.run.programme)
    return (item.unit_type, item.unit) in units
