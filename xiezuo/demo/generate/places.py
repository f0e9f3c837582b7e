"""Where ledger rows happen: places of a pairing's county and of its helper district."""

import numpy as np

from xiezuo.demo.generate.columns import Geography, Pairings
from xiezuo.demo.generate.draw import choose

LEVELS = ("county", "township", "village")


def county_villages(geography: Geography, county: int) -> tuple[int, int]:
    """Return the range of `Geography.villages` indexes of a county (villages are in code order)."""
    first = int(np.searchsorted(geography.village_county, county, side="left"))
    last = int(np.searchsorted(geography.village_county, county, side="right"))
    return first, last


def recipient_place(
    rng: np.random.Generator, pairings: Pairings, geography: Geography, p: int, level: str
) -> str:
    """Return a code of pairing `p`'s county at `level`: the county, a township or a village.

    The county itself stands in when it has no place of that level.
    """
    if level == "township" and pairings.recipient_townships[p]:
        return choose(rng, pairings.recipient_townships[p]).code
    if level == "village":
        first, last = county_villages(geography, int(pairings.county[p]))
        if last > first:
            return str(geography.villages[int(rng.integers(first, last))])
    return pairings.recipients[p].code


def helper_place(
    rng: np.random.Generator, pairings: Pairings, p: int, township_share: float
) -> str:
    """Return pairing `p`'s helper district, or one of its townships with `township_share`."""
    helper = pairings.helpers[p].code
    townships = pairings.helper_townships.get(helper, [])
    if townships and rng.random() < township_share:
        return choose(rng, townships).code
    return helper
