"""产业合作: enterprises of the helper side investing in its counties."""

from dataclasses import dataclass
from typing import Any

import numpy as np

from xiezuo.demo.generate.columns import Geography, Pairings
from xiezuo.demo.generate.draw import lognormal_cents, money_texts, scaled_counts
from xiezuo.demo.generate.entities import ENTERPRISE, credit_codes, enterprise_names
from xiezuo.demo.generate.places import recipient_place


@dataclass(frozen=True)
class Enterprise:
    """An enterprise of the helper side: its name and unified social credit code."""

    name: str
    credit_code: str


def make_enterprises(
    rng: np.random.Generator,
    pairings: Pairings,
    settings: dict[str, Any],
    entities: dict[str, Any],
    *,
    scale: float,
    count_bounds: list[int],
    minimum: int,
    prefix: str,
    taken_codes: set[str],
) -> dict[str, list[Enterprise]]:
    """Return, per helper district, enterprises registered there or elsewhere in its province.

    Names start with `prefix` (the province: 北京); names and credit codes are all distinct,
    and credit codes are added to `taken_codes`.
    """
    helpers = list(dict.fromkeys(h.code for h in pairings.helpers))
    province = [d.code for d in pairings.helper_districts]
    counts = scaled_counts(rng, count_bounds, len(helpers), scale=scale, minimum=minimum)
    pools: dict[str, list[Enterprise]] = {}
    taken_names: set[str] = set()
    for helper, count in zip(helpers, counts.tolist(), strict=True):
        home = rng.random(count) < settings["home_district_share"]
        regions = [
            helper if at_home else province[int(rng.integers(len(province)))]
            for at_home in home.tolist()
        ]
        names = enterprise_names(rng, entities, count, prefix=prefix, taken=taken_names)
        codes = credit_codes(rng, [ENTERPRISE] * count, regions, taken=taken_codes)
        pools[helper] = [Enterprise(n, c) for n, c in zip(names, codes, strict=True)]
    return pools


def make_investments(
    rng: np.random.Generator,
    pairings: Pairings,
    geography: Geography,
    settings: dict[str, Any],
    enterprises: dict[str, list[Enterprise]],
    *,
    scale: float,
) -> dict[str, list[Any]]:
    """Return investment columns: each year a few of the helper's enterprises invest in a county.

    A helper's enterprises invest in all its counties, so some invest in two counties of the
    same helper; one enterprise invests at most once a year in a county.
    """
    counts = scaled_counts(
        rng,
        settings["per_pairing_year"],
        (pairings.count, len(pairings.years)),
        scale=scale,
        minimum=settings["minimum"],
    )
    rows: dict[str, list[Any]] = {
        name: []
        for name in (
            "pairing_id", "enterprise", "credit_code", "helper_id", "location_id", "year",
        )
    }  # fmt: skip
    for p in range(pairings.count):
        helper = pairings.helpers[p].code
        pool = enterprises[helper]
        for y, year in enumerate(pairings.years):
            k = min(len(pool), int(counts[p, y]))
            for e in np.sort(rng.choice(len(pool), size=k, replace=False)).tolist():
                level = "township" if rng.random() < settings["to_township_share"] else "county"
                rows["pairing_id"].append(pairings.ids[p])
                rows["enterprise"].append(pool[e].name)
                rows["credit_code"].append(pool[e].credit_code)
                rows["helper_id"].append(helper)
                rows["location_id"].append(recipient_place(rng, pairings, geography, p, level))
                rows["year"].append(year)
    n = len(rows["year"])
    cents = lognormal_cents(rng, settings["amount"], n)
    rate = settings["people_per_wan"] * np.exp(rng.normal(0.0, settings["people_spread"], n))
    people = np.rint(cents / 100 * rate).astype(np.int64)
    people[rng.random(n) < settings["no_people_share"]] = 0
    rows["amount"] = money_texts(cents)
    rows["poor_people_driven"] = people.tolist()
    return rows
