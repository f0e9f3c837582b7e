"""Writes of the access app: the grants a user holds."""

from django.contrib.auth.models import User
from django.db import transaction

from xiezuo.access.models import Grant
from xiezuo.access.rules import Role


@transaction.atomic
def grant_give(*, user: User, role: Role | str, region_code: str) -> Grant:
    """Give `user` the role over a region (idempotent); return the grant."""
    grant, _ = Grant.objects.get_or_create(user=user, role=Role(role), region_code=region_code)
    return grant


@transaction.atomic
def grant_only(*, user: User, role: Role | str, region_code: str) -> Grant:
    """Make the role over a region the only grant `user` holds; return it."""
    Grant.objects.filter(user=user).exclude(role=Role(role), region_code=region_code).delete()
    return grant_give(user=user, role=role, region_code=region_code)
