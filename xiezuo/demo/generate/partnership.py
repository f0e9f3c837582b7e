"""携手奔小康: towns and villages paired with the helper's townships, villages, enterprises,
social organisations, schools and hospitals; and produce of the recipient bought by the helper
side (consumption aid).
"""

from typing import Any

import numpy as np

from xiezuo.demo.generate.columns import Geography, Households, Pairings
from xiezuo.demo.generate.draw import (
    DAY,
    choose,
    day_texts,
    distinct_days,
    draw,
    lognormal_cents,
    money_texts,
    normalised,
    pick_top,
    scaled_counts,
    table,
    year_days,
)
from xiezuo.demo.generate.entities import (
    FOUNDATION,
    INSTITUTION,
    PRIVATE_NON_ENTERPRISE,
    SOCIAL_GROUP,
    HelperNames,
    credit_codes,
    fill_names,
)
from xiezuo.demo.generate.industry import Enterprise
from xiezuo.demo.generate.places import LEVELS, county_villages, helper_place, recipient_place
from xiezuo.demo.profile import label

TOWNSHIP_TARGET, VILLAGE_TARGET = (
    label("recipient_target_type", "乡镇"),
    label("recipient_target_type", "村"),
)
# The kind of a social organisation by what its name ends with (GB 32100 kind codes).
ORGANISATION_KINDS = (("基金会", FOUNDATION), ("中心", PRIVATE_NON_ENTERPRISE), ("", SOCIAL_GROUP))
ORGANISATION_NAMES = {
    "organisations": "organisation_names",
    "schools": "school_names",
    "hospitals": "hospital_names",
}
SUBPAIRING_FIELDS = (
    "pairing_id", "helper_id", "entity_type", "entity_name", "entity_code", "target_type",
    "target_id", "start_date", "end_date",
)  # fmt: skip


def make_subpairings(
    rng: np.random.Generator,
    pairings: Pairings,
    geography: Geography,
    households: Households,
    settings: dict[str, Any],
    entities: dict[str, Any],
    enterprises: dict[str, list[Enterprise]],
    *,
    scale: float,
    names: HelperNames,
    taken_codes: set[str],
) -> dict[str, list[Any]]:
    """Return sub-pairing columns, per pairing: its townships and villages and their partners.

    Villages with more registered households are paired first; no town or village has two
    partners of one type. Partners that are regions carry their region code, organisations a
    credit code registered in the helper district. Most pairs are still active at the end.
    """
    rows: dict[str, list[Any]] = {name: [] for name in SUBPAIRING_FIELDS}
    counts = {
        key: scaled_counts(
            rng, settings[key], pairings.count, scale=scale, minimum=settings["minimum"]
        )
        for key in ("towns", "villages", "enterprises", "organisations", "schools", "hospitals")
    }
    start_p = normalised(list(settings["start_years"])[: len(pairings.years)])
    village_households = np.bincount(households.village, minlength=geography.villages.size)
    for p in range(pairings.count):
        helper = pairings.helpers[p]
        targets = _Targets(rng, pairings, geography, village_households, p)
        partners = _region_partners(rng, pairings, p, targets, counts)
        pool = enterprises.get(helper.code, [])
        if pool:
            partners += [
                ("企业", e.name, e.credit_code, VILLAGE_TARGET, target)
                for e, target in (
                    (choose(rng, pool), target)
                    for target in targets.villages(int(counts["enterprises"][p]))
                )
            ]
        for kind, key, target_type in (
            ("社会组织", "organisations", VILLAGE_TARGET),
            ("学校", "schools", TOWNSHIP_TARGET),
            ("医院", "hospitals", TOWNSHIP_TARGET),
        ):
            chosen = targets.pick(target_type, int(counts[key][p]))
            entity_names = fill_names(
                rng, settings[ORGANISATION_NAMES[key]], len(chosen), entities,
                helper=helper.name, **names,
            )  # fmt: skip
            kinds = [
                _organisation_kind(name) if key == "organisations" else INSTITUTION
                for name in entity_names
            ]
            codes = credit_codes(rng, kinds, [helper.code] * len(kinds), taken=taken_codes)
            partners += [
                (kind, name, code, target_type, target)
                for name, code, target in zip(entity_names, codes, chosen, strict=True)
            ]
        for entity_type, entity_name, entity_code, target_type, target in partners:
            start, end = _span(rng, pairings, p, start_p, settings["ended_share"])
            rows["pairing_id"].append(pairings.ids[p])
            rows["helper_id"].append(helper.code)
            rows["entity_type"].append(label("helper_entity_type", entity_type))
            rows["entity_name"].append(entity_name)
            rows["entity_code"].append(entity_code)
            rows["target_type"].append(target_type)
            rows["target_id"].append(target)
            rows["start_date"].append(start)
            rows["end_date"].append(end)
    rows["start_date"] = day_texts(np.array(rows["start_date"], dtype="datetime64[D]"))
    rows["end_date"] = day_texts(np.array(rows["end_date"], dtype="datetime64[D]"))
    return rows


class _Targets:
    """The townships and villages of one pairing's county that partners may take."""

    def __init__(
        self,
        rng: np.random.Generator,
        pairings: Pairings,
        geography: Geography,
        village_households: np.ndarray,
        p: int,
    ) -> None:
        self.rng = rng
        self.townships = pairings.recipient_townships[p]
        self.first, last = county_villages(geography, int(pairings.county[p]))
        self.weight = village_households[self.first : last] + 0.05
        self.codes = geography.villages

    def villages(self, k: int) -> list[str]:
        """Return `k` distinct villages at most, those with more registered households first."""
        chosen = np.flatnonzero(pick_top(self.rng, self.weight, k)) + self.first
        return [str(code) for code in self.codes[chosen]]

    def towns(self, k: int) -> list[str]:
        k = min(k, len(self.townships))
        picked = self.rng.choice(len(self.townships), k, replace=False)
        return [self.townships[i].code for i in picked.tolist()]

    def pick(self, target_type: str, k: int) -> list[str]:
        return self.towns(k) if target_type == TOWNSHIP_TARGET else self.villages(k)


def _region_partners(
    rng: np.random.Generator,
    pairings: Pairings,
    p: int,
    targets: _Targets,
    counts: dict[str, np.ndarray],
) -> list[tuple[str, str, str, str, str]]:
    """Return recipient towns paired with helper townships and villages with helper villages."""
    helper = pairings.helpers[p]
    partners = []
    for entity_type, own, target_type, key in (
        ("乡镇", pairings.helper_townships.get(helper.code, []), TOWNSHIP_TARGET, "towns"),
        ("村", pairings.helper_villages.get(helper.code, []), VILLAGE_TARGET, "villages"),
    ):
        if not own:
            continue
        for target in targets.pick(target_type, int(counts[key][p])):
            place = choose(rng, own)
            partners.append(
                (entity_type, helper.name + place.name, place.code, target_type, target)
            )
    return partners


def _span(
    rng: np.random.Generator, pairings: Pairings, p: int, start_p: np.ndarray, ended_share: float
) -> tuple[np.datetime64, np.datetime64]:
    """Return a sub-pairing's start (in a programme year, not before the pairing) and end."""
    year = pairings.years[int(draw(rng, 1, start_p)[0])]
    first, last = year_days(year)
    first = max(np.datetime64(pairings.start_dates[p], "D"), first)
    start = first + DAY * int(rng.integers(0, max(1, int((last - first).astype(np.int64)) + 1)))
    end = np.datetime64("NaT", "D")
    if rng.random() < ended_share:
        stop = start + DAY * int(rng.integers(180, 720))
        if stop <= np.datetime64(pairings.end_dates[p], "D"):
            end = stop
    return start, end


def make_purchases(
    rng: np.random.Generator,
    pairings: Pairings,
    geography: Geography,
    settings: dict[str, Any],
    entities: dict[str, Any],
    *,
    scale: float,
    names: HelperNames,
) -> dict[str, list[Any]]:
    """Return purchase columns: helper-side buyers buying the county's produce, on distinct days."""
    counts = scaled_counts(
        rng,
        settings["per_pairing_year"],
        (pairings.count, len(pairings.years)),
        scale=scale,
        minimum=settings["minimum"],
    )
    origin_p = table(settings["origin"], LEVELS)
    rows: dict[str, list[Any]] = {
        name: [] for name in ("pairing_id", "date", "buyer_id", "origin_id", "purchaser", "product")
    }
    cents: list[np.ndarray] = []
    for p in range(pairings.count):
        helper = pairings.helpers[p]
        purchasers = fill_names(
            rng, settings["purchasers"], 12, entities, helper=helper.name, **names
        )
        for y, year in enumerate(pairings.years):
            first, last = year_days(year)
            days = np.sort(distinct_days(rng, first + 5 * DAY, last - 5 * DAY, int(counts[p, y])))
            for day in days:
                origin = recipient_place(
                    rng, pairings, geography, p, LEVELS[int(draw(rng, 1, origin_p)[0])]
                )
                rows["pairing_id"].append(pairings.ids[p])
                rows["date"].append(day)
                rows["buyer_id"].append(
                    helper_place(rng, pairings, p, settings["buyer_township_share"])
                )
                rows["origin_id"].append(origin)
                rows["purchaser"].append(choose(rng, purchasers))
                rows["product"].append(choose(rng, _products(settings["products"], origin)))
            cents.append(lognormal_cents(rng, settings["amount"], days.size))
    rows["date"] = day_texts(np.array(rows["date"], dtype="datetime64[D]"))
    rows["amount"] = money_texts(np.concatenate(cents) if cents else np.zeros(0, np.int64))
    return rows


def _organisation_kind(name: str) -> str:
    return next(kind for ending, kind in ORGANISATION_KINDS if name.endswith(ending))


def _products(products: dict[str, list[str]], code: str) -> list[str]:
    """Return the produce of the longest region-code prefix of `code` that lists any."""
    for length in range(len(code), 0, -1):
        if code[:length] in products:
            return products[code[:length]]
    return products["default"]
