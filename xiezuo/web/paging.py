"""Keyset pagination: pages of a large table by a unique, indexed key, without OFFSET."""

from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet


@dataclass(frozen=True)
class KeysetPage:
    """One page of rows, with the keys to ask for the pages before and after it."""

    items: list[Any]
    after: str | None  # key to pass as ?after= for the next page
    before: str | None  # key to pass as ?before= for the previous page
    is_first: bool
    is_last: bool


def keyset_page(
    rows: QuerySet,
    *,
    key: str,
    size: int,
    after: str | None = None,
    before: str | None = None,
    last: bool = False,
) -> KeysetPage:
    """Return the page of `rows` (ordered by the unique `key`) after or before a key.

    One query: it fetches one row beyond the page to know whether another page follows.
    """
    if before or last:
        if before:
            rows = rows.filter(**{f"{key}__lt": before})
        items = list(rows.order_by(f"-{key}")[: size + 1])
        more = len(items) > size
        items = items[:size][::-1]
        is_first, is_last = not more, not before
    else:
        if after:
            rows = rows.filter(**{f"{key}__gt": after})
        items = list(rows.order_by(key)[: size + 1])
        more = len(items) > size
        items = items[:size]
        is_first, is_last = not after, not more
    return KeysetPage(
        items=items,
        after=None if is_last or not items else getattr(items[-1], key),
        before=None if is_first or not items else getattr(items[0], key),
        is_first=is_first,
        is_last=is_last,
    )
