"""Reads for programmes and pairings, and the scope a user's grants resolve to."""

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser

from xiezuo.core.models import Grant
from xiezuo.core.scope import PERSONAL_DATA_ROLES, PROGRAMME_WIDE_ROLES, Role, Scope
from xiezuo.programs.models import Pairing, Programme


def programme_get(*, key: str | None = None) -> Programme:
    """Return the programme `key` (default: the installation's programme)."""
    return Programme.objects.select_related("helper_province", "recipient_province").get(
        key=key or settings.XIEZUO_DEFAULT_PROGRAMME
    )


def pairing_list(*, programme: Programme) -> list[Pairing]:
    """Return the programme's pairings with their regions, ordered by recipient."""
    return list(
        programme.pairings.select_related("helper", "recipient").order_by(
            "recipient_id", "helper_id"
        )
    )


def scope_for(*, user: AbstractBaseUser | AnonymousUser, programme: Programme) -> Scope:
    """Resolve a user's grants into the regions of `programme` they may read.

    A helper district office reads the recipient counties paired with it; programme offices
    and assessors read the whole programme; county offices and cadres read their own region
    and are the ones who may see personal data in it.
    """
    if not user.is_authenticated:
        return Scope.public()
    if getattr(user, "is_superuser", False):
        return Scope.superuser()
    grants = list(Grant.objects.filter(user_id=user.pk))
    regions: set[str] = set()
    personal: set[str] = set()
    for grant in grants:
        if grant.role in PROGRAMME_WIDE_ROLES:
            regions |= {programme.helper_province_id, programme.recipient_province_id}
        elif grant.role == Role.HELPER_OFFICE:
            regions.add(grant.region_code)
            regions |= set(
                programme.pairings.filter(helper_id=grant.region_code).values_list(
                    "recipient_id", flat=True
                )
            )
        else:
            regions.add(grant.region_code)
        if grant.role in PERSONAL_DATA_ROLES:
            personal.add(grant.region_code)
    return Scope(
        region_codes=frozenset(regions),
        personal_regions=frozenset(personal),
        authenticated=True,
    )
