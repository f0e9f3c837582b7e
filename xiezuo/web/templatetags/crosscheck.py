"""Blocks the cross-checks add to other pages: the counts per rule on a county's profile and
the households marked for correction on the rectification page. Each reads through the
page's access and shows nothing to a caller who may not see cross-checks."""

from typing import Any

from django import template
from django.utils import timezone

from xiezuo.access import Verb
from xiezuo.core.errors import ScopeError
from xiezuo.web.templatetags.xiezuo_web import _access

register = template.Library()
CORRECTIONS_SHOWN = 50


@register.inclusion_tag("web/crosscheck_profile.html", takes_context=True)
def crosscheck_counts(context: template.Context, county: str, year: int) -> dict[str, Any]:
    """Show the county's flags of `year` per rule and status, linked to its 比对 queue."""
    from xiezuo.crosscheck.selectors import rule_counts

    access = _access(context)
    if access is None or not access.may(Verb.VIEW_CROSSCHECKS):
        return {"shown": False}
    try:
        counts = rule_counts(access=access, county=county, year=year)
    except ScopeError:
        return {"shown": False}
    return {"shown": True, "county": county, "year": year, "counts": counts}


@register.inclusion_tag("web/crosscheck_corrections.html", takes_context=True)
def crosscheck_corrections(context: template.Context) -> dict[str, Any]:
    """List the households confirmed by a cross-check: reason, deadline, overdue."""
    from xiezuo.crosscheck.selectors import corrections, flag_rows

    access = _access(context)
    if access is None or not access.may(Verb.VIEW_CROSSCHECKS):
        return {"shown": False}
    flags = corrections(access=access)
    total = flags.count()
    shown = list(flags[:CORRECTIONS_SHOWN])
    rows = flag_rows(access=access, flags=shown, today=timezone.localdate())
    return {
        "shown": True,
        "total": total,
        "rows": [(row, flag.reason) for row, flag in zip(rows, shown, strict=True)],
    }
