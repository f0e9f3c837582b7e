"""Monitored households outside the register (监测对象) with their members and incomes, and the
rural registered population of the villages."""

from dataclasses import dataclass
from typing import Any

import numpy as np

from xiezuo.demo.generate.columns import GENERAL, Geography, Households, Members
from xiezuo.demo.generate.draw import pick_top, uniform
from xiezuo.demo.generate.households import make_households
from xiezuo.demo.generate.members import make_members
from xiezuo.demo.generate.outcomes import split_income
from xiezuo.demo.profile import Names


@dataclass
class Monitored:
    """Monitored households (indexes 0…count-1 of `households`), their members and incomes.

    `sudden` households are watched after a clue whose rigid spending beats their net income of
    the year before (突发严重困难户); the others because their income is low (边缘易致贫户).
    `recovered` ones are back above the threshold in the last year (their risk can be
    eliminated).
    """

    households: Households
    members: Members
    sudden: np.ndarray
    recovered: np.ndarray
    years: np.ndarray
    net: np.ndarray  # household × `years`, yuan, before rounding
    incomes: dict[str, Any]

    @property
    def count(self) -> int:
        return self.households.count


def make_monitored(
    rng: np.random.Generator,
    geography: Geography,
    profile: dict[str, Any],
    settings: dict[str, Any],
    names: Names,
    *,
    scale: float,
    last_year: int,
    threshold: float,
    taken_ids: frozenset[str],
) -> Monitored:
    """Draw the monitored households: rural households like the registered ones, without a
    registration (no attribute, cause, status or years), numbered apart from the register.

    `threshold` is the monitoring threshold of `last_year` (yuan per person); `taken_ids` the
    ID numbers already drawn or stored, none of which is drawn again.
    """
    households = make_households(
        rng,
        geography,
        {**profile, "households": settings["households"]},
        names,
        scale=scale,
        last_year=last_year,
    )
    n = households.count
    households.base_attribute = np.full(n, GENERAL)  # no 低保 without a registration
    members = make_members(
        rng, households, geography, profile, names, reference_year=last_year, taken_ids=taken_ids
    )
    sudden = pick_top(rng, np.ones(n), max(1, round(n * settings["sudden_share"])))
    years = np.array(settings["income_years"])
    per_capita = np.empty((n, years.size))
    edge_last = threshold * uniform(rng, settings["edge_2020"], n)
    edge_before = edge_last / uniform(rng, settings["edge_growth"], n)
    sudden_before = threshold * uniform(rng, settings["sudden_2019"], n)
    sudden_last = sudden_before * uniform(rng, settings["sudden_2020"], n)
    recovered_last = threshold * uniform(rng, settings["recovered_2020"], n)
    recovered = sudden & (sudden_last >= threshold)
    per_capita[:, -1] = np.where(
        sudden, np.where(recovered, recovered_last, sudden_last), edge_last
    )
    per_capita[:, -2] = np.where(sudden, sudden_before, edge_before)
    net = per_capita * households.size[:, None]
    parts, costs = split_income(rng, profile["income"], net, households.base_attribute, members)
    rows = np.nonzero(np.ones((n, years.size), dtype=bool))
    incomes = {
        "household": rows[0],
        "year": years[rows[1]].tolist(),
        "wages": np.round(parts[:, :, 0][rows], 2).tolist(),
        "business": np.round((parts[:, :, 1] + costs)[rows], 2).tolist(),
        "property_income": np.round(parts[:, :, 2][rows], 2).tolist(),
        "transfers": np.round(parts[:, :, 3][rows], 2).tolist(),
        "costs": np.round(costs[rows], 2).tolist(),
    }

    village_codes = geography.villages[households.village]
    first_of_village = np.searchsorted(households.village, households.village, side="left")
    serial = np.arange(n) - first_of_village + 1
    digit = settings["number_digit"]
    columns = households.columns
    columns["household_no"] = [
        f"{v}{digit}{s:05d}" for v, s in zip(village_codes, serial.tolist(), strict=True)
    ]
    # Nothing of a registration: the monitored ledger has no such columns.
    for name in ("attribute", "standard", "main_cause", "other_causes", "status"):
        columns[name] = [""] * n
    for name in ("identified_year", "exit_year", "fallback_year"):
        columns[name] = [None] * n
    columns["relocated"] = [False] * n
    columns["dangerous_house"] = ["否"] * n
    columns["safe_water"] = [True] * n
    return Monitored(
        households=households,
        members=members,
        sudden=sudden,
        recovered=recovered,
        years=years,
        net=net,
        incomes=incomes,
    )


def make_village_population(
    rng: np.random.Generator,
    geography: Geography,
    households: Households,
    county_population: dict[str, list[Any]],
    settings: dict[str, Any],
) -> dict[str, Any]:
    """Return rural registered population per village holding households, and year.

    A village's population is its registered people ÷ a share drawn around its county's share;
    the villages of a county together hold at most a drawn part of the county's population, so
    villages never add up to more than their county, year by year.
    """
    people = np.bincount(
        households.village, weights=households.size, minlength=geography.villages.size
    )
    village = np.flatnonzero(people)
    county = geography.village_county[village]
    by_county: dict[tuple[str, int], int] = {
        (code, year): value
        for code, year, value in zip(
            county_population["region_id"],
            county_population["year"],
            county_population["population"],
            strict=True,
        )
    }
    years = sorted({int(y) for y in county_population["year"]})
    last = years[-1]
    codes = geography.counties
    county_people = np.bincount(county, weights=people[village], minlength=len(codes))
    county_last = np.array([by_county.get((code, last), 0) for code in codes], dtype=float)
    county_share = np.divide(
        county_people, county_last, out=np.ones(len(codes)), where=county_last > 0
    )
    low, high = settings["share_bounds"]
    share = np.clip(
        county_share[county] * np.exp(rng.normal(0.0, settings["share_sigma"], village.size)),
        low,
        high,
    )
    share = np.maximum(share, county_share[county])  # at least as poor as the county
    raw = people[village] / share
    part = uniform(rng, settings["county_part"], len(codes))
    room = county_last * part
    total = np.bincount(county, weights=raw, minlength=len(codes))
    shrink = np.minimum(1.0, np.divide(room, total, out=np.zeros(len(codes)), where=total > 0))
    at_last = np.maximum(raw * shrink[county], people[village])

    region, year, population = [], [], []
    villages = geography.villages[village].tolist()
    for y in years:
        ratio = np.array(
            [
                by_county.get((code, y), 0) / c if c else 0.0
                for code, c in zip(codes, county_last.tolist(), strict=True)
            ]
        )
        values = np.floor(at_last * ratio[county]).astype(np.int64)
        region.extend(villages)
        year.extend([y] * village.size)
        population.extend(values.tolist())
    return {"region_id": region, "year": year, "population": population}
