"""资金支持: fiscal aid adding up to the programme's envelope, projects spending it to the
last 万元, their beneficiary households, social funds and donations.

Money is drawn in integer cents of 万元 so that sums are exact: the fiscal aid of all pairings
and years is the envelope, and the projects of a pairing and year spend that pairing-year's
fiscal aid exactly. Most pairings put well over 80 % of their project money on projects closely
linked to registered poor people; a few sit just above or just below the line.
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from xiezuo.demo.generate.columns import Geography, Households, Pairings
from xiezuo.demo.generate.draw import (
    DAY,
    apportion,
    choose,
    day_texts,
    distinct_days,
    draw,
    lognormal_cents,
    money_texts,
    normalised,
    scaled_counts,
    table,
    uniform,
    uniform_int,
    year_days,
)
from xiezuo.demo.generate.entities import HelperNames, fill_names
from xiezuo.demo.generate.places import county_villages, recipient_place
from xiezuo.demo.profile import label

FISCAL = label("fund_source", "财政援助")
SOCIAL = label("fund_source", "社会帮扶")
BELOW, NEAR, ABOVE = range(3)


@dataclass
class Projects:
    """Project columns, and the households each project benefits (as pairs of row indexes)."""

    columns: dict[str, list[Any]]
    fiscal_cents: np.ndarray  # per project, in cents of 万元
    closely_linked: np.ndarray  # bool, per project
    beneficiary_project: np.ndarray  # row index into the project columns
    beneficiary_household: np.ndarray  # index into Households


def fiscal_aid(
    rng: np.random.Generator,
    pairings: Pairings,
    households: Households,
    settings: dict[str, Any],
    *,
    envelope_cents: int,
) -> np.ndarray:
    """Return fiscal aid per pairing and year in cents, adding up to the envelope exactly.

    Years take the envelope by `year_weights`; inside a year a pairing's weight grows with the
    registered people of its county and is larger for deep-poverty counties.
    """
    years = len(pairings.years)
    weights = list(settings["year_weights"])[:years]
    weights += [weights[-1] if weights else 1.0] * (years - len(weights))
    unit = round(settings["unit"] * 100)
    by_year = apportion(envelope_cents, normalised(weights), unit=unit)
    people = np.bincount(
        households.county, weights=households.size, minlength=pairings.county.max() + 1
    )
    weight = (people[pairings.county] + 1) ** settings["people_exponent"]
    weight = weight * np.where(pairings.deep, settings["deep_poverty_factor"], 1.0)
    aid = np.empty((pairings.count, years), dtype=np.int64)
    for y in range(years):
        jitter = np.exp(rng.normal(0.0, settings["jitter"], pairings.count))
        aid[:, y] = apportion(int(by_year[y]), weight * jitter, unit=unit, minimum=1)
    return aid


def make_funds(
    rng: np.random.Generator,
    pairings: Pairings,
    settings: dict[str, Any],
    aid: np.ndarray,
    *,
    scale: float,
) -> dict[str, list[Any]]:
    """Return fund columns: the fiscal aid, paid once a year, and a few social funds."""
    social = scaled_counts(
        rng,
        settings["social_per_pairing_year"],
        aid.shape,
        scale=scale,
        minimum=settings["social_minimum"],
    )
    first_month, last_month = settings["paid_months"]
    rows: dict[str, list[Any]] = {
        name: []
        for name in (
            "pairing_id", "year", "helper_id", "recipient_id", "source", "amount", "paid_date",
        )
    }  # fmt: skip
    cents: list[int] = []
    for p in range(pairings.count):
        for y, year in enumerate(pairings.years):
            first, last = year_days(year)
            paid = np.datetime64(f"{year}-{first_month:02d}-01", "D") + DAY * int(
                rng.integers(0, 30 * (last_month - first_month + 1))
            )
            social_days = distinct_days(rng, first + 31 * DAY, last - 10 * DAY, int(social[p, y]))
            social_cents = lognormal_cents(rng, settings["social_amount"], social_days.size)
            entries = [(FISCAL, int(aid[p, y]), paid)] + [
                (SOCIAL, int(c), d) for c, d in zip(social_cents, social_days, strict=True)
            ]
            for source, amount, day in entries:
                rows["pairing_id"].append(pairings.ids[p])
                rows["year"].append(year)
                rows["helper_id"].append(pairings.helpers[p].code)
                rows["recipient_id"].append(pairings.recipients[p].code)
                rows["source"].append(source)
                cents.append(amount)
                rows["paid_date"].append(day)
    rows["amount"] = money_texts(np.array(cents, dtype=np.int64))
    rows["paid_date"] = day_texts(np.array(rows["paid_date"], dtype="datetime64[D]"))
    return rows


def linked_shares(
    rng: np.random.Generator, pairings: Pairings, settings: dict[str, Any], aid: np.ndarray
) -> np.ndarray:
    """Return, per pairing and year, the share of its project money on closely linked projects.

    A few pairings sit just below 80 %, a few just above, the rest well above; the rest are
    lifted, if needed, until the programme-wide share reaches `programme_floor`.
    """
    n, years = aid.shape
    below = min(max(1, round(n * settings["below_pairings"])), n - 1)
    near = min(round(n * settings["near_pairings"]), n - 1 - below)
    group = np.full(n, ABOVE)
    order = rng.permutation(n)
    group[order[:below]] = BELOW
    group[order[below : below + near]] = NEAR
    bands = np.array([settings["below_share"], settings["near_share"], settings["linked_share"]])
    low, high = bands[group, 0][:, None], bands[group, 1][:, None]
    share = uniform(rng, [0.0, 1.0], (n, 1)) * (high - low) + low
    share = np.clip(share + rng.normal(0.0, settings["year_jitter"], (n, years)), low, high)

    money = aid.astype(float)
    cap = settings["lift_cap"]
    for lifted in (group == ABOVE, group == NEAR):
        deficit = settings["programme_floor"] * money.sum() - (money * share).sum()
        headroom = (money * (cap - share))[lifted].sum()
        if deficit <= 0 or headroom <= 0:
            continue
        t = min(1.0, deficit / headroom)
        share[lifted] += t * (cap - share[lifted])
    return share


def make_projects(
    rng: np.random.Generator,
    pairings: Pairings,
    geography: Geography,
    households: Households,
    settings: dict[str, Any],
    aid: np.ndarray,
    *,
    scale: float,
    last_year: int,
) -> Projects:
    """Return the projects: each pairing-year's fiscal aid spent to the last cent.

    Closely linked projects benefit registered households of the project's site (identified by
    the project's year); the others (roads, water, forests) name none.
    """
    share = linked_shares(rng, pairings, settings, aid)
    unit = round(settings["unit"] * 100)
    linked_cents = np.minimum(np.rint(aid * share / unit).astype(np.int64) * unit, aid)
    counts = scaled_counts(
        rng, settings["per_pairing_year"], aid.shape, scale=scale, minimum=settings["minimum"]
    )
    categories = tuple(settings["categories"])
    category_p = {
        linked: table(
            {c: settings["categories"][c]["linked" if linked else "other"] for c in categories},
            categories,
        )
        for linked in (True, False)
    }
    statuses = [tuple(entry) for entry in settings["status"]]
    status_p = [table(entry, tuple(entry)) for entry in settings["status"]]
    county_households = _county_ranges(households, pairings)

    rows: dict[str, list[Any]] = {name: [] for name in _PROJECT_FIELDS}
    money: list[int] = []
    disbursed: list[int] = []
    beneficiary_project: list[np.ndarray] = []
    beneficiary_household: list[np.ndarray] = []
    for p in range(pairings.count):
        helper, recipient = pairings.helpers[p], pairings.recipients[p]
        for y, year in enumerate(pairings.years):
            total, linked = int(aid[p, y]), int(linked_cents[p, y])
            other = total - linked
            n = int(counts[p, y])
            k_other = max(1, round(n * (1 - share[p, y]))) if other > 0 else 0
            k_linked = max(1, n - k_other) if linked > 0 else 0
            parts = [(True, amount) for amount in _split(rng, linked, k_linked, settings)]
            parts += [(False, amount) for amount in _split(rng, other, k_other, settings)]
            age = min(last_year - year, len(statuses) - 1)
            for number, (is_linked, amount) in enumerate(parts, start=1):
                category = categories[int(draw(rng, 1, category_p[is_linked])[0])]
                title = choose(rng, settings["categories"][category]["titles"])
                site, site_name, members = _site(
                    rng, pairings, geography, households, county_households, p, title, year,
                    linked=is_linked,
                )  # fmt: skip
                status_index = int(draw(rng, 1, status_p[age])[0])
                status = statuses[age][status_index]
                ratio = uniform(rng, settings["disbursed"][status], 1)[0]
                if is_linked and members.size:
                    bounds = settings["beneficiaries"][_level(title)]
                    k = min(members.size, int(uniform_int(rng, bounds, 1)[0]))
                    chosen = np.sort(rng.choice(members, size=k, replace=False))
                    beneficiary_project.append(np.full(k, len(money), dtype=np.int64))
                    beneficiary_household.append(chosen)
                rows["pairing_id"].append(pairings.ids[p])
                rows["project_no"].append(
                    settings["project_no"].format(
                        helper=helper.code, recipient=recipient.code, year=year, number=number
                    )
                )
                rows["name"].append(
                    settings["name"].format(
                        year=year, county=recipient.name, title=title.format(**site_name)
                    )
                )
                rows["helper_id"].append(helper.code)
                rows["recipient_id"].append(recipient.code)
                rows["site_id"].append(site)
                rows["year"].append(year)
                rows["category"].append(category)
                rows["status"].append(status)
                rows["closely_linked"].append(is_linked)
                money.append(amount)
                disbursed.append(min(amount, int(amount * ratio)))
    rows["fiscal_aid"] = money_texts(np.array(money, dtype=np.int64))
    rows["disbursed"] = money_texts(np.array(disbursed, dtype=np.int64))
    empty = np.zeros(0, dtype=np.int64)
    return Projects(
        columns=rows,
        fiscal_cents=np.array(money, dtype=np.int64),
        closely_linked=np.array(rows["closely_linked"], dtype=bool),
        beneficiary_project=np.concatenate(beneficiary_project or [empty]),
        beneficiary_household=np.concatenate(beneficiary_household or [empty]),
    )


def make_donations(
    rng: np.random.Generator,
    pairings: Pairings,
    geography: Geography,
    settings: dict[str, Any],
    entities: dict[str, Any],
    *,
    scale: float,
    names: HelperNames,
) -> dict[str, list[Any]]:
    """Return donation columns: money and goods mobilised by the helper side, on distinct days."""
    counts = scaled_counts(
        rng,
        settings["per_pairing_year"],
        (pairings.count, len(pairings.years)),
        scale=scale,
        minimum=settings["minimum"],
    )
    categories = tuple(settings["categories"])
    category_p = table(settings["categories"], categories)
    rows: dict[str, list[Any]] = {
        name: []
        for name in ("pairing_id", "date", "donor", "helper_id", "recipient_id", "category")
    }
    cents: list[np.ndarray] = []
    for p in range(pairings.count):
        helper = pairings.helpers[p]
        donors = fill_names(
            rng, settings["donors"], max(4, int(counts[p].sum()) // 2), entities,
            helper=helper.name, **names,
        )  # fmt: skip
        for y, year in enumerate(pairings.years):
            first, last = year_days(year)
            days = np.sort(distinct_days(rng, first + 20 * DAY, last - 5 * DAY, int(counts[p, y])))
            for day in days:
                level = "village" if rng.random() < settings["to_village_share"] else "county"
                rows["pairing_id"].append(pairings.ids[p])
                rows["date"].append(day)
                rows["donor"].append(choose(rng, donors))
                rows["helper_id"].append(helper.code)
                rows["recipient_id"].append(recipient_place(rng, pairings, geography, p, level))
                rows["category"].append(categories[int(draw(rng, 1, category_p)[0])])
            cents.append(lognormal_cents(rng, settings["amount"], days.size))
    rows["date"] = day_texts(np.array(rows["date"], dtype="datetime64[D]"))
    rows["amount"] = money_texts(np.concatenate(cents) if cents else np.zeros(0, np.int64))
    return rows


_PROJECT_FIELDS = (
    "pairing_id", "project_no", "name", "helper_id", "recipient_id", "site_id", "year",
    "category", "status", "closely_linked",
)  # fmt: skip


def _split(rng: np.random.Generator, total: int, count: int, settings: dict[str, Any]) -> list[int]:
    """Return `count` project amounts (cents) adding up to `total`, whole units where possible."""
    if total <= 0 or count <= 0:
        return []
    unit = round(settings["unit"] * 100)
    count = max(1, min(count, total // unit))
    weights = np.exp(rng.normal(0.0, settings["amount_sigma"], count))
    return apportion(total, weights, unit=unit, minimum=1).tolist()


def _level(title: str) -> str:
    if "{village}" in title:
        return "village"
    if "{township}" in title:
        return "township"
    return "county"


def _county_ranges(households: Households, pairings: Pairings) -> list[tuple[int, int]]:
    """Return, per pairing, the range of its county's households (in village, so county, order)."""
    return [
        (
            int(np.searchsorted(households.county, c, side="left")),
            int(np.searchsorted(households.county, c, side="right")),
        )
        for c in pairings.county.tolist()
    ]


def _site(
    rng: np.random.Generator,
    pairings: Pairings,
    geography: Geography,
    households: Households,
    county_households: list[tuple[int, int]],
    p: int,
    title: str,
    year: int,
    *,
    linked: bool,
) -> tuple[str, dict[str, str], np.ndarray]:
    """Return a project's site code, the names its title needs and its candidate beneficiaries.

    A closely linked project goes where registered households are: its village or township is
    that of a household drawn from the county's registry.
    """
    level = _level(title)
    first, last = county_households[p]
    eligible = first + np.flatnonzero(households.identified_year[first:last] <= year)
    if linked and eligible.size and level != "county":
        village = int(households.village[eligible[int(rng.integers(eligible.size))]])
    else:
        v_first, v_last = county_villages(geography, int(pairings.county[p]))
        if level == "county" or v_last == v_first:
            return pairings.recipients[p].code, {}, eligible if linked else eligible[:0]
        village = int(rng.integers(v_first, v_last))
    code = str(geography.villages[village])
    township = str(geography.village_townships[village])
    names = {"township": township, "village": township + str(pairings.village_names[village])}
    if level == "village":
        lo, hi = village, village + 1
        site = code
    else:
        lo = int(np.searchsorted(geography.villages, code[:9], side="left"))
        hi = int(np.searchsorted(geography.villages, code[:9] + "999", side="right"))
        site = code[:9]
    h_lo = int(np.searchsorted(households.village, lo, side="left"))
    h_hi = int(np.searchsorted(households.village, hi, side="left"))
    members = h_lo + np.flatnonzero(households.identified_year[h_lo:h_hi] <= year)
    return site, names, members if linked else members[:0]
