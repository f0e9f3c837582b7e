"""Template helpers of the pages: number formats and who is looking."""

from decimal import Decimal

from django import template
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from xiezuo.core.models import Grant
from xiezuo.core.scope import Role
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


@register.simple_tag
def viewer_roles(user: AbstractBaseUser | AnonymousUser) -> str:
    """Return the Chinese names of the roles a signed-in user holds, joined by 、."""
    if not user.is_authenticated:
        return ""
    if getattr(user, "is_superuser", False):
        return "系统管理员"
    roles = Grant.objects.filter(user_id=user.pk).values_list("role", flat=True).distinct()
    labels = sorted({Role(role).label for role in roles if role in Role.values})
    return "、".join(labels) or "未授权"
