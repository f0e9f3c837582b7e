"""Template helpers of the pages: number formats and who is looking."""

from decimal import Decimal

from django import template

from xiezuo.access import Access, Role, Verb
from xiezuo.programs.models import Programme

register = template.Library()


@register.filter
def thousands(value: int | Decimal | None) -> str:
    """Return a number with thousands separators, or an em dash when there is none."""
    if value is None or value == "":
        return "—"
    if isinstance(value, Decimal):
        return f"{value:,.2f}"
    return f"{value:,}"


@register.filter
def percent(value: float | None, digits: int = 2) -> str:
    """Return a percentage with `digits` decimals, or an em dash when it has no value."""
    if value is None:
        return "—"
    return f"{value:.{int(digits)}f}"


@register.filter
def village(name: str) -> str:
    """Return a village committee's name as people say it (大沟房村民委员会 → 大沟房村)."""
    from xiezuo.web.precision.display import short_village

    return short_village(name)


@register.simple_tag(takes_context=True)
def programme_title(context: template.Context) -> str:
    """Return the name of the page's programme, or of the installation's programme."""
    programme = context.get("programme")
    if programme is None:
        from xiezuo.programs.selectors import programme_get

        try:
            programme = programme_get()
        except Programme.DoesNotExist:
            return ""
    return programme.name


def _access(context: template.Context) -> Access | None:
    """Return the page's access, None when there is no request or no programme."""
    request = context.get("request")
    try:
        access = getattr(request, "access", None)
        return access if access is not None and access.programme is not None else None
    except Programme.DoesNotExist:
        return None


@register.simple_tag(takes_context=True)
def viewer_roles(context: template.Context) -> str:
    """Return the Chinese names of the roles the signed-in user holds, joined by 、."""
    access = _access(context)
    if access is None or not access.authenticated:
        return ""
    if access.superuser:
        return "系统管理员"
    labels = sorted(Role(role).label for role in access.roles)
    return "、".join(labels) or "未授权"


@register.simple_tag(takes_context=True)
def may(context: template.Context, verb: str) -> bool:
    """Return True when the page's caller may `verb` (a `Verb` value): what the nav offers."""
    access = _access(context)
    return access is not None and access.may(Verb(verb))
