"""Precision work and monitoring: measures by cause, the five assurances, risk clues, what the
monitoring board recorded, and the counties' exit checks.

Households are indexed over the registered ones (0…n-1) followed by the monitored ones
(n…n+m-1), members likewise; the caller turns indexes into ids. Which measure categories answer
a cause and the monitoring threshold come from the programme's rules (`xiezuo.precision.rules`).
"""

from dataclasses import dataclass
from typing import Any

import numpy as np

from xiezuo.core import codelists
from xiezuo.demo.generate.columns import DIBAO, TEKUN, Geography, Households, Members
from xiezuo.demo.generate.draw import draw, draw_rows, labels_of, pick_top, table, uniform
from xiezuo.demo.generate.monitored import Monitored
from xiezuo.demo.profile import label

NO_LONGER_IN_POLICY = "已脱贫(不再享受政策)"
FIVE = ("food_clothing", "education", "medical", "housing", "water")
# Who receives a member-level measure (`level` of data/precision.toml).
LEVELS = ("working", "student", "sick", "disabled")


@dataclass(frozen=True)
class Register:
    """What precision work draws on: the registered and monitored households, their members
    and net incomes, in one index space (registered first)."""

    households: Households
    members: Members
    monitored: Monitored
    geography: Geography
    net: np.ndarray  # registered household × `income_years`
    income_years: np.ndarray
    years: list[int]  # the programme years
    cause_measures: dict[str, tuple[str, ...]]  # answering the cause in every programme year
    threshold: float  # monitoring threshold of the last year, yuan per person

    @property
    def n(self) -> int:
        return self.households.count

    @property
    def total(self) -> int:
        return self.households.count + self.monitored.count

    @property
    def last_year(self) -> int:
        return self.years[-1]

    def net_of(self, year: int) -> np.ndarray:
        """Return the net income of `year` of every household (registered, then monitored)."""
        registered = self.net[:, int(np.flatnonzero(self.income_years == year)[0])]
        monitored = self.monitored.net[:, int(np.flatnonzero(self.monitored.years == year)[0])]
        return np.concatenate([registered, monitored])

    @property
    def size(self) -> np.ndarray:
        return np.concatenate([self.households.size, self.monitored.households.size])

    @property
    def village(self) -> np.ndarray:
        return np.concatenate([self.households.village, self.monitored.households.village])


# --- measures ------------------------------------------------------------------------------


@dataclass
class MeasureDraw:
    """Measures drawn for the registered households, before their columns are made."""

    household: np.ndarray
    category: np.ndarray  # index into the measure_category code list
    start: np.ndarray  # datetime64[D]
    end: np.ndarray  # datetime64[D], NaT: still running
    gap_households: np.ndarray

    def plus(self, other: dict[str, np.ndarray]) -> "MeasureDraw":
        """Return these measures followed by `other` (household, category, start, end)."""
        return MeasureDraw(
            household=np.concatenate([self.household, other["household"]]),
            category=np.concatenate([self.category, other["category"]]),
            start=np.concatenate([self.start, other["start"]]),
            end=np.concatenate([self.end, other["end"]]),
            gap_households=self.gap_households,
        )


def make_measures(
    rng: np.random.Generator, register: Register, settings: dict[str, Any]
) -> MeasureDraw:
    """Return the measures of the registered households and the gap households.

    Every household under policy holds a measure answering its main cause from its
    identification on, but for the gap households, whose measure pauses over one programme
    year; households no longer under policy had theirs end in their exit year. Some households
    also hold a measure answering another cause (never one of the main cause's categories).
    """
    households = register.households
    n = register.n
    categories = codelists.labels("measure_category")
    causes = codelists.labels("poverty_cause")
    first_year, last_year = register.years[0], register.last_year
    status = np.array(households.columns["status"], dtype=object)
    in_policy = status != NO_LONGER_IN_POLICY
    identified = households.identified_year

    # The main measure: a category answering the main cause, welfare where the household has it.
    p_main = np.zeros((len(causes) * 3, len(categories)))
    for c, cause in enumerate(causes):
        if cause == "其他":
            weights = table(settings["other_cause"], tuple(categories))
        else:
            weights = table({k: 1.0 for k in register.cause_measures[cause]}, tuple(categories))
        for base in range(3):
            row = weights.copy()
            row[categories.index("特困供养")] *= 6.0 if base == TEKUN else 0.0
            row[categories.index("低保")] *= 4.0 if base == DIBAO else 1.0
            p_main[c * 3 + base] = row if row.sum() > 0 else weights
    main_category = draw_rows(rng, households.main_cause * 3 + households.base_attribute, p_main)

    start_year = np.minimum(
        identified + rng.integers(0, settings["start_within_years"], n),
        np.maximum(identified, first_year),
    )
    start = _day_in_year(rng, start_year)
    end = _open_or_later(rng, settings, n)
    exit_end = _day_before_year_end(rng, households.exit_year, 60)
    end = np.where(in_policy, end, np.maximum(exit_end, start))

    gap = pick_top(rng, in_policy.astype(float), _at_least_one(settings["gap_share"] * n, n))
    gap_years = np.array([int(y) for y in settings["gap_years"]])
    gap_year = gap_years[draw(rng, n, table(settings["gap_years"], tuple(settings["gap_years"])))]
    gap_year = np.where(gap_year < identified, last_year, gap_year)
    before = gap & (gap_year > identified)
    after = gap & (gap_year < last_year)
    start_before = np.minimum(start, _year_start(gap_year - 1))
    end_before = np.maximum(_day_before_year_end(rng, gap_year - 1, 90), start_before)
    start_after = _year_start(gap_year + 1) + rng.integers(0, 60, n)

    main_rows = [
        (np.flatnonzero(~gap), start[~gap], end[~gap]),
        (np.flatnonzero(before), start_before[before], end_before[before]),
        (np.flatnonzero(after), start_after[after], end[after]),
    ]
    household = np.concatenate([rows for rows, _, _ in main_rows])
    category = main_category[household]
    starts = np.concatenate([s for _, s, _ in main_rows])
    ends = np.concatenate([e for _, _, e in main_rows])

    # Measures answering another cause (never the main one's categories).
    extra_household, extra_category = _extra(rng, register, settings)
    extra_year = np.maximum(identified[extra_household], first_year)
    extra_year = extra_year + (
        rng.random(extra_household.size) * (last_year - extra_year + 1)
    ).astype(np.int64)
    extra_start = _day_in_year(rng, extra_year)
    one_year = rng.random(extra_household.size) < settings["extra_one_year_share"]
    extra_end = np.where(
        one_year,
        extra_start + rng.integers(1, 180, extra_household.size),
        _open_or_later(rng, settings, extra_household.size),
    )
    policy_over = ~in_policy[extra_household]
    extra_start = np.where(
        policy_over, np.minimum(extra_start, exit_end[extra_household]), extra_start
    )
    extra_end = np.where(policy_over, np.maximum(exit_end[extra_household], extra_start), extra_end)
    return MeasureDraw(
        household=np.concatenate([household, extra_household]),
        category=np.concatenate([category, extra_category]),
        start=np.concatenate([starts, extra_start]),
        end=np.concatenate([ends, extra_end]),
        gap_households=np.flatnonzero(gap),
    )


def _extra(
    rng: np.random.Generator, register: Register, settings: dict[str, Any]
) -> tuple[np.ndarray, np.ndarray]:
    """Return (household, category) of measures answering one of a household's other causes."""
    households = register.households
    categories = codelists.labels("measure_category")
    causes = codelists.labels("poverty_cause")
    n = register.n
    bits = (households.cause_mask[:, None] >> np.arange(len(causes))[None, :]) & 1 == 1
    bits[np.arange(n), households.main_cause] = False
    has_other = bits.any(axis=1)
    priority = np.where(bits, rng.random(bits.shape), -1.0)
    other = priority.argmax(axis=1)
    welfare = {"低保", "特困供养"}
    p = np.zeros((len(causes) * len(causes), len(categories)))
    for m, main in enumerate(causes):
        answered = set(register.cause_measures.get(main, ())) | welfare
        if main == "其他":
            continue
        for o, cause in enumerate(causes):
            wanted = [c for c in register.cause_measures.get(cause, ()) if c not in answered]
            if cause == "其他":
                wanted = [c for c in settings["other_cause"] if c not in answered]
            for text in wanted:
                p[m * len(causes) + o, categories.index(text)] = 1.0
    group = households.main_cause * len(causes) + other
    possible = p.sum(axis=1) > 0
    take = has_other & possible[group] & (rng.random(n) < settings["extra_share"])
    p[~possible, 0] = 1.0  # rows never drawn from
    drawn = draw_rows(rng, group, p)
    return np.flatnonzero(take), drawn[take]


def measure_columns(
    rng: np.random.Generator, register: Register, settings: dict[str, Any], drawn: MeasureDraw
) -> dict[str, Any]:
    """Return the measure columns (household indexes apart): the member who receives each,
    amount and unit; a row whose natural key (household, member, category, start) repeats
    an earlier one is dropped."""
    household, category, starts, ends = drawn.household, drawn.category, drawn.start, drawn.end
    categories = codelists.labels("measure_category")
    info = [settings["categories"][c] for c in categories]
    level_of = np.array([LEVELS.index(i["level"]) + 1 if i["level"] in LEVELS else 0 for i in info])
    chosen = _chosen_members(rng, register)  # (levels + 1) × households: member index or -1
    member = chosen[level_of[category], household]

    # One integer per natural key: who (the member, else the household after every member),
    # category (< 2^5) and start (days since 1970, < 2^17).
    people = register.members.count + register.monitored.members.count
    who = np.where(member >= 0, member, people + household)
    key = (who << 22) | (category << 17) | starts.astype(np.int64)
    _, first = np.unique(key, return_index=True)
    keep = np.sort(first)
    household, member, category = household[keep], member[keep], category[keep]
    starts, ends = starts[keep], ends[keep]

    low = np.array([i.get("amount", [0, 0])[0] for i in info], dtype=float)
    high = np.array([i.get("amount", [0, 0])[1] for i in info], dtype=float)
    step = np.array([i.get("step", 1) for i in info], dtype=float)
    raw = low[category] + rng.random(household.size) * (high[category] - low[category])
    amount = np.round(np.round(raw / step[category]) * step[category], 2)
    has_amount = np.array(["amount" in i for i in info])[category]
    amounts = amount.astype(object)
    amounts[~has_amount] = None

    ids = np.array(
        register.members.columns["id_number"] + register.monitored.members.columns["id_number"],
        dtype=object,
    )
    id_number = np.where(member >= 0, ids[np.maximum(member, 0)], "")
    geography = register.geography
    village = register.village[household]
    templates = [i["unit"] for i in info]
    combo = category * geography.villages.size + village
    unique, inverse = np.unique(combo, return_inverse=True)
    units = np.array(
        [
            templates[u // geography.villages.size].format(
                county=geography.county_names[
                    geography.village_county[u % geography.villages.size]
                ],
                township=geography.village_townships[u % geography.villages.size],
            )
            for u in unique.tolist()
        ],
        dtype=object,
    )
    end_text = np.datetime_as_string(ends, unit="D").astype(object)
    end_text[np.isnat(ends)] = None
    return {
        "household": household,
        "id_number": id_number.tolist(),
        "category": labels_of("measure_category")[category].tolist(),
        "start_date": np.datetime_as_string(starts, unit="D").tolist(),
        "end_date": end_text.tolist(),
        "amount": amounts.tolist(),
        "unit": units[inverse].tolist(),
    }


def _chosen_members(rng: np.random.Generator, register: Register) -> np.ndarray:
    """Return, per level (0: the household, then `LEVELS`) and household, the member who
    receives a measure of that level (-1 for the household level)."""
    columns = [register.members.columns, register.monitored.members.columns]
    household = np.concatenate(
        [register.members.household, register.monitored.members.household + register.n]
    )
    age = np.concatenate([register.members.age, register.monitored.members.age])
    health = np.array(columns[0]["health"] + columns[1]["health"], dtype=object)
    schooling = np.array(columns[0]["schooling"] + columns[1]["schooling"], dtype=object)
    skill = np.array(columns[0]["labour_skill"] + columns[1]["labour_skill"], dtype=object)
    sick = (health == label("health", "长期慢性病")) | (health == label("health", "患有大病"))
    disabled = health == label("health", "残疾")
    student = (schooling != label("schooling", "非在校生")) & (
        schooling != label("schooling", "学前教育")
    )
    able = (
        (age >= 16)
        & (age <= 64)
        & (skill != label("labour_skill", "无劳动力"))
        & (skill != label("labour_skill", "丧失劳动力"))
    )
    fits = {
        "working": able * 2 + (age >= 16),
        "student": student * 2 + (age < 16),
        "sick": sick * 2 + (age >= 16),
        "disabled": disabled * 4 + sick * 2 + (age >= 16),
    }
    # Members are stored household by household: the best fit of each household, ties broken
    # at random, is the maximum of its contiguous run.
    starts = np.flatnonzero(np.concatenate([[True], household[1:] != household[:-1]]))
    chosen = np.full((len(LEVELS) + 1, register.total), -1, dtype=np.int64)
    for i, level in enumerate(LEVELS, start=1):
        score = fits[level] + rng.random(household.size)
        best = np.maximum.reduceat(score, starts)
        hit = np.flatnonzero(score == np.repeat(best, np.diff(np.append(starts, household.size))))
        first = hit[np.concatenate([[True], household[hit][1:] != household[hit][:-1]])]
        chosen[i, household[first]] = first
    return chosen


# --- the five assurances -------------------------------------------------------------------


def make_assurances(
    rng: np.random.Generator, register: Register, settings: dict[str, Any]
) -> tuple[dict[str, Any], np.ndarray]:
    """Return assurance columns (household indexes apart) and, per household, whether all
    five hold in the last year.

    Registered households have a row per programme year from their identification, monitored
    ones one for the last year. Exits pass, but for the wrong exits; households poor at the
    end of a year fail now and then, on housing where the house is dangerous, on water where
    it is unsafe.
    """
    households = register.households
    n, years = register.n, np.array(register.years)
    identified, exit_year = households.identified_year, households.exit_year
    fallback = households.fallback_year
    rows = np.nonzero(years[None, :] >= identified[:, None])
    household, year = rows[0], years[rows[1]]
    h_exit, h_fall = exit_year[household], fallback[household]
    poor = (h_exit == 0) | (h_exit > year) | ((h_fall > 0) & (h_fall <= year))
    r = household.size
    fails = settings["poor_fails"]
    met = {name: ~(poor & (rng.random(r) < fails[name])) for name in FIVE}
    house = np.array(households.columns["dangerous_house"], dtype=object)[household]
    water = np.array(households.columns["safe_water"], dtype=bool)[household]
    met["housing"] &= ~(poor & (house != label("dangerous_house", "否")))
    met["water"] &= ~(poor & ~water)

    exits = np.isin(exit_year, years)
    wrong = pick_top(
        rng,
        exits.astype(float),
        _at_least_one(settings["wrong_exit_share"] * exits.sum(), int(exits.sum())),
    )
    which = np.array(list(settings["wrong_exit_fails"]))[
        draw(rng, n, table(settings["wrong_exit_fails"], tuple(settings["wrong_exit_fails"])))
    ]
    exit_row = wrong[household] & (year == h_exit)
    for name in FIVE:
        met[name] &= ~(exit_row & (which[household] == name))

    m = register.monitored.count
    watched = {name: rng.random(m) >= fails[name] for name in FIVE}
    recovered = register.monitored.recovered
    for name in FIVE:
        watched[name] |= recovered
    columns: dict[str, Any] = {
        "household": np.concatenate([household, np.arange(n, n + m)]),
        "year": np.concatenate([year, np.full(m, register.last_year)]).tolist(),
    }
    for name in FIVE:
        columns[name] = np.concatenate([met[name], watched[name]]).tolist()
    last = np.zeros(register.total, dtype=bool)
    at_last = year == register.last_year
    all_met = np.logical_and.reduce([met[name] for name in FIVE])
    last[household[at_last]] = all_met[at_last]
    last[n:] = np.logical_and.reduce([watched[name] for name in FIVE])
    return columns, last


# --- risk clues ----------------------------------------------------------------------------


def make_clues(
    rng: np.random.Generator,
    register: Register,
    settings: dict[str, Any],
    *,
    scale: float,
    gap_households: np.ndarray,
) -> dict[str, Any]:
    """Return the clues of the last year: on registered households (mostly exited ones, none
    of the gap households) and on every sudden monitored household, whose rigid spending
    beats its net income of the year before.

    Columns hold household indexes and dates as datetime64; `first` marks each household's
    first clue.
    """
    households = register.households
    n, last_year = register.n, register.last_year
    exited = (households.exit_year > 0) & ~households.poor_at_end
    eligible = np.ones(n, dtype=bool)
    eligible[gap_households] = False
    count = _at_least_one(settings["registered"] * scale, n)
    on_exited = round(count * settings["exited_share"])
    chosen = pick_top(rng, (exited & eligible).astype(float), on_exited)
    chosen |= pick_top(rng, (~exited & eligible).astype(float), count - on_exited)
    registered = np.flatnonzero(chosen)
    monitored = np.flatnonzero(register.monitored.sudden) + n
    household = np.concatenate([registered, monitored])
    k = household.size

    low, high = (np.datetime64(d, "D") for d in settings["window"])
    span = int((high - low).astype(np.int64))
    found = low + rng.integers(0, span + 1, k)
    before = register.net_of(last_year - 1)[household]
    beyond = np.concatenate(
        [
            rng.random(registered.size) < settings["rigid_beyond_share"],
            np.ones(monitored.size, bool),
        ]
    )
    some = ~beyond & (rng.random(k) < settings["rigid_some_share"])
    rigid = np.select(
        [beyond, some],
        [
            before * uniform(rng, settings["rigid_beyond"], k),
            before * uniform(rng, settings["rigid_some"], k),
        ],
        default=np.nan,
    )
    rigid = np.round(rigid, -1)

    second = rng.random(k) < settings["second_share"]
    second_found = found + rng.integers(10, 91, k)
    second &= second_found <= high
    household = np.concatenate([household, household[second]])
    found = np.concatenate([found, second_found[second]])
    rigid = np.concatenate([rigid, np.full(int(second.sum()), np.nan)])
    first = np.concatenate([np.ones(k, bool), np.zeros(int(second.sum()), bool)])
    total = household.size
    sources = tuple(settings["sources"])
    categories = tuple(settings["categories"])
    source = np.array(sources, dtype=object)[draw(rng, total, table(settings["sources"], sources))]
    category = np.array(categories, dtype=object)[
        draw(rng, total, table(settings["categories"], categories))
    ]
    notes = np.array([settings["notes"][c] for c in categories], dtype=object)
    order = np.lexsort((found, household))
    return {
        "household": household[order],
        "found_on": found[order],
        "source": source[order],
        "category": category[order],
        "rigid_spending": rigid[order],
        "note": notes[[categories.index(c) for c in category[order]]] if total else notes[:0],
        "first": first[order],
    }


# --- what the monitoring board recorded ----------------------------------------------------


def make_cases(
    rng: np.random.Generator,
    register: Register,
    clues: dict[str, Any],
    settings: dict[str, Any],
    clue_settings: dict[str, Any],
    monitored_settings: dict[str, Any],
    *,
    assurance_ok: np.ndarray,
    gap_households: np.ndarray,
) -> tuple[dict[str, Any], dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Return the monitoring board's rows of the last year, the measures the cases received
    and the monitored households' watch (inclusion, end of watch; NaT for none).

    Cases with a clue are confirmed within the deadline mostly; a monitored household's
    inclusion is its confirmation. Exited households under the threshold without a clue are
    confirmed now and then too. Confirmed cases get a village notice and a measure, mostly in
    time; cases whose income of the year is above the threshold and whose five assurances
    hold have their risk eliminated, some of them.
    """
    n, m, last_year = register.n, register.monitored.count, register.last_year
    year_end = np.datetime64(f"{last_year}-12-31", "D")
    first = clues["first"]
    per_capita = register.net_of(last_year) / register.size
    households = register.households
    exited = np.concatenate(
        [(households.exit_year > 0) & ~households.poor_at_end, np.zeros(m, dtype=bool)]
    )
    # A clue makes a case of an exited household, or of any whose rigid spending beats its
    # net income of the year before; households still poor are helped as poor households.
    rigid = np.zeros(register.total)
    spent = ~np.isnan(clues["rigid_spending"])
    np.maximum.at(rigid, clues["household"][spent], clues["rigid_spending"][spent])
    sudden = rigid > register.net_of(last_year - 1)
    case_clue = first & (exited | sudden)[clues["household"]]
    clue_household = clues["household"][case_clue]
    clue_date = clues["found_on"][case_clue]
    clue_category = clues["category"][case_clue]
    below = np.flatnonzero(exited[:n] & (per_capita[:n] < register.threshold * 0.995))
    below = below[~np.isin(below, clue_household) & ~np.isin(below, gap_households)]
    low, high = (np.datetime64(d, "D") for d in monitored_settings["included"])
    span = int((high - low).astype(np.int64))
    edge = np.flatnonzero(~register.monitored.sudden) + n
    income_only = below[rng.random(below.size) < settings["income_confirmed_share"]]

    household = np.concatenate([clue_household, edge, income_only])
    c = household.size
    start = np.concatenate(
        [
            clue_date,
            low + rng.integers(0, span + 1, edge.size),
            low + rng.integers(0, span + 1, income_only.size),
        ]
    )
    monitored = household >= n
    has_clue = np.arange(c) < clue_household.size
    late = rng.random(c) < settings["late_confirm_share"]
    delay = np.where(
        late,
        rng.integers(settings["late_confirm_days"][0], settings["late_confirm_days"][1] + 1, c),
        rng.integers(settings["confirm_days"][0], settings["confirm_days"][1] + 1, c),
    )
    confirmed = np.where(has_clue, start + delay, start)
    is_confirmed = (monitored | ~has_clue | (rng.random(c) < settings["confirmed_share"])) & (
        confirmed <= year_end
    )
    # A monitored household's inclusion is its confirmation; keep it inside the year.
    confirmed = np.where(monitored, np.minimum(confirmed, year_end), confirmed)
    is_confirmed |= monitored

    notice = is_confirmed & (rng.random(c) < settings["notice_share"])
    short = rng.random(c) < settings["short_notice_share"]
    notice_from = confirmed + rng.integers(0, 4, c)
    length = np.where(
        short,
        rng.integers(settings["short_notice_days"][0], settings["short_notice_days"][1] + 1, c),
        rng.integers(settings["notice_days"][0], settings["notice_days"][1] + 1, c),
    )
    notice_to = notice_from + length - np.timedelta64(1, "D")

    measured = is_confirmed & (rng.random(c) < settings["measure_share"])
    late_measure = rng.random(c) < settings["late_measure_share"]
    measure_start = confirmed + np.where(
        late_measure,
        rng.integers(settings["late_measure_days"][0], settings["late_measure_days"][1] + 1, c),
        rng.integers(settings["measure_days"][0], settings["measure_days"][1] + 1, c),
    )
    measured &= measure_start <= year_end
    categories = codelists.labels("measure_category")
    case_measure = clue_settings["case_measures"]
    measure_category = np.array(
        [categories.index(case_measure[str(cat)]) for cat in clue_category.tolist()]
        + [categories.index(settings["income_measure"])] * (edge.size + income_only.size),
        dtype=np.int64,
    )

    recovered = np.concatenate([np.zeros(n, bool), register.monitored.recovered])
    above = per_capita >= register.threshold * 1.02
    may_end = is_confirmed & above[household] & assurance_ok[household]
    may_end &= np.where(monitored, recovered[household], exited[household])
    after = np.maximum(
        np.where(measured, measure_start, confirmed), np.where(notice, notice_to, confirmed)
    )
    eliminated_on = after + rng.integers(
        settings["eliminated_days"][0], settings["eliminated_days"][1] + 1, c
    )
    eliminated = may_end & (rng.random(c) < settings["eliminated_share"])
    eliminated &= eliminated_on <= year_end

    nat = np.datetime64("NaT", "D")
    monitored_from = np.full(m, nat)
    monitored_until = np.full(m, nat)
    monitored_from[household[monitored] - n] = confirmed[monitored]
    monitored_until[household[monitored] - n] = np.where(
        eliminated[monitored], eliminated_on[monitored], nat
    )

    # The board keeps what the household table does not: registered confirmations, notices,
    # eliminations.
    row = is_confirmed & (~monitored | notice | eliminated)
    last_step = np.maximum(
        np.where(eliminated, eliminated_on, confirmed), np.where(notice, notice_to, confirmed)
    )
    rows = {
        "household": household[row],
        "year": [last_year] * int(row.sum()),
        "confirmed_on": texts(np.where(is_confirmed, confirmed, nat)[row]),
        "notice_from": texts(np.where(notice, notice_from, nat)[row]),
        "notice_to": texts(np.where(notice, notice_to, nat)[row]),
        "eliminated_on": texts(np.where(eliminated, eliminated_on, nat)[row]),
        "note": [""] * int(row.sum()),
        # UTC without an offset: how Django keeps datetimes in SQLite, and what PostgreSQL
        # reads in the connection's time zone (UTC).
        "updated_at": [f"{d} 09:30:00" for d in texts(last_step[row])],
        "updated_by": [settings["updated_by"]] * int(row.sum()),
    }
    measures = {
        "household": household[measured],
        "category": measure_category[measured],
        "start": measure_start[measured],
        "end": np.full(int(measured.sum()), nat),
    }
    return rows, measures, monitored_from, monitored_until


# --- county checks -------------------------------------------------------------------------


def make_county_checks(
    rng: np.random.Generator, geography: Geography, years: list[int], settings: dict[str, Any]
) -> dict[str, Any]:
    """Return one check per recipient county and programme year: rates within the exit
    thresholds, but for a few county-years, mostly before the county's exit, that fail one."""
    counties = len(geography.counties)
    county = np.repeat(np.arange(counties), len(years))
    year = np.tile(np.array(years), counties)
    k = county.size
    missed = uniform(rng, settings["missed_rate"], k)
    wrong = uniform(rng, settings["wrong_exit_rate"], k)
    approval = uniform(rng, settings["approval"], k)
    exit_year = geography.county_exit_years[county]
    weight = np.where((exit_year > 0) & (year >= exit_year), settings["after_exit_weight"], 1.0)
    failing = pick_top(rng, weight, _at_least_one(settings["failing_share"] * k, k))
    which = rng.integers(0, 3, k)
    missed = np.where(
        failing & (which == 0), uniform(rng, settings["failing_missed_rate"], k), missed
    )
    wrong = np.where(
        failing & (which == 1), uniform(rng, settings["failing_wrong_exit_rate"], k), wrong
    )
    approval = np.where(
        failing & (which == 2), uniform(rng, settings["failing_approval"], k), approval
    )
    return {
        "region_id": [geography.counties[c] for c in county.tolist()],
        "year": year.tolist(),
        "missed_rate": np.round(missed, 2).tolist(),
        "wrong_exit_rate": np.round(wrong, 2).tolist(),
        "approval": np.round(approval, 2).tolist(),
    }


# --- dates ---------------------------------------------------------------------------------


def _year_start(year: np.ndarray) -> np.ndarray:
    return (np.asarray(year) - 1970).astype("datetime64[Y]").astype("datetime64[D]")


def _day_in_year(rng: np.random.Generator, year: np.ndarray) -> np.ndarray:
    start = _year_start(year)
    days = (_year_start(year + 1) - start).astype(np.int64)
    return start + (rng.random(year.size) * days).astype(np.int64)


def _day_before_year_end(rng: np.random.Generator, year: np.ndarray, within: int) -> np.ndarray:
    """Return a day of the last `within` days of `year` (meaningless where year is 0)."""
    return (
        _year_start(np.maximum(year, 1971) + 1)
        - np.timedelta64(1, "D")
        - rng.integers(0, within, year.size)
    )


def _open_or_later(rng: np.random.Generator, settings: dict[str, Any], n: int) -> np.ndarray:
    """Return end dates: NaT (still running) or a day of a year of `end_years`."""
    low, high = settings["end_years"]
    year = rng.integers(low, high + 1, n)
    ends = _day_in_year(rng, year)
    return np.where(rng.random(n) < settings["open_share"], np.datetime64("NaT", "D"), ends)


def texts(days: np.ndarray) -> list[str | None]:
    out = np.datetime_as_string(days, unit="D").astype(object)
    out[np.isnat(days)] = None
    return out.tolist()


def _at_least_one(expected: float, population: int) -> int:
    """Return `expected` rounded, but at least one where the population holds any."""
    return min(population, max(1 if population else 0, round(expected)))
