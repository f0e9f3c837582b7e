"""Households: place, size, householder, causes, attribute, history years and 帮扶责任人."""

from typing import Any

import numpy as np

from xiezuo.core import codelists
from xiezuo.demo.generate.columns import (
    BASE_ATTRIBUTES,
    DIBAO,
    ELDER,
    GENERAL,
    MIDDLE,
    TEKUN,
    TYPE_NAMES,
    YOUNG,
    Geography,
    Households,
)
from xiezuo.demo.generate.draw import (
    as_optional,
    draw,
    draw_rows,
    index_of,
    labels_of,
    make_names,
    normalised,
    pick_top,
    table,
    uniform_int,
    year_table,
)
from xiezuo.demo.profile import Names, label


def make_households(
    rng: np.random.Generator,
    geography: Geography,
    profile: dict[str, Any],
    names: Names,
    *,
    scale: float,
    last_year: int,
) -> Households:
    """Draw the households: place, size, householder, causes, attribute and history years."""
    n = max(1, round(profile["households"] * scale))
    geo = profile["geography"]
    village, county = _place(rng, geography, geo, n)

    size = draw(rng, n, normalised(profile["size"]["weights"])) + 1
    head = profile["householder"]
    head_male = rng.random(n) < head["male_share"]
    head_age = np.empty(n, dtype=np.int64)
    for group, params in (
        (size == 1, head["age_alone"]),
        (size == 2, head["age_two"]),
        (size >= 3, head["age_family"]),
    ):
        mean, sd, low, high = params
        ages = np.clip(np.rint(rng.normal(mean, sd, size=n)), low, high).astype(np.int64)
        head_age[group] = ages[group]
    kind = np.where(
        head_age >= head["elder_from"],
        ELDER,
        np.where(head_age < head["young_below"], YOUNG, MIDDLE),
    )
    share = np.where(
        head_male[:, None],
        [head["spouse_share_male"]["two"], head["spouse_share_male"]["family"]],
        [head["spouse_share_female"]["two"], head["spouse_share_female"]["family"]],
    )
    has_spouse = (size >= 2) & (rng.random(n) < np.where(size == 2, share[:, 0], share[:, 1]))

    causes = codelists.labels("poverty_cause")
    cause_p = np.array([table(profile["causes"][name], causes) for name in TYPE_NAMES])
    # Poverty through schooling needs a child: none in households of one or two people.
    without_school = cause_p.copy()
    without_school[:, index_of("poverty_cause", "因学")] = 0.0
    cause_p = np.concatenate([cause_p, without_school])
    cause_group = kind + len(TYPE_NAMES) * (size < 3)
    main = draw_rows(rng, cause_group, cause_p)
    other_count = draw(rng, n, normalised(profile["causes"]["other_count"]))
    cause_mask = np.left_shift(1, main)
    for k in range(2):
        candidate = draw_rows(rng, cause_group, cause_p)
        take = other_count > k
        cause_mask = np.where(take, cause_mask | np.left_shift(1, candidate), cause_mask)
    other_mask = cause_mask & ~np.left_shift(1, main)

    attribute = profile["attribute"]
    vulnerable = np.isin(
        main, [index_of("poverty_cause", c) for c in attribute["vulnerable_causes"]]
    )
    tekun_p = np.where((size == 1) & (kind == ELDER), attribute["tekun_alone_elderly"], 0.0)
    tekun_p = np.maximum(tekun_p, attribute["tekun_other"])
    dibao_p = np.where(vulnerable, attribute["dibao_vulnerable"], attribute["dibao_other"])
    u = rng.random(n)
    base_attribute = np.where(u < tekun_p, TEKUN, np.where(u < tekun_p + dibao_p, DIBAO, GENERAL))

    standards = tuple(profile["standard"]["weights"])
    standard = draw(rng, n, table(profile["standard"]["weights"], standards))

    id_years = np.array([int(y) for y in profile["identification"]["years"]])
    id_p = np.array(list(profile["identification"]["years"].values()), dtype=float)
    identified_year = id_years[draw(rng, n, id_p / id_p.sum())]
    exit_year, fallback_year = _history_years(
        rng, profile["exit"], geography, county, identified_year, last_year
    )

    households = Households(
        count=n,
        village=village,
        county=county,
        size=size,
        head_age=head_age,
        head_male=head_male,
        kind=kind,
        has_spouse=has_spouse,
        main_cause=main,
        cause_mask=cause_mask,
        base_attribute=base_attribute,
        identified_year=identified_year,
        exit_year=exit_year,
        fallback_year=fallback_year,
    )
    households.columns = _household_columns(
        rng,
        households,
        geography,
        profile,
        names,
        main=main,
        other_mask=other_mask,
        standard=standard,
        reference_year=last_year,
    )
    return households


def _place(
    rng: np.random.Generator, geography: Geography, geo: dict[str, Any], n: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return each household's village and county, households ordered by village code."""
    county_count = len(geography.counties)
    villages_per_county = np.bincount(geography.village_county, minlength=county_count)
    weight = villages_per_county * np.exp(rng.normal(0.0, geo["county_sigma"], county_count))
    weight = weight * np.where(geography.county_deep, geo["deep_poverty_factor"], 1.0)
    per_county = rng.multinomial(n, weight / weight.sum())
    village_weight = np.exp(rng.normal(0.0, geo["village_sigma"], geography.villages.size))
    first_village = np.concatenate([[0], np.cumsum(villages_per_county)[:-1]])
    village = np.empty(n, dtype=np.int64)
    filled = 0
    for c in range(county_count):
        count = per_county[c]
        if count == 0:
            continue
        start = first_village[c]
        w = village_weight[start : start + villages_per_county[c]]
        village[filled : filled + count] = start + draw(rng, count, w / w.sum())
        filled += count
    village.sort()
    return village, geography.village_county[village]


def _history_years(
    rng: np.random.Generator,
    exits: dict[str, Any],
    geography: Geography,
    county: np.ndarray,
    identified_year: np.ndarray,
    last_year: int,
) -> tuple[np.ndarray, np.ndarray]:
    """Return exit and fall-back years (0 for none): exits follow the county's own exit year."""
    n = county.size
    years = np.array([int(y) for y in exits["years"]])
    years = years[years <= last_year]
    base = np.array([float(exits["years"][str(y)]) for y in years])
    county_exit = geography.county_exit_years[county]
    late = (county_exit[:, None] > 0) & (years[None, :] > county_exit[:, None])
    weight = base[None, :] * np.where(late, exits["after_county_exit"], 1.0)
    weight = np.where(years[None, :] > identified_year[:, None], weight, 0.0)
    can_exit = weight.sum(axis=1) > 0

    stay_table = year_table(exits["not_exited_weight"], default=1.0)
    stay_weight = stay_table[identified_year]
    stays = pick_top(rng, stay_weight, round(n * exits["not_exited_share"]))
    stays |= ~can_exit
    chosen = draw_rows(rng, np.arange(n), np.where(can_exit[:, None], weight, 1.0))
    exit_year = np.where(stays, 0, years[np.minimum(chosen, years.size - 1)])

    fallback_year = np.zeros(n, dtype=np.int64)
    candidates = (exit_year > 0) & (exit_year < last_year)
    wanted = round(n * exits["fallback_share"])
    if wanted == 0 and n >= 100:
        wanted = 1
    falls = pick_top(rng, candidates.astype(float), wanted)
    span = last_year - exit_year
    fallback_year[falls] = exit_year[falls] + 1 + (rng.random(n)[falls] * span[falls]).astype(int)
    return exit_year.astype(np.int64), fallback_year


def _household_columns(
    rng: np.random.Generator,
    households: Households,
    geography: Geography,
    profile: dict[str, Any],
    names: Names,
    *,
    main: np.ndarray,
    other_mask: np.ndarray,
    standard: np.ndarray,
    reference_year: int,
) -> dict[str, list[Any]]:
    """Return the household table's columns except the householder's name and ID number."""
    n = households.count
    causes = codelists.labels("poverty_cause")
    unique_masks, mask_index = np.unique(other_mask, return_inverse=True)
    other_texts = np.array(
        ["、".join(c for i, c in enumerate(causes) if m >> i & 1) for m in unique_masks.tolist()],
        dtype=object,
    )
    exited = households.exit_year > 0
    poor = households.poor_at_end
    statuses = codelists.labels("household_status")
    status_poor, status_exited = label("household_status", "未脱贫"), "已脱贫(享受政策)"
    status_fell, status_no_policy = label("household_status", "返贫"), "已脱贫(不再享受政策)"
    label("household_status", status_exited)
    label("household_status", status_no_policy)
    exit_rules = profile["exit"]
    no_policy = (
        exited
        & ~poor
        & (households.exit_year <= exit_rules["no_longer_policy_until"])
        & (rng.random(n) < exit_rules["no_longer_policy_share"])
    )
    status = np.where(
        ~exited,
        status_poor,
        np.where(poor, status_fell, np.where(no_policy, status_no_policy, status_exited)),
    )
    assert set(status.tolist()) <= set(statuses)
    attribute_labels = np.array(
        [label("household_attribute", f"{base}{'贫困户' if i < 3 else '脱贫户'}")
         for i, base in enumerate(BASE_ATTRIBUTES * 2)],
        dtype=object,
    )  # fmt: skip
    attribute = attribute_labels[households.base_attribute + np.where(exited & ~poor, 3, 0)]

    housing = profile["housing"]
    relocating = np.isin(main, [index_of("poverty_cause", c) for c in housing["relocated_causes"]])
    relocated = rng.random(n) < np.where(
        relocating, housing["relocated_cause_share"], housing["relocated"]
    )
    house_labels = labels_of("dangerous_house")
    house = draw(rng, n, table(housing["dangerous_house_poor"], tuple(house_labels)))
    house = np.where(poor & ~relocated, house, index_of("dangerous_house", "否"))
    safe_water = ~poor | (rng.random(n) >= housing["unsafe_water_poor"])

    village_codes = geography.villages[households.village]
    first_of_village = np.searchsorted(households.village, households.village, side="left")
    serial = np.arange(n) - first_of_village + 1
    width = max(4, len(str(int(serial.max()))))
    responsible = _responsible(
        rng, households, geography, profile, names, serial=serial, reference_year=reference_year
    )
    return {
        "household_no": [
            f"{v}{s:0{width}d}" for v, s in zip(village_codes, serial.tolist(), strict=True)
        ],
        "village_id": village_codes.tolist(),
        "county_id": [geography.counties[c] for c in households.county.tolist()],
        "size": households.size.tolist(),
        "attribute": attribute.tolist(),
        "standard": np.array(tuple(profile["standard"]["weights"]), dtype=object)[
            standard
        ].tolist(),
        "main_cause": labels_of("poverty_cause")[main].tolist(),
        "other_causes": other_texts[mask_index].tolist(),
        "identified_year": households.identified_year.tolist(),
        "status": status.tolist(),
        "exit_year": as_optional(households.exit_year),
        "fallback_year": as_optional(households.fallback_year),
        "relocated": relocated.tolist(),
        "dangerous_house": house_labels[house].tolist(),
        "safe_water": safe_water.tolist(),
        **responsible,
    }


def _responsible(
    rng: np.random.Generator,
    households: Households,
    geography: Geography,
    profile: dict[str, Any],
    names: Names,
    *,
    serial: np.ndarray,
    reference_year: int,
) -> dict[str, list[Any]]:
    """Return 帮扶责任人 columns: each cadre looks after a few households of one village."""
    settings = profile["responsible"]
    per_cadre = settings["households_per_cadre"]
    village_households = np.bincount(households.village, minlength=geography.villages.size)
    cadres_per_village = -(-village_households // per_cadre)
    first_cadre = np.concatenate([[0], np.cumsum(cadres_per_village)[:-1]])
    cadre_of = first_cadre[households.village] + (serial - 1) // per_cadre
    count = int(cadres_per_village.sum())
    cadre_village = np.repeat(np.arange(geography.villages.size), cadres_per_village)

    male = rng.random(count) < settings["male_share"]
    birth_year = reference_year - uniform_int(rng, settings["age"], count)
    cadre_names = make_names(rng, names, male=male, birth_year=birth_year)
    templates = list(settings["units"])
    unit_p = np.array(list(settings["units"].values()), dtype=float)
    unit = draw(rng, count, unit_p / unit_p.sum())
    prefixes = np.array(settings["phone_prefixes"], dtype=object)
    prefix = prefixes[(rng.random(count) * prefixes.size).astype(np.int64)]
    number = rng.integers(0, 10**8, size=count)
    county_of = geography.village_county[cadre_village]
    units = [
        templates[t].format(
            county=geography.county_names[c],
            township=geography.village_townships[v],
            helper=geography.county_helpers[c],
        )
        for t, c, v in zip(unit.tolist(), county_of.tolist(), cadre_village.tolist(), strict=True)
    ]
    phones = [f"{p}{d:08d}" for p, d in zip(prefix.tolist(), number.tolist(), strict=True)]
    units_array = np.array(units, dtype=object)
    phones_array = np.array(phones, dtype=object)
    return {
        "responsible_name": cadre_names[cadre_of].tolist(),
        "responsible_unit": units_array[cadre_of].tolist(),
        "responsible_phone": phones_array[cadre_of].tolist(),
    }


# --- members -------------------------------------------------------------------------------
