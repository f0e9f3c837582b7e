"""组织领导: leaders' visits both ways, joint meetings and the pairs' agreements."""

from typing import Any

import numpy as np

from xiezuo.demo.generate.columns import Geography, Pairings
from xiezuo.demo.generate.draw import (
    DAY,
    choose,
    day_texts,
    distinct_days,
    draw,
    make_names,
    scaled_counts,
    table,
    uniform_int,
    year_days,
)
from xiezuo.demo.generate.places import LEVELS, helper_place, recipient_place
from xiezuo.demo.profile import Names, label

SECRETARY, HEAD, OTHER = (
    label("leader_category", "党委书记"),
    label("leader_category", "政府主要负责人"),
    label("leader_category", "其他领导"),
)
OTHER_LEADERS = 3  # per side: deputies who lead the other visits


def make_visits(
    rng: np.random.Generator,
    pairings: Pairings,
    geography: Geography,
    settings: dict[str, Any],
    names: Names,
    *,
    scale: float,
    taken: dict[tuple[int, int], list[Any]],
) -> dict[str, list[Any]]:
    """Return visit columns: principal leaders both ways every year, other leaders' visits.

    `taken` holds, per (pairing index, year), days already used by recorded visits: no drawn
    visit of that pairing starts on them.
    """
    leaders = _leaders(rng, pairings, names)
    years = pairings.years
    others = scaled_counts(
        rng,
        settings["other"],
        (pairings.count, len(years)),
        scale=scale,
        minimum=settings["minimum"],
    )
    level_p = table(settings["destination"], LEVELS)
    rows: dict[str, list[Any]] = {name: [] for name in _VISIT_FIELDS}
    for p in range(pairings.count):
        helper, recipient = pairings.helpers[p], pairings.recipients[p]
        for y, year in enumerate(years):
            out_count = int(uniform_int(rng, settings["principal_out"], 1)[0])
            in_count = int(uniform_int(rng, settings["principal_in"], 1)[0])
            outward = [True] * out_count + [False] * in_count
            categories = _principal_categories(rng, out_count) + _principal_categories(
                rng, in_count
            )
            other_out = rng.random(int(others[p, y])) < settings["other_out_share"]
            outward += other_out.tolist()
            categories += [OTHER] * other_out.size
            first, last = year_days(year)
            days = distinct_days(
                rng, first + 10 * DAY, last - 10 * DAY, len(outward), taken=taken.get((p, year), ())
            )
            lengths = uniform_int(rng, settings["days"], days.size) - 1
            for k, start in enumerate(days):
                out, category = outward[k], categories[k]
                side = helper.code if out else recipient.code
                if out:
                    origin = helper.code
                    level = LEVELS[int(draw(rng, 1, level_p)[0])]
                    destination = recipient_place(rng, pairings, geography, p, level)
                    purpose = choose(rng, settings["purposes_out"])
                else:
                    origin = recipient.code
                    destination = helper_place(rng, pairings, p, settings["in_township_share"])
                    purpose = choose(rng, settings["purposes_in"])
                rows["pairing_id"].append(pairings.ids[p])
                rows["origin_id"].append(origin)
                rows["destination_id"].append(destination)
                rows["start_date"].append(start)
                rows["end_date"].append(start + int(lengths[k]) * DAY)
                rows["leader"].append(_leader_of(rng, leaders[side], category))
                rows["leader_category"].append(category)
                rows["purpose"].append(purpose)
    rows["start_date"] = day_texts(np.array(rows["start_date"], dtype="datetime64[D]"))
    rows["end_date"] = day_texts(np.array(rows["end_date"], dtype="datetime64[D]"))
    return rows


def make_meetings(
    rng: np.random.Generator, pairings: Pairings, settings: dict[str, Any]
) -> dict[str, list[Any]]:
    """Return joint-meeting columns: every pair meets every year, once or more."""
    rows: dict[str, list[Any]] = {
        name: [] for name in ("pairing_id", "date", "helper_id", "recipient_id", "name")
    }
    for p in range(pairings.count):
        helper, recipient = pairings.helpers[p], pairings.recipients[p]
        for year in pairings.years:
            count = int(uniform_int(rng, settings["per_pairing_year"], 1)[0])
            first, last = year_days(year)
            days = np.sort(distinct_days(rng, first + 31 * DAY, last - 14 * DAY, count))
            for number, day in enumerate(days, start=1):
                rows["pairing_id"].append(pairings.ids[p])
                rows["date"].append(day)
                rows["helper_id"].append(helper.code)
                rows["recipient_id"].append(recipient.code)
                rows["name"].append(
                    settings["name"].format(
                        helper=helper.name, recipient=recipient.name, year=year, number=number
                    )
                )
    rows["date"] = day_texts(np.array(rows["date"], dtype="datetime64[D]"))
    return rows


def make_agreements(pairings: Pairings, settings: dict[str, Any]) -> dict[str, list[Any]]:
    """Return one agreement per pair, signed the day the pairing starts, in force to its end."""
    starts = [day.isoformat() for day in pairings.start_dates]
    return {
        "pairing_id": list(pairings.ids),
        "name": [
            settings["name"].format(helper=h.name, recipient=r.name)
            for h, r in zip(pairings.helpers, pairings.recipients, strict=True)
        ],
        "helper_id": [h.code for h in pairings.helpers],
        "recipient_id": [r.code for r in pairings.recipients],
        "signed_date": starts,
        "effective_date": starts,
        "end_date": [day.isoformat() for day in pairings.end_dates],
    }


_VISIT_FIELDS = (
    "pairing_id", "origin_id", "destination_id", "start_date", "end_date", "leader",
    "leader_category", "purpose",
)  # fmt: skip


def _leaders(rng: np.random.Generator, pairings: Pairings, names: Names) -> dict[str, list[str]]:
    """Return, per helper district and recipient county, its secretary, head and deputies."""
    units = sorted({p.code for p in pairings.helpers} | {p.code for p in pairings.recipients})
    per_unit = 2 + OTHER_LEADERS
    n = len(units) * per_unit
    male = rng.random(n) < 0.85
    birth_year = rng.integers(1958, 1975, n)
    drawn = make_names(rng, names, male=male, birth_year=birth_year).tolist()
    return {unit: drawn[i * per_unit : (i + 1) * per_unit] for i, unit in enumerate(units)}


def _principal_categories(rng: np.random.Generator, count: int) -> list[str]:
    """Return alternating principal categories, starting with either."""
    start = int(rng.integers(2))
    return [(SECRETARY, HEAD)[(start + k) % 2] for k in range(count)]


def _leader_of(rng: np.random.Generator, unit_leaders: list[str], category: str) -> str:
    if category == SECRETARY:
        return unit_leaders[0]
    if category == HEAD:
        return unit_leaders[1]
    return unit_leaders[2 + int(rng.integers(OTHER_LEADERS))]
