"""Who may use the assessment pages, by the roles of their grants.

Scope decides which records and rectification items a user reaches; these rules decide which
pages and buttons they get at all.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from xiezuo.core.models import Grant
from xiezuo.core.scope import Role

# The scorecard and the unit pages: the programme-wide roles and the offices.
VIEWER_ROLES = frozenset(
    {Role.PROGRAMME_OFFICE, Role.ASSESSOR, Role.HELPER_OFFICE, Role.COUNTY_OFFICE}
)
# Running an assessment and drafting rectification items: the programme office.
RUNNER_ROLES = frozenset({Role.PROGRAMME_OFFICE})
# Recording rectification progress (inside their scope): the offices, not the assessors.
RECTIFIER_ROLES = frozenset({Role.PROGRAMME_OFFICE, Role.HELPER_OFFICE, Role.COUNTY_OFFICE})


def roles_of(user: AbstractBaseUser | AnonymousUser) -> frozenset[str]:
    """Return the roles a user holds; a superuser holds them all; anonymous none."""
    if not user.is_authenticated:
        return frozenset()
    if getattr(user, "is_superuser", False):
        return frozenset(Role.values)
    return frozenset(Grant.objects.filter(user_id=user.pk).values_list("role", flat=True))


def may_view(roles: frozenset[str]) -> bool:
    return bool(roles & VIEWER_ROLES)


def may_run(roles: frozenset[str]) -> bool:
    return bool(roles & RUNNER_ROLES)


def may_rectify(roles: frozenset[str]) -> bool:
    return bool(roles & RECTIFIER_ROLES)
