"""人才支援: cadres and professionals seconded from the helper side, and trainings."""

from collections import Counter
from typing import Any

import numpy as np

from xiezuo.core.ids import make_ids
from xiezuo.demo.generate.columns import Geography, Pairings
from xiezuo.demo.generate.draw import (
    DAY,
    choose,
    day_texts,
    draw,
    make_names,
    scaled_counts,
    table,
    uniform_int,
    year_days,
)
from xiezuo.demo.generate.places import LEVELS, recipient_place
from xiezuo.demo.profile import Names


def make_secondments(
    rng: np.random.Generator,
    pairings: Pairings,
    geography: Geography,
    settings: dict[str, Any],
    names: Names,
    *,
    scale: float,
    last_day: np.datetime64,
) -> dict[str, list[Any]]:
    """Return secondment columns: stays of weeks to two years, some crossing a year's end.

    A stay that would end after `last_day` (the programme's end) is left open for a share of
    people, as a ledger shows someone still in post. ID numbers are valid and distinct, issued
    in the sending district or elsewhere in the helper province.
    """
    years = np.array(pairings.years)
    counts = scaled_counts(
        rng,
        settings["per_pairing_year"],
        (pairings.count, years.size),
        scale=scale,
        minimum=settings["minimum"],
    )
    pairing = np.repeat(np.arange(pairings.count), counts.sum(axis=1))
    year = np.concatenate([np.repeat(years, row) for row in counts]).astype(np.int64)
    n = pairing.size

    categories = tuple(settings["categories"])
    category = draw(rng, n, table(settings["categories"], categories))
    low = np.array([settings["days"][c][0] for c in categories])[category]
    high = np.array([settings["days"][c][1] for c in categories])[category]
    days = rng.integers(low, high + 1)
    short = rng.random(n) < settings["short_share"]
    days = np.where(short, uniform_int(rng, settings["short_days"], n), days)
    first_month, last_month = settings["start_months"]
    month_start = (year - 1970) * 12 + rng.integers(first_month - 1, last_month, n)
    start = (
        month_start.astype("datetime64[M]").astype("datetime64[D]") + rng.integers(0, 28, n) * DAY
    )
    end = start + (days - 1) * DAY
    open_end = (end > last_day) & (rng.random(n) < settings["still_in_post_share"])
    end = np.where(open_end, np.datetime64("NaT", "D"), end)

    level_p = table(settings["posting"], LEVELS)
    levels = draw(rng, n, level_p)
    posting = [
        recipient_place(rng, pairings, geography, p, LEVELS[level])
        for p, level in zip(pairing.tolist(), levels.tolist(), strict=True)
    ]

    male = rng.random(n) < settings["male_share"]
    age = uniform_int(rng, settings["age"], n)
    new_year = (year - age - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    birth = new_year + rng.integers(0, 365, n) * DAY
    helpers = np.array([h.code for h in pairings.helpers], dtype=object)[pairing]
    province = np.array([d.code for d in pairings.helper_districts], dtype=object)
    away = rng.random(n) >= settings["home_district_share"]
    home = np.where(away, province[rng.integers(0, province.size, n)], helpers)
    ids = _distinct_ids(rng, home.astype(str), birth, male)
    return {
        "pairing_id": [pairings.ids[p] for p in pairing.tolist()],
        "name": make_names(rng, names, male=male, birth_year=year - age).tolist(),
        "id_number": ids,
        "sender_id": helpers.tolist(),
        "posting_id": posting,
        "category": [categories[c] for c in category.tolist()],
        "start_date": day_texts(start),
        "end_date": day_texts(end),
        "direction": ["派出"] * n,  # the demo seconds helper → recipient only
    }


def make_trainings(
    rng: np.random.Generator,
    pairings: Pairings,
    geography: Geography,
    settings: dict[str, Any],
    *,
    scale: float,
) -> dict[str, list[Any]]:
    """Return training columns: courses for every audience, every pair, every year.

    A course ends in the year it starts, so it counts in that year.
    """
    rows: dict[str, list[Any]] = {
        name: []
        for name in (
            "pairing_id", "name", "host_id", "recipient_id", "audience", "start_date",
            "end_date", "person_times",
        )
    }  # fmt: skip
    for audience, bounds in settings["per_pairing_year"].items():
        counts = scaled_counts(
            rng,
            bounds,
            (pairings.count, len(pairings.years)),
            scale=scale,
            minimum=settings["minimum"],
        )
        for p in range(pairings.count):
            recipient = pairings.recipients[p]
            for y, year in enumerate(pairings.years):
                numbers: Counter[str] = Counter()
                first, last = year_days(year)
                for _ in range(int(counts[p, y])):
                    title = choose(rng, settings["names"][audience]).format(
                        recipient=recipient.name
                    )
                    numbers[title] += 1
                    length = int(uniform_int(rng, settings["days"][audience], 1)[0])
                    latest = int((last - first).astype(np.int64)) - length - 5
                    start = first + DAY * int(rng.integers(9, max(10, latest)))
                    level = "township" if audience == "贫困劳动力" and rng.random() < 0.3 else ""
                    rows["pairing_id"].append(pairings.ids[p])
                    rows["name"].append(f"{title}（{year}年第{numbers[title]}期）")
                    rows["host_id"].append(pairings.helpers[p].code)
                    rows["recipient_id"].append(
                        recipient_place(rng, pairings, geography, p, level or "county")
                    )
                    rows["audience"].append(audience)
                    rows["start_date"].append(start)
                    rows["end_date"].append(start + (length - 1) * DAY)
                    rows["person_times"].append(
                        int(uniform_int(rng, settings["person_times"][audience], 1)[0])
                    )
    rows["start_date"] = day_texts(np.array(rows["start_date"], dtype="datetime64[D]"))
    rows["end_date"] = day_texts(np.array(rows["end_date"], dtype="datetime64[D]"))
    return rows


def _distinct_ids(
    rng: np.random.Generator, regions: np.ndarray, birth: np.ndarray, male: np.ndarray
) -> list[str]:
    """Return valid ID numbers, distinct among themselves: sequences redrawn on a clash."""
    n = regions.size
    ids: list[str] = [""] * n
    seen: set[str] = set()
    pending = np.arange(n)
    while pending.size:
        sequence = rng.integers(0, 500, pending.size) * 2 + male[pending]
        drawn = make_ids(regions[pending], birth[pending], sequence)
        again = []
        for i, number in zip(pending.tolist(), drawn, strict=True):
            if number in seen:
                again.append(i)
            else:
                seen.add(number)
                ids[i] = number
        pending = np.array(again, dtype=np.int64)
    return ids
