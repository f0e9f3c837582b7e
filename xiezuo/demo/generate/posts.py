"""岗位: job posts of 2018–2020, and the placements on them that the labour ledger records.

Two kinds of post are drawn. **Filled posts** account for part of the organised (有组织) spells
of the labour ledger: a share of the spells of pool members (rules 1 and 2 of the match,
docs/labour.md) whose place of work is their own county (a local post) or their pairing's
helper district (a transfer post) is grouped by employer, place of work and start date into
one post each, its places the spells it holds plus a few; each of those spells is a confirmed
placement on its post. **Open posts** are offered from the first of a month by the helper
districts (in the district) and by local employers (in the county or one of its townships),
with no one placed yet. Beijing wages lie above Hebei's (`ledgers.toml` [posts]).
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from xiezuo.demo.generate.columns import Geography, Households, Members, Pairings
from xiezuo.demo.generate.entities import ENTERPRISE, credit_codes, fill_names
from xiezuo.ingest.catalog import ledger

# The ages a post may ask for: the posts template's limits on its age columns.
AGE_BOUNDS = (
    int(ledger("posts").column("年龄下限").min or 0),
    int(ledger("posts").column("年龄上限").max or 200),
)

POOL_STATUSES = ("未脱贫", "已脱贫(享受政策)", "返贫")
POOL_SKILLS = ("普通劳动力", "技能劳动力")
ORGANISED = "有组织"


@dataclass
class PostDraw:
    """Post columns (Post fields) and the placements on them: `placement_post` indexes the
    posts, `placement_member` the members, `placement_kind` is local or transfer."""

    columns: dict[str, list[Any]]
    placement_post: np.ndarray
    placement_member: np.ndarray
    placement_kind: list[str]


def make_posts(
    rng: np.random.Generator,
    pairings: Pairings,
    geography: Geography,
    households: Households,
    members: Members,
    labour: dict[str, Any],
    settings: dict[str, Any],
    entities: dict[str, Any],
    *,
    scale: float,
    years: list[int],
) -> PostDraw:
    """Return the posts and the placements behind part of the labour ledger's spells.

    `labour` holds the labour-ledger columns as drawn (`household` as household indexes).
    """
    filled = _filled_posts(rng, pairings, geography, households, members, labour, settings)
    opened = _open_posts(rng, pairings, geography, settings, entities, scale=scale, years=years)
    columns = {name: filled.columns[name] + opened[name] for name in filled.columns}
    count = len(columns["workplace_id"])
    columns["post_no"] = [
        f"GW{start[:4]}-{where[:6]}-{i + 1:05d}"
        for i, (start, where) in enumerate(
            zip(columns["start_date"], columns["workplace_id"], strict=True)
        )
    ]
    regions = [
        h or w[:6] for h, w in zip(columns["helper_id"], columns["workplace_id"], strict=True)
    ]
    employers = sorted(set(columns["employer"]))
    home = {name: regions[columns["employer"].index(name)] for name in employers}
    codes = credit_codes(rng, [ENTERPRISE] * len(employers), [home[e] for e in employers])
    by_employer = dict(zip(employers, codes, strict=True))
    columns["credit_code"] = [by_employer[e] for e in columns["employer"]]
    assert len(columns["post_no"]) == count
    return PostDraw(columns, filled.placement_post, filled.placement_member, filled.placement_kind)


def _filled_posts(
    rng: np.random.Generator,
    pairings: Pairings,
    geography: Geography,
    households: Households,
    members: Members,
    labour: dict[str, Any],
    settings: dict[str, Any],
) -> PostDraw:
    ids = np.array(members.columns["id_number"], dtype=object)
    member_of = {number: i for i, number in enumerate(ids.tolist())}
    status = np.array(households.columns["status"], dtype=object)
    skill = np.array(members.columns["labour_skill"], dtype=object)
    counties = np.array(geography.counties, dtype=object)
    helper_of = {}
    for p in range(pairings.count):
        helper_of[(pairings.helpers[p].code, int(pairings.county[p]))] = True
    person = np.array([member_of[n] for n in labour["id_number"]], dtype=np.int64)
    household = np.asarray(labour["household"], dtype=np.int64)
    county = households.county[household]
    workplace = np.array(labour["workplace_code"], dtype=object)
    local = np.array(
        [w[:6] == c for w, c in zip(workplace.tolist(), counties[county].tolist(), strict=True)]
    )
    transfer = np.array(
        [(w, int(c)) in helper_of for w, c in zip(workplace.tolist(), county.tolist(), strict=True)]
    )
    # A post takes people of working age (the posts ledger's bounds on 年龄下限, 年龄上限):
    # a younger or older worker's spell is not a placement of a post.
    birth = np.array([int(ids[p][6:14]) for p in person.tolist()], dtype=np.int64)
    start = np.array([int(d.replace("-", "")) for d in labour["start_date"]], dtype=np.int64)
    age = (start - birth) // 10000
    chosen = (
        (np.array(labour["organisation"], dtype=object) == ORGANISED)
        & (local | transfer)
        & (age >= AGE_BOUNDS[0])
        & (age <= AGE_BOUNDS[1])
        & np.isin(status[household], POOL_STATUSES)
        & np.isin(skill[person], POOL_SKILLS)
        & (rng.random(person.size) < settings["filled_share"])
    )
    spells = np.flatnonzero(chosen)
    # One placement per person in a match: a person's first chosen spell.
    _, first = np.unique(person[spells], return_index=True)
    spells = np.sort(spells[first])
    keys = [
        (labour["employer"][s], workplace[s], labour["start_date"][s], bool(transfer[s]))
        for s in spells.tolist()
    ]
    order = sorted(set(keys))
    index = {key: i for i, key in enumerate(order)}
    post_of_spell = np.array([index[k] for k in keys], dtype=np.int64)
    held = np.bincount(post_of_spell, minlength=len(order))
    extra = rng.integers(settings["extra_places"][0], settings["extra_places"][1] + 1, len(order))
    ends: dict[int, str | None] = {}
    skilled_everywhere = np.ones(len(order), dtype=bool)
    oldest = np.zeros(len(order), dtype=np.int64)
    youngest = np.full(len(order), 200, dtype=np.int64)
    for s, j in zip(spells.tolist(), post_of_spell.tolist(), strict=True):
        ends.setdefault(j, labour["end_date"][s])
        oldest[j] = max(oldest[j], age[s])
        youngest[j] = min(youngest[j], age[s])
        skilled_everywhere[j] &= skill[person[s]] == "技能劳动力"
    age_min, age_max = _age_bands(rng, settings["age_bands"], youngest, oldest)
    asks_skill = skilled_everywhere & (rng.random(len(order)) < settings["skilled_share"])
    is_transfer = np.array([k[3] for k in order], dtype=bool)
    columns = {
        "employer": [k[0] for k in order],
        "helper_id": [k[1] if k[3] else None for k in order],
        "workplace_id": [k[1] for k in order],
        "title": _titles(rng, settings, is_transfer),
        "places": (held + extra).tolist(),
        "wage": _wages(rng, settings, is_transfer),
        "skill": np.where(asks_skill, "技能劳动力", "不限").tolist(),
        "age_min": age_min.tolist(),
        "age_max": age_max.tolist(),
        "start_date": [k[2] for k in order],
        "end_date": [ends.get(j) for j in range(len(order))],
    }
    kinds = ["transfer" if transfer[s] else "local" for s in spells.tolist()]
    return PostDraw(columns, post_of_spell, person[spells], kinds)


def _age_bands(
    rng: np.random.Generator, bands: list[list[int]], youngest: np.ndarray, oldest: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Return a band of `bands` holding every age of each post (drawn), else the widest."""
    low = np.array([b[0] for b in bands])
    high = np.array([b[1] for b in bands])
    fits = (low[None, :] <= youngest[:, None]) & (high[None, :] >= oldest[:, None])
    noise = rng.random(fits.shape)
    pick = np.argmax(np.where(fits, noise + 1, 0), axis=1)
    found = fits.any(axis=1)
    age_min = np.where(found, low[pick], np.minimum(youngest, low.min()))
    age_max = np.where(found, high[pick], np.maximum(oldest, high.max()))
    return age_min, age_max


def _titles(rng: np.random.Generator, settings: dict[str, Any], transfer: np.ndarray) -> list[str]:
    away = np.array(settings["titles_transfer"], dtype=object)
    home = np.array(settings["titles_local"], dtype=object)
    return np.where(
        transfer,
        away[rng.integers(0, away.size, transfer.size)],
        home[rng.integers(0, home.size, transfer.size)],
    ).tolist()


def _wages(rng: np.random.Generator, settings: dict[str, Any], transfer: np.ndarray) -> list[str]:
    """Monthly wages in yuan, whole hundreds: the helper side's above the recipient side's."""
    away_low, away_high = settings["wage_transfer"]
    home_low, home_high = settings["wage_local"]
    away = rng.integers(away_low // 100, away_high // 100 + 1, transfer.size) * 100
    home = rng.integers(home_low // 100, home_high // 100 + 1, transfer.size) * 100
    return [f"{w}.00" for w in np.where(transfer, away, home).tolist()]


def _open_posts(
    rng: np.random.Generator,
    pairings: Pairings,
    geography: Geography,
    settings: dict[str, Any],
    entities: dict[str, Any],
    *,
    scale: float,
    years: list[int],
) -> dict[str, list[Any]]:
    """Posts nobody holds yet: per helper district and per county, each programme year."""
    low, high = settings["open_per_place_and_year"]
    # (helper, workplace, county name)
    places: list[tuple[str | None, str, str]] = [
        (helper, helper, "") for helper in sorted({h.code for h in pairings.helpers})
    ]
    places += [
        (None, code, name)
        for code, name in zip(geography.counties, geography.county_names, strict=True)
    ]
    columns: dict[str, list[Any]] = {
        name: []
        for name in (
            "employer", "helper_id", "workplace_id", "title", "places", "wage", "skill",
            "age_min", "age_max", "start_date", "end_date",
        )
    }  # fmt: skip
    bands = settings["age_bands"]
    for year in years:
        for helper, workplace, county_name in places:
            count = max(1, round(int(rng.integers(low, high + 1)) * scale))
            transfer = np.full(count, helper is not None)
            names = fill_names(
                rng,
                settings["employers_transfer" if helper else "employers_local"],
                count,
                entities,
                county=county_name,
            )
            prefix = "北京" if helper else ""
            months = rng.integers(1, 13, count)
            band = rng.integers(0, len(bands), count)
            places_each = rng.integers(
                settings["open_places"][0], settings["open_places"][1] + 1, count
            )
            columns["employer"] += [prefix + n for n in names]
            columns["helper_id"] += [helper] * count
            columns["workplace_id"] += [workplace] * count
            columns["title"] += _titles(rng, settings, transfer)
            columns["places"] += places_each.tolist()
            columns["wage"] += _wages(rng, settings, transfer)
            columns["skill"] += np.where(
                rng.random(count) < settings["skilled_share"], "技能劳动力", "不限"
            ).tolist()
            columns["age_min"] += [bands[b][0] for b in band.tolist()]
            columns["age_max"] += [bands[b][1] for b in band.tolist()]
            columns["start_date"] += [f"{year}-{m:02d}-01" for m in months.tolist()]
            columns["end_date"] += [f"{year}-12-31"] * count
    return columns
