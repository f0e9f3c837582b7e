"""Data versions: one counter per body of data, bumped by every write path, read by caches.

A cache of figures derived from, say, the household registry keys on `version_key(REGISTRY)`:
any write through a path that bumps the version (an import, its undo, the demo build, an
admin save) changes the key, so an in-place edit shows at once. A write that bypasses these
paths (raw SQL, a shell) is bounded only by the cache's timeout.
"""

import uuid

from django.db.models import F
from django.utils import timezone

from xiezuo.core.models import DataVersion

__all__ = ["REGISTRY", "version_bump", "version_key"]

# Households, members, incomes, status history, rural population and the pairings: what the
# programme overview is computed from.
REGISTRY = "registry"


def version_bump(name: str = REGISTRY) -> None:
    """Count one change to the data `name`, in the caller's transaction.

    Call it once at the end of a write transaction: on PostgreSQL the row stays locked until
    the commit, so concurrent writers queue on it only for their last moment.
    """
    changes = {"number": F("number") + 1, "token": uuid.uuid4(), "changed_at": timezone.now()}
    if DataVersion.objects.filter(name=name).update(**changes):
        return
    _, created = DataVersion.objects.get_or_create(name=name, defaults={"number": 1})
    if not created:  # another writer created it meanwhile: count this change too
        DataVersion.objects.filter(name=name).update(**changes)


def version_key(name: str = REGISTRY) -> str | None:
    """Return a text that changes whenever the data `name` changes; None if never counted."""
    row = DataVersion.objects.filter(name=name).values_list("number", "token").first()
    if row is None:
        return None
    number, token = row
    return f"{number}-{token.hex}"
