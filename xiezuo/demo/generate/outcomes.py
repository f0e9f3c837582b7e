"""What follows from the households: incomes, status history and rural population."""

from typing import Any

import numpy as np

from xiezuo.demo.generate.columns import GENERAL, Geography, Households, Members
from xiezuo.demo.generate.draw import uniform, year_table


def make_incomes(
    rng: np.random.Generator,
    households: Households,
    members: Members,
    profile: dict[str, Any],
    lines: dict[int, float],
) -> dict[str, Any]:
    """Return income columns: per-capita net income follows the household's history.

    Before the exit year it stays under the year's poverty line, in the exit year it stands
    above it by a margin, afterwards it keeps rising; households still poor, or fallen back,
    sit under the line. A few households cross the line a year before their exit (or, still
    poor, in the last year): ready to exit.
    """
    settings = profile["income"]
    years = np.array(settings["years"])
    n, k = households.count, years.size
    line = np.array([lines[int(y)] for y in years])[None, :]
    exit_year = households.exit_year[:, None]
    exited = exit_year > 0
    exit_line = year_table(lines, default=0.0)[households.exit_year][:, None]
    median, sigma, floor = settings["exit_margin"]
    margin = np.maximum(np.exp(rng.normal(np.log(median), sigma, (n, 1))), floor)
    at_exit = exit_line * margin
    before = np.minimum(
        at_exit
        / uniform(rng, settings["pre_exit_growth"], (n, 1)) ** np.clip(exit_year - years, 0, 9),
        line * uniform(rng, settings["pre_exit_ratio"], (n, k)),
    )
    after = np.maximum(
        at_exit
        * uniform(rng, settings["post_exit_growth"], (n, 1)) ** np.clip(years - exit_year, 0, 9),
        line * uniform(rng, settings["post_exit_floor"], (n, k)),
    )
    poor_trend = uniform(rng, settings["poor_ratio"], (n, 1)) * (
        1 + 0.01 * rng.random((n, k)).cumsum(axis=1)
    )
    still_poor = line * np.minimum(poor_trend, 0.98)
    fallback = households.fallback_year[:, None]
    fell = (fallback > 0) & (years >= fallback)
    per_capita = np.select(
        [~exited, fell, years < exit_year, years == exit_year],
        [still_poor, line * uniform(rng, settings["fallback_ratio"], (n, k)), before, at_exit],
        default=after,
    )
    # Ready to exit: a few households poor at the end of a year whose income already stands
    # above that year's line (they exit the next year, or have yet to).
    ready_year = np.where(
        households.exit_year > 0,
        households.exit_year - 1,
        np.where(fallback[:, 0] > 0, 0, years[-1]),
    )
    ready = (
        (years[None, :] == ready_year[:, None])
        & (years[None, :] >= settings["ready_from"])
        & (years[None, :] >= households.identified_year[:, None])
        & (rng.random((n, 1)) < settings["ready_share"])
    )
    per_capita = np.where(ready, line * uniform(rng, settings["ready_ratio"], (n, k)), per_capita)
    net = per_capita * households.size[:, None]
    parts, costs = split_income(rng, settings, net, households.base_attribute, members)

    recorded = years[None, :] >= households.identified_year[:, None]
    rows = np.nonzero(recorded)  # household-major, then year
    return {
        "household": rows[0],
        "year": years[rows[1]].tolist(),
        "wages": np.round(parts[:, :, 0][rows], 2).tolist(),
        "business": np.round((parts[:, :, 1] + costs)[rows], 2).tolist(),
        "property_income": np.round(parts[:, :, 2][rows], 2).tolist(),
        "transfers": np.round(parts[:, :, 3][rows], 2).tolist(),
        "costs": np.round(costs[rows], 2).tolist(),
        # Not columns: what later steps read (household × `years`, before rounding).
        "net": net,
        "years": years,
    }


def split_income(
    rng: np.random.Generator,
    settings: dict[str, Any],
    net: np.ndarray,
    base_attribute: np.ndarray,
    members: Members,
) -> tuple[np.ndarray, np.ndarray]:
    """Return the parts of each net income (wages, business, property, transfers: the last
    axis) and the production costs, shares drawn by the household's work, welfare and elders.

    `net` is household × year; `members.household` indexes its rows.
    """
    n, k = net.shape
    work_years = np.bincount(members.household, weights=members.months_worked, minlength=n) / 12
    elders = np.bincount(members.household, weights=members.elderly, minlength=n)
    welfare = base_attribute != GENERAL
    alpha = np.column_stack(
        [
            settings["wages_base"] + settings["wages_per_work_year"] * work_years,
            np.full(n, settings["business"]),
            np.full(n, settings["property"]),
            settings["transfers_base"]
            + settings["transfers_welfare"] * welfare
            + settings["transfers_per_elder"] * elders,
        ]
    )
    shares = rng.gamma(alpha)[:, None, :] * np.exp(
        rng.normal(0, settings["year_jitter"], (n, k, 4))
    )
    shares /= shares.sum(axis=2, keepdims=True)
    parts = shares * net[:, :, None]
    cost_ratio = uniform(rng, settings["cost_ratio"], (n, 1))
    costs = parts[:, :, 1] * cost_ratio / (1 - cost_ratio)
    return parts, costs


def make_history(households: Households) -> dict[str, Any]:
    """Return status-change rows: identified, then exited, then fell back, per household."""
    n = households.count
    index = np.arange(n)
    exited = households.exit_year > 0
    fell = households.fallback_year > 0
    household = np.concatenate([index, index[exited], index[fell]])
    year = np.concatenate(
        [households.identified_year, households.exit_year[exited], households.fallback_year[fell]]
    )
    kind = np.concatenate(
        [np.zeros(n, np.int64), np.ones(int(exited.sum()), np.int64), np.full(int(fell.sum()), 2)]
    )
    order = np.lexsort((kind, household))
    kinds = np.array(["identified", "exited", "fell_back"], dtype=object)
    return {"household": household[order], "year": year[order].tolist(), "kind": kinds[kind[order]]}


def make_population(
    rng: np.random.Generator,
    geography: Geography,
    households: Households,
    profile: dict[str, Any],
) -> dict[str, list[Any]]:
    """Return rural registered population per county and year.

    A county's registered people are a share of its rural population (higher in deep-poverty
    counties); the population shrinks slowly from year to year.
    """
    settings = profile["population"]
    people = np.bincount(
        households.county, weights=households.size, minlength=len(geography.counties)
    )
    share = uniform(rng, settings["registered_share"], people.size)
    share = share + settings["deep_poverty_extra"] * geography.county_deep
    decline = uniform(rng, settings["yearly_decline"], people.size)
    last = max(settings["years"])
    region, year, population = [], [], []
    for c, code in enumerate(geography.counties):
        if people[c] == 0:
            continue
        at_last = people[c] / share[c]
        for y in settings["years"]:
            region.append(code)
            year.append(int(y))
            population.append(round(at_last * (1 + decline[c]) ** (last - y)))
    return {"region_id": region, "year": year, "population": population}
