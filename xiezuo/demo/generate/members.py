"""Members: relations consistent with the householder, ages, schooling, health, work, IDs."""

from typing import Any

import numpy as np

from xiezuo.core import codelists
from xiezuo.core.errors import XiezuoError
from xiezuo.core.ids import make_id, make_ids
from xiezuo.demo.generate.columns import (
    CHILD,
    DIBAO,
    GRANDCHILD,
    IN_LAW,
    MAX_PER_BIRTH_GROUP,
    PARENT,
    RELATIVE_ROLES,
    SELF,
    SPOUSE,
    TYPE_NAMES,
    Geography,
    Households,
    Members,
)
from xiezuo.demo.generate.draw import (
    draw,
    draw_rows,
    index_of,
    labels_of,
    make_names,
    table,
    uniform_int,
)
from xiezuo.demo.profile import Names, label


def make_members(
    rng: np.random.Generator,
    households: Households,
    geography: Geography,
    profile: dict[str, Any],
    names: Names,
    *,
    reference_year: int,
    taken_ids: frozenset[str] = frozenset(),
) -> Members:
    """Draw every member; fill the householder's name and ID number into the household columns.

    `taken_ids` are ID numbers already in the registry: none is generated again.
    """
    size = households.size
    m = int(size.sum())
    household = np.repeat(np.arange(households.count), size)
    first = np.concatenate([[0], np.cumsum(size)[:-1]])
    slot = np.arange(m) - first[household]
    n_of = size[household]
    head_age = households.head_age[household]
    head_male = households.head_male[household]

    role = _roles(rng, households, profile["relatives"], household, slot, n_of)
    male, relation = _sex_and_relation(rng, profile["relatives"], role, slot, n_of, head_male)
    age = _ages(rng, profile["relatives"], role, head_age, households, household)
    birth = _birth_dates(rng, reference_year - age)
    birth_year = reference_year - age

    columns: dict[str, list[Any]] = {}
    columns["name"] = _member_names(rng, names, households, household, role, male, birth_year)
    ethnicity = _ethnicity(rng, profile["ethnicity"], geography, households, household, role)
    education, schooling, student = _schooling(rng, profile["education"], age)
    health = _health(rng, profile["health"], households, age, first)
    skill = _labour(rng, profile["labour"], age, health, student)
    location, months = _work(rng, profile["work"], age, skill, profile["labour"]["working_age"])

    insurance = profile["insurance"]
    medical = rng.random(m) < insurance["medical"]
    critical = medical & (rng.random(m) < insurance["critical_illness"])
    pension = (age >= 16) & ~student & (rng.random(m) < insurance["pension"])
    dibao = (households.base_attribute[household] == DIBAO) & (
        rng.random(m) < insurance["dibao_member_share"]
    )

    county_codes = np.array([int(c) for c in geography.counties], dtype=np.int64)
    ids = id_numbers(rng, county_codes[households.county[household]], birth, male, taken_ids)
    heads = first
    households.columns["householder_name"] = [columns["name"][i] for i in heads.tolist()]
    households.columns["householder_id_number"] = [ids[i] for i in heads.tolist()]

    columns |= {
        "id_number": ids,
        "sex": np.where(male, label("sex", "男"), label("sex", "女")).tolist(),
        "birth_date": np.datetime_as_string(birth, unit="D").tolist(),
        "relation": relation.tolist(),
        "ethnicity": ethnicity.tolist(),
        "education": education.tolist(),
        "schooling": schooling.tolist(),
        "health": labels_of("health")[health].tolist(),
        "labour_skill": labels_of("labour_skill")[skill].tolist(),
        "work_location": location.tolist(),
        "months_worked": months.tolist(),
        "medical_insurance": medical.tolist(),
        "critical_illness_insurance": critical.tolist(),
        "pension": pension.tolist(),
        "dibao": dibao.tolist(),
    }
    return Members(
        count=m,
        household=household,
        age=age,
        male=male,
        elderly=age >= 60,
        months_worked=months,
        columns=columns,
    )


def _roles(
    rng: np.random.Generator,
    households: Households,
    relatives: dict[str, Any],
    household: np.ndarray,
    slot: np.ndarray,
    n_of: np.ndarray,
) -> np.ndarray:
    roles = ("child", "in_law", "grandchild", "parent")
    p = np.array([[float(relatives[t].get(r, 0.0)) for r in roles] for t in TYPE_NAMES])
    p = p / p.sum(axis=1, keepdims=True)
    drawn = np.array([RELATIVE_ROLES[r] for r in roles])[
        draw_rows(rng, households.kind[household], p)
    ]
    # Parents take only the last two places, so a household holds at most two of them.
    drawn = np.where((drawn == PARENT) & (slot < n_of - 2), CHILD, drawn)
    spouse = (slot == 1) & households.has_spouse[household]
    return np.where(slot == 0, SELF, np.where(spouse, SPOUSE, drawn))


def _sex_and_relation(
    rng: np.random.Generator,
    relatives: dict[str, Any],
    role: np.ndarray,
    slot: np.ndarray,
    n_of: np.ndarray,
    head_male: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    m = role.size
    u = rng.random(m)
    child_male = u < relatives["son_share"]
    in_law_male = u >= relatives["daughter_in_law_share"]
    # Parents hold the last two places: two of them are 之父 then 之母; one alone is drawn.
    previous_is_parent = np.concatenate([[False], role[:-1] == PARENT]) & (slot > 0)
    next_is_parent = np.concatenate([role[1:] == PARENT, [False]]) & (slot < n_of - 1)
    parent_male = np.where(
        next_is_parent,
        True,
        np.where(previous_is_parent, False, u < relatives["lone_parent_father_share"]),
    )
    male = np.select(
        [role == SELF, role == SPOUSE, role == IN_LAW, role == PARENT],
        [head_male, ~head_male, in_law_male, parent_male],
        default=child_male,
    )
    # Grandchildren through a daughter: 外孙子, 外孙女.
    maternal = rng.random(m) < relatives["maternal_grandchild_share"]
    relation = np.select(
        [
            role == SELF,
            role == SPOUSE,
            (role == CHILD) & male,
            role == CHILD,
            (role == IN_LAW) & ~male,
            role == IN_LAW,
            (role == GRANDCHILD) & male & ~maternal,
            (role == GRANDCHILD) & ~maternal,
            (role == GRANDCHILD) & male,
            role == GRANDCHILD,
            (role == PARENT) & male,
        ],
        [
            label("relation", text)
            for text in (
                "本人",
                "配偶",
                "之子",
                "之女",
                "之儿媳",
                "之女婿",
                "之孙子",
                "之孙女",
                "之外孙子",
                "之外孙女",
                "之父",
            )
        ],
        default=label("relation", "之母"),
    ).astype(object)
    return male, relation


def _ages(
    rng: np.random.Generator,
    relatives: dict[str, Any],
    role: np.ndarray,
    head_age: np.ndarray,
    households: Households,
    household: np.ndarray,
) -> np.ndarray:
    m = role.size
    spouse = np.clip(head_age + np.rint(rng.normal(0, relatives["spouse_age_sd"], m)), 18, 99)
    child = head_age - uniform_int(rng, relatives["child_gap"], m)
    child = np.where(child < 0, rng.integers(0, 6, m), child)
    # A household poor through schooling has its children of school age.
    schooling = (households.cause_mask[household] >> index_of("poverty_cause", "因学")) & 1 == 1
    child = np.where(schooling, np.clip(child, 6, 21), child)
    in_law = np.clip(head_age - uniform_int(rng, relatives["child_gap"], m), 18, 99)
    grandchild = head_age - uniform_int(rng, relatives["grandchild_gap"], m)
    grandchild = np.where(grandchild < 0, rng.integers(0, 9, m), grandchild)
    parent = np.clip(head_age + uniform_int(rng, relatives["parent_gap"], m), 0, 99)
    return np.select(
        [role == SELF, role == SPOUSE, role == CHILD, role == IN_LAW, role == GRANDCHILD],
        [head_age, spouse, child, in_law, grandchild],
        default=parent,
    ).astype(np.int64)


def _birth_dates(rng: np.random.Generator, birth_year: np.ndarray) -> np.ndarray:
    """Return a uniformly drawn date inside each birth year."""
    start = (birth_year - 1970).astype("datetime64[Y]").astype("datetime64[D]")
    end = (birth_year - 1969).astype("datetime64[Y]").astype("datetime64[D]")
    days = (end - start).astype(np.int64)
    return start + (rng.random(birth_year.size) * days).astype(np.int64)


def _member_names(
    rng: np.random.Generator,
    names: Names,
    households: Households,
    household: np.ndarray,
    role: np.ndarray,
    male: np.ndarray,
    birth_year: np.ndarray,
) -> list[str]:
    """Return names: children carry the family surname, spouses and in-laws their own."""
    p = names.surname_weights / names.surname_weights.sum()
    n = households.count
    head_surname = draw(rng, n, p)
    # The husband's surname: the householder's if he is the householder.
    family = np.where(households.head_male, head_surname, draw(rng, n, p))
    own = draw(rng, role.size, p)
    head_male = households.head_male[household]
    surname = np.select(
        [
            role == SELF,
            (role == SPOUSE) & ~head_male,
            role == CHILD,
            role == GRANDCHILD,
            (role == PARENT) & male,
        ],
        [
            head_surname[household],
            family[household],
            family[household],
            family[household],
            head_surname[household],
        ],
        default=own,
    )
    return make_names(rng, names, male=male, birth_year=birth_year, surnames=surname).tolist()


def _ethnicity(
    rng: np.random.Generator,
    settings: dict[str, Any],
    geography: Geography,
    households: Households,
    household: np.ndarray,
    role: np.ndarray,
) -> np.ndarray:
    labels = codelists.labels("ethnicity")
    by_region = settings["by_region"]
    tables = []
    for code in geography.counties:
        match = max((p for p in by_region if code.startswith(p)), key=len, default=None)
        tables.append(table(by_region[match] if match else settings["default"], labels))
    p = np.array(tables)
    of_household = draw_rows(rng, households.county, p)
    own = draw_rows(rng, households.county[household], p)
    outsider = ((role == SPOUSE) | (role == IN_LAW)) & (
        rng.random(role.size) < settings["outsider_spouse_share"]
    )
    return labels_of("ethnicity")[np.where(outsider, own, of_household[household])]


def _schooling(
    rng: np.random.Generator, settings: dict[str, Any], age: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Return 文化程度, 在校生状况 and whether the person is in school, by age."""
    m = age.size
    education_labels = codelists.labels("education")
    schooling_labels = labels_of("schooling")
    bands = ("young", "adult", "middle_aged", "elderly")
    p = np.array([table(settings[band], education_labels) for band in bands])
    band = np.select([age <= 22, age <= 44, age <= 59], [0, 1, 2], default=3)
    education = draw_rows(rng, band, p)

    def school(text: str) -> int:
        return index_of("schooling", text)

    def level(text: str) -> int:
        return index_of("education", text)

    upper = np.array([school(t) for t in settings["upper_secondary"]])[
        draw(rng, m, table(settings["upper_secondary"], tuple(settings["upper_secondary"])))
    ]
    tertiary = np.array([school(t) for t in settings["tertiary"]])[
        draw(rng, m, table(settings["tertiary"], tuple(settings["tertiary"])))
    ]
    u = rng.random(m)
    in_upper = (age >= 15) & (age <= 17) & (u < settings["in_school_15_17"])
    in_tertiary = (age >= 18) & (age <= 22) & (u < settings["in_school_18_22"])
    preschool_age = age < 6
    schooling = np.select(
        [
            preschool_age & (age >= settings["preschool_from"]),
            preschool_age,
            age <= 11,
            age <= 14,
            in_upper,
            in_tertiary,
        ],
        [school("学前教育"), school("非在校生"), school("小学"), school("初中"), upper, tertiary],
        default=school("非在校生"),
    )
    education = np.select(
        [preschool_age, age <= 11, age <= 14, in_upper, in_tertiary, age <= 17],
        [
            level("学龄前儿童"),
            level("小学"),
            level("初中"),
            level("高中"),
            level("大专及以上"),
            level("初中"),
        ],
        default=education,
    )
    student = schooling != school("非在校生")
    return labels_of("education")[education], schooling_labels[schooling], student


def _health(
    rng: np.random.Generator,
    settings: dict[str, Any],
    households: Households,
    age: np.ndarray,
    first: np.ndarray,
) -> np.ndarray:
    """Return health indices: by age, then a sick or disabled member where the causes say so.

    A single person poor through both illness and disability shows the main cause.
    """
    labels = codelists.labels("health")
    p = np.array([table(settings[band], labels) for band in ("child", "adult", "elderly")])
    band = np.select([age < 16, age < 60], [0, 1], default=2)
    health = draw_rows(rng, band, p)

    n = households.count
    size = households.size
    ill = (households.cause_mask >> index_of("poverty_cause", "因病")) & 1 == 1
    disabled = (households.cause_mask >> index_of("poverty_cause", "因残")) & 1 == 1
    ill_slot = (rng.random(n) * np.minimum(size, 2)).astype(np.int64)
    serious = rng.random(n) < settings["serious_share"]
    ill_health = np.where(serious, index_of("health", "患有大病"), index_of("health", "长期慢性病"))
    disabled_slot = (rng.random(n) * size).astype(np.int64)
    clash = ill & (disabled_slot == ill_slot) & (size > 1)
    disabled_slot = np.where(clash, (disabled_slot + 1) % size, disabled_slot)
    ill_first = households.main_cause != index_of("poverty_cause", "因病")
    health[(first + ill_slot)[ill & ill_first]] = ill_health[ill & ill_first]
    health[(first + disabled_slot)[disabled]] = index_of("health", "残疾")
    health[(first + ill_slot)[ill & ~ill_first]] = ill_health[ill & ~ill_first]
    return health


def _labour(
    rng: np.random.Generator,
    settings: dict[str, Any],
    age: np.ndarray,
    health: np.ndarray,
    student: np.ndarray,
) -> np.ndarray:
    """Return labour-skill indices by age, schooling and health."""
    labels = codelists.labels("labour_skill")
    groups = ("healthy", "chronic", "severe", "elderly")
    p = np.array([table(settings[g], labels) for g in groups])
    low, high = settings["working_age"]
    severe = (health == index_of("health", "患有大病")) | (health == index_of("health", "残疾"))
    group = np.select(
        [severe, age > high, health == index_of("health", "长期慢性病")], [2, 3, 1], default=0
    )
    skill = draw_rows(rng, group, p)
    return np.select(
        [age < low, student, age >= settings["oldest_from"]],
        [
            index_of("labour_skill", "无劳动力"),
            index_of("labour_skill", "无劳动力"),
            index_of("labour_skill", "丧失劳动力"),
        ],
        default=skill,
    )


def _work(
    rng: np.random.Generator,
    settings: dict[str, Any],
    age: np.ndarray,
    skill: np.ndarray,
    working_age: list[int],
) -> tuple[np.ndarray, np.ndarray]:
    """Return work location labels ('' when not working) and months worked."""
    m = age.size
    skills = codelists.labels("labour_skill")
    share = np.array([float(settings["share_working"].get(s, 0.0)) for s in skills])
    of_age = (age >= working_age[0]) & (age <= working_age[1])
    working = of_age & (rng.random(m) < share[skill])
    locations = codelists.labels("work_location")
    weak = skill == index_of("labour_skill", "弱劳动力或半劳动力")
    location = np.where(
        weak,
        draw(rng, m, table(settings["weak"], locations)),
        draw(rng, m, table(settings["able"], locations)),
    )
    local = location == index_of("work_location", "乡镇内")
    months = np.select(
        [weak, local],
        [
            uniform_int(rng, settings["months_weak"], m),
            uniform_int(rng, settings["months_local"], m),
        ],
        default=uniform_int(rng, settings["months_away"], m),
    )
    texts = np.where(working, labels_of("work_location")[location], "")
    return texts.astype(object), np.where(working, months, 0)


def id_numbers(
    rng: np.random.Generator,
    county_codes: np.ndarray,
    birth: np.ndarray,
    male: np.ndarray,
    taken: frozenset[str],
) -> list[str]:
    """Return valid, distinct ID numbers: region = county, birth date, sequence odd for men.

    Members sharing a county, birth date and sex are ranked; rank r gets the sequence
    (base + 2r) mod 1000 (+1 for men), base being an even number drawn per group, so no two
    can collide while a group holds fewer than 500 people. Numbers in `taken` are skipped.
    """
    m = county_codes.size
    days = (birth - np.datetime64("1900-01-01")).astype(np.int64)
    key = (county_codes * 100_000 + days) * 2 + male
    order = np.argsort(key, kind="stable")
    sorted_key = key[order]
    starts = np.concatenate([[True], sorted_key[1:] != sorted_key[:-1]]) if m else np.array([])
    group_sorted = np.cumsum(starts) - 1
    first_of_group = np.flatnonzero(starts)
    rank = np.empty(m, dtype=np.int64)
    rank[order] = np.arange(m) - first_of_group[group_sorted]
    if m and rank.max() >= MAX_PER_BIRTH_GROUP:
        raise XiezuoError("同县同日出生的同性别人数过多，无法分配不重复的身份证顺序码")
    base = 2 * rng.integers(1, 500, size=first_of_group.size)
    group = np.empty(m, dtype=np.int64)
    group[order] = group_sorted
    sequence = (base[group] + 2 * rank) % 1000 + male
    ids = make_ids(county_codes, birth, sequence)
    if taken:
        _avoid(ids, taken, county_codes, birth, sequence)
    return ids


def _avoid(
    ids: list[str],
    taken: frozenset[str],
    county_codes: np.ndarray,
    birth: np.ndarray,
    sequence: np.ndarray,
) -> None:
    """Move any ID number already in the registry to a free sequence of the same sex."""
    used = set(ids) | taken
    for i in [i for i, number in enumerate(ids) if number in taken]:
        region, born = str(county_codes[i]), birth[i].astype(object)
        for step in range(1, 500):
            candidate = make_id(region, born, int((sequence[i] + 2 * step) % 1000))
            if candidate not in used:
                ids[i] = candidate
                used.add(candidate)
                break
        else:
            raise XiezuoError("无法为演示成员分配不重复的身份证号码")


# --- incomes, history, population ---------------------------------------------------------
