"""劳务协作: job spells of registered poor workers, in the helper province or their own.

Workers are members of the registry of working age with labour skills who work away from home
by the registry (`work_location`); where they work follows it: 省外 becomes the helper province
(the pairing's own district or another), 县外省内 another county of their province, 乡镇外县内
their county and 乡镇内 their township. Each worker has one to three spells, some shorter than
90 days, the last one still running when it passes the programme's end.
"""

from typing import Any

import numpy as np

from xiezuo.core import codelists
from xiezuo.demo.generate.columns import Geography, Households, Members, Pairings
from xiezuo.demo.generate.draw import DAY, day_texts, draw, normalised, uniform_int
from xiezuo.demo.generate.entities import fill_names, province_prefix
from xiezuo.demo.profile import label

HELPER_PROVINCE, OWN_PROVINCE, OWN_COUNTY, OWN_TOWNSHIP = (
    label("work_location", "省外"),
    label("work_location", "县外省内"),
    label("work_location", "乡镇外县内"),
    label("work_location", "乡镇内"),
)
ORGANISED, INDEPENDENT = (
    label("labour_organisation", "有组织"),
    label("labour_organisation", "自主"),
)
MAX_SPELLS = 3


def make_labour(
    rng: np.random.Generator,
    pairings: Pairings,
    geography: Geography,
    households: Households,
    members: Members,
    settings: dict[str, Any],
    entities: dict[str, Any],
    *,
    first_day: np.datetime64,
    last_day: np.datetime64,
) -> dict[str, Any]:
    """Return labour-transfer columns; `household` holds indexes into Households."""
    locations = codelists.labels("work_location")
    location = np.array(
        [locations.index(text) if text else -1 for text in members.columns["work_location"]]
    )
    skill = np.isin(np.array(members.columns["labour_skill"], dtype=object), settings["skills"])
    low, high = settings["age"]
    recorded = np.array([settings["recorded"].get(text, 0.0) for text in locations] + [0.0])
    chosen = (
        skill
        & (members.age >= low)
        & (members.age <= high)
        & (rng.random(members.count) < recorded[location])
    )
    person = np.flatnonzero(chosen)
    where = location[person]
    household = members.household[person]
    county = households.county[household]
    pairing = _pairing_of(rng, pairings, county)
    keep = pairing >= 0
    person, where, household, county, pairing = (
        person[keep], where[keep], household[keep], county[keep], pairing[keep]
    )  # fmt: skip

    start, end, spell_person = _spells(rng, settings, person.size, first_day, last_day)
    workplace, employer_place = _workplaces(
        rng, pairings, geography, households, settings, where, household, county, pairing
    )
    employers, first_employer = _employers(rng, pairings, geography, settings, entities)
    pick = first_employer[employer_place] + rng.integers(
        0, settings["employers_per_place"], employer_place.size
    )
    organised_p = np.array([settings["organised"].get(text, 0.0) for text in locations])
    spell_where = where[spell_person]
    organised = rng.random(spell_person.size) < organised_p[spell_where]
    ids = np.array(members.columns["id_number"], dtype=object)
    return {
        "pairing_id": np.array(pairings.ids, dtype=np.int64)[pairing[spell_person]].tolist(),
        "id_number": ids[person[spell_person]].tolist(),
        "household": household[spell_person],
        "workplace_code": workplace[spell_person].tolist(),
        "employer": np.array(employers, dtype=object)[pick[spell_person]].tolist(),
        "start_date": day_texts(start),
        "end_date": day_texts(end),
        "organisation": np.where(organised, ORGANISED, INDEPENDENT).tolist(),
    }


def _pairing_of(rng: np.random.Generator, pairings: Pairings, county: np.ndarray) -> np.ndarray:
    """Return each worker's pairing: the one of their county (drawn when it has several)."""
    by_county: dict[int, list[int]] = {}
    for p, c in enumerate(pairings.county.tolist()):
        by_county.setdefault(c, []).append(p)
    found = np.full(county.size, -1, dtype=np.int64)
    for c, candidates in by_county.items():
        mine = np.flatnonzero(county == c)
        found[mine] = np.array(candidates)[rng.integers(0, len(candidates), mine.size)]
    return found


def _spells(
    rng: np.random.Generator,
    settings: dict[str, Any],
    people: int,
    first_day: np.datetime64,
    last_day: np.datetime64,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return the spells' start and end days (NaT: still running) and whose they are."""
    count = draw(rng, people, normalised(settings["spells"])) + 1
    latest = int((last_day - first_day).astype(np.int64)) - settings["first_start_before_end"]
    first = first_day + rng.integers(0, latest + 1, people) * DAY
    shape = (people, MAX_SPELLS)
    short = rng.random(shape) < settings["short_share"]
    days = np.where(
        short,
        uniform_int(rng, settings["short_days"], shape),
        uniform_int(rng, settings["days"], shape),
    )
    gaps = uniform_int(rng, settings["gap_days"], shape)
    offsets = np.concatenate(
        [np.zeros((people, 1), dtype=np.int64), np.cumsum(days + gaps, axis=1)[:, :-1]], axis=1
    )
    start = first[:, None] + offsets * DAY
    end = start + (days - 1) * DAY
    valid = (np.arange(MAX_SPELLS)[None, :] < count[:, None]) & (start <= last_day)
    start, end = start[valid], end[valid]
    end = np.where(end > last_day, np.datetime64("NaT", "D"), end)
    return start, end, np.repeat(np.arange(people), valid.sum(axis=1))


def _workplaces(
    rng: np.random.Generator,
    pairings: Pairings,
    geography: Geography,
    households: Households,
    settings: dict[str, Any],
    where: np.ndarray,
    household: np.ndarray,
    county: np.ndarray,
    pairing: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Return each worker's workplace code and the index of its employers' place.

    Places of employers: the helper province's districts, then the recipient province's other
    places (`Pairings.own_province`), then the recipient counties.
    """
    n = where.size
    districts = [d.code for d in pairings.helper_districts]
    district_index = {code: i for i, code in enumerate(districts)}
    away = pairings.own_province
    locations = codelists.labels("work_location")

    helper_district = np.array(
        [district_index.get(pairings.helpers[p].code, 0) for p in range(pairings.count)]
    )[pairing]
    own = rng.random(n) < settings["helper_district_share"]
    district = np.where(own, helper_district, rng.integers(0, len(districts), n))
    away_index = rng.integers(0, max(1, len(away)), n)
    county_codes = np.array(geography.counties, dtype=object)[county]
    away_codes = np.array(away or [""], dtype=object)[away_index]
    clash = away_codes == county_codes
    away_index = np.where(clash, (away_index + 1) % max(1, len(away)), away_index)
    away_codes = np.array(away or [""], dtype=object)[away_index]
    village_codes = geography.villages[households.village[household]].astype(str)
    township_codes = np.array([code[:9] for code in village_codes.tolist()], dtype=object)

    kind = np.array(locations, dtype=object)[where]
    in_helper = kind == HELPER_PROVINCE
    in_province = (kind == OWN_PROVINCE) & (len(away) > 0)
    in_township = kind == OWN_TOWNSHIP
    workplace = np.where(
        in_helper,
        np.array(districts, dtype=object)[district],
        np.where(in_province, away_codes, np.where(in_township, township_codes, county_codes)),
    )
    place = np.where(
        in_helper,
        district,
        np.where(in_province, len(districts) + away_index, len(districts) + len(away) + county),
    )
    return workplace, place


def _employers(
    rng: np.random.Generator,
    pairings: Pairings,
    geography: Geography,
    settings: dict[str, Any],
    entities: dict[str, Any],
) -> tuple[list[str], np.ndarray]:
    """Return employer names, a block of `employers_per_place` per place, and the blocks' starts."""
    per_place = settings["employers_per_place"]
    names: list[str] = []
    helper_prefix = province_prefix(pairings.helper_province.name)
    recipient_prefix = province_prefix(pairings.recipient_province.name)
    for _ in pairings.helper_districts:
        block = fill_names(rng, settings["employers_away"], per_place, entities)
        names += [helper_prefix + name for name in block]
    for _ in pairings.own_province:
        block = fill_names(rng, settings["employers_away"], per_place, entities)
        names += [recipient_prefix + name for name in block]
    for county_name in geography.county_names:
        names += fill_names(
            rng, settings["employers_local"], per_place, entities, county=county_name
        )
    places = len(pairings.helper_districts) + len(pairings.own_province) + len(geography.counties)
    return names, np.arange(places) * per_place
