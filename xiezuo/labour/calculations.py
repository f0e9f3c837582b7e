"""The matching of registered poor labourers to posts: the candidate rule and the exact optimum.

Pure arithmetic over columns (NumPy), no database. A member is a **candidate** for a post when
(docs/labour.md):

1. their household is registered and its status is 未脱贫, 已脱贫(享受政策) or 返贫;
2. their 劳动技能 is 普通劳动力 or 技能劳动力 (技能劳动力 only, where the post asks for it);
3. their age in full years on the post's 开始日期 (birth date from the ID number) is within
   [年龄下限, 年龄上限];
4. no labour-ledger spell of theirs covers the post's 开始日期;
5. the post's 工作地代码 lies inside the member's county (local), or the post's 帮扶方代码 is the
   helper of a pairing whose recipient is the member's county (transfer).

Points 1 and 2 choose the **pool** (`in_pool`); 2 (the post's skill), 3, 4 and 5 are decided
per post (`eligibility`). Dates are compared as integers yyyymmdd: someone born on B is at
least `n` full years old on S exactly when B ≤ S − n·10000.

People with the same county, skill and eligibility on every post are interchangeable; they
form one group (`group_people`), which keeps the flow graph small. The assignment
(`assign`) places as many people as possible and, among those assignments, maximises the
total monthly wage: a max-flow of minimum cost on source → group → post → sink (OR-Tools'
`SimpleMinCostFlow.solve_max_flow_with_min_cost`, wages as negative costs in fen). `greedy`
is the baseline it is measured against: posts by wage, highest first, each filled from the
people in order.
"""

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property

import numpy as np

from xiezuo.core import codes

POOL_STATUSES = ("未脱贫", "已脱贫(享受政策)", "返贫")
ORDINARY, SKILLED = "普通劳动力", "技能劳动力"
POOL_SKILLS = (ORDINARY, SKILLED)
ANY_SKILL = "不限"
LOCAL, TRANSFER = "local", "transfer"
KIND_TITLES = {LOCAL: "本县就业", TRANSFER: "转移就业"}
OPEN_END = 99991231  # a spell still running

# Why a person of the pool is left unplaced, most specific first (see `match`).
NO_POST_IN_REACH = "无可及岗位"
SKILL = "技能不符"
AGE = "年龄不符"
EMPLOYED = "已在岗"
ALL_FULL = "岗位已满"
UNPLACED_REASONS = (NO_POST_IN_REACH, SKILL, AGE, EMPLOYED, ALL_FULL)

type Progress = Callable[[str, int, int | None], None]


def _silent(stage: str, done: int, total: int | None) -> None:
    """Ignore progress."""


@dataclass(frozen=True)
class PostRow:
    """A post as the match sees it; `places` are its open places."""

    number: str
    helper: str | None
    workplace: str
    wage: Decimal
    places: int
    skilled_only: bool
    age_min: int
    age_max: int
    start: dt.date


@dataclass
class Pool:
    """The people put forward (rules 1 and 2 hold), column-wise, one entry per person."""

    id_numbers: list[str]
    households: list[str]
    villages: list[str]
    counties: list[str]
    skilled: np.ndarray  # bool: 技能劳动力
    births: np.ndarray  # int64 yyyymmdd, from the ID number

    @property
    def size(self) -> int:
        return len(self.id_numbers)


@dataclass
class Spells:
    """Labour-ledger spells of people of the pool: `person` indexes the pool."""

    person: np.ndarray  # int64
    start: np.ndarray  # int64 yyyymmdd
    end: np.ndarray  # int64 yyyymmdd, OPEN_END when still running

    @classmethod
    def empty(cls) -> "Spells":
        nothing = np.zeros(0, dtype=np.int64)
        return cls(nothing, nothing, nothing)


@dataclass
class Groups:
    """Interchangeable people: group g holds `members[g]` (pool indexes, in pool order) and may
    take the posts `posts[g]` (post indexes); `county[g]` and `skilled[g]` are shared."""

    members: list[np.ndarray] = field(default_factory=list)
    posts: list[np.ndarray] = field(default_factory=list)
    county: list[str] = field(default_factory=list)
    skilled: list[bool] = field(default_factory=list)
    # Pool index → reason, for the people of the pool who are a candidate for no post.
    not_candidates: dict[int, str] = field(default_factory=dict)

    @property
    def count(self) -> int:
        return len(self.members)

    @property
    def people(self) -> int:
        return int(sum(m.size for m in self.members))

    @property
    def arcs(self) -> int:
        return int(sum(p.size for p in self.posts))


@dataclass(frozen=True)
class Placement:
    """One person placed on one post, with why they may take it."""

    post: int  # index into the posts
    person: int  # index into the pool
    kind: str  # LOCAL or TRANSFER
    age: int  # full years on the post's 开始日期


@dataclass
class Match:
    """The outcome of a match: placements, open places left, why others were not placed."""

    posts: int
    candidates: int
    placements: list[Placement]
    wage_total: Decimal
    unfilled: list[tuple[int, int]]  # (post index, places still open)
    unplaced: dict[int, str]  # pool index → reason, for every person of the pool not placed
    groups: int = 0
    arcs: int = 0

    @property
    def placed(self) -> int:
        return len(self.placements)


# --- the rule ---------------------------------------------------------------------------------


def in_pool(*, registered: bool, status: str, skill: str) -> bool:
    """Return True when rules 1 and 2 put a member forward (before any post is looked at)."""
    return registered and status in POOL_STATUSES and skill in POOL_SKILLS


def birth_numbers(id_numbers: Sequence[str]) -> np.ndarray:
    """Return the birth dates written in ID numbers as yyyymmdd (15-digit numbers: 19yy)."""
    return np.fromiter(
        (int(n[6:14]) if len(n) == 18 else 19000000 + int(n[6:12]) for n in id_numbers),
        dtype=np.int64,
        count=len(id_numbers),
    )


def day_number(day: dt.date) -> int:
    """Return a date as the integer yyyymmdd."""
    return day.year * 10000 + day.month * 100 + day.day


def age_on(birth: int, day: int) -> int:
    """Return the age in full years on `day` of someone born on `birth` (both yyyymmdd)."""
    return (day - birth) // 10000


def reaches(county: str, post: PostRow, pairings: Iterable[tuple[str, str]]) -> str | None:
    """Return LOCAL or TRANSFER when `post` is within reach of a member of `county` (rule 5),
    else None. A post at work inside the county is local, whoever posted it."""
    if codes.contains(county, post.workplace):
        return LOCAL
    if post.helper and any(
        codes.contains(helper, post.helper) and codes.contains(recipient, county)
        for helper, recipient in pairings
    ):
        return TRANSFER
    return None


def _in_reach(
    county: str, posts: Sequence[PostRow], pairings: Iterable[tuple[str, str]]
) -> list[int]:
    """Return the indexes of the posts `reaches` finds in reach of `county`, by prefixes."""
    local = codes.prefix(county)
    helpers = tuple(
        codes.prefix(helper) for helper, recipient in pairings if codes.contains(recipient, county)
    )
    return [
        j
        for j, post in enumerate(posts)
        if post.workplace.startswith(local) or (post.helper and post.helper.startswith(helpers))
    ]


def is_candidate(
    *,
    registered: bool,
    status: str,
    skill: str,
    birth: dt.date,
    county: str,
    spells: Iterable[tuple[dt.date, dt.date | None]],
    post: PostRow,
    pairings: Iterable[tuple[str, str]],
) -> bool:
    """Return True when a member is a candidate for `post` (the five points, one person)."""
    start = day_number(post.start)
    return (
        in_pool(registered=registered, status=status, skill=skill)
        and (skill == SKILLED or not post.skilled_only)
        and post.age_min <= age_on(day_number(birth), start) <= post.age_max
        and not any(s <= post.start and (e is None or e >= post.start) for s, e in spells)
        and reaches(county, post, pairings) is not None
    )


# --- grouping ---------------------------------------------------------------------------------


def group_people(
    posts: Sequence[PostRow],
    pool: Pool,
    spells: Spells,
    pairings: Sequence[tuple[str, str]],
    *,
    progress: Progress = _silent,
) -> Groups:
    """Group the pool by county, skill and eligibility on every post in reach.

    Posts with no open place take nobody and are left out of every group's posts.
    """
    groups = Groups()
    counties = np.array(pool.counties, dtype=object)
    starts = np.array([day_number(p.start) for p in posts], dtype=np.int64)
    lowest = starts - np.array([p.age_min for p in posts], dtype=np.int64) * 10000
    highest = starts - (np.array([p.age_max for p in posts], dtype=np.int64) + 1) * 10000
    skilled_only = np.array([p.skilled_only for p in posts], dtype=bool)
    open_post = np.array([p.places > 0 for p in posts], dtype=bool)
    order = np.argsort(spells.person, kind="stable")
    spell_person, spell_start, spell_end = (
        spells.person[order],
        spells.start[order],
        spells.end[order],
    )
    names = sorted(set(pool.counties))
    for done, county in enumerate(names):
        progress("分组", done, len(names))
        people = np.flatnonzero(counties == county)
        reach = [j for j in _in_reach(county, posts, pairings) if open_post[j]]
        if not reach:
            for person in people.tolist():
                groups.not_candidates[person] = NO_POST_IN_REACH
            continue
        columns = np.array(reach, dtype=np.int64)
        births = pool.births[people][:, None]
        age_fits = (births <= lowest[columns][None, :]) & (births > highest[columns][None, :])
        skilled = pool.skilled[people]
        skill_fits = skilled[:, None] | ~skilled_only[columns][None, :]
        free = ~_busy(people, spell_person, spell_start, spell_end, starts[columns])
        eligible = age_fits & skill_fits & free
        candidate = eligible.any(axis=1)
        for position in np.flatnonzero(~candidate).tolist():
            groups.not_candidates[int(people[position])] = _why_not(
                age_fits[position], skill_fits[position], free[position]
            )
        if not candidate.any():
            continue
        chosen = people[candidate]
        chosen_eligible = eligible[candidate]
        rows = np.concatenate([skilled[candidate][:, None], chosen_eligible], axis=1)
        packed = np.ascontiguousarray(np.packbits(rows, axis=1))
        keys = packed.view(np.dtype((np.void, packed.shape[1]))).ravel()
        _, first, inverse = np.unique(keys, return_index=True, return_inverse=True)
        # Groups in the order of their first member: the pool's order decides ties.
        rank = np.empty(first.size, dtype=np.int64)
        rank[np.argsort(first, kind="stable")] = np.arange(first.size)
        inverse = rank[inverse.ravel()]
        by_group = np.argsort(inverse, kind="stable")
        bounds = np.searchsorted(inverse[by_group], np.arange(first.size + 1))
        for g in range(first.size):
            positions = by_group[bounds[g] : bounds[g + 1]]
            sample = int(positions[0])
            groups.members.append(chosen[positions])
            groups.posts.append(columns[chosen_eligible[sample]])
            groups.county.append(county)
            groups.skilled.append(bool(rows[sample, 0]))
    progress("分组", len(names), len(names))
    return groups


def _busy(
    people: np.ndarray,
    spell_person: np.ndarray,
    spell_start: np.ndarray,
    spell_end: np.ndarray,
    starts: np.ndarray,
) -> np.ndarray:
    """Return people × posts: True where a spell of the person covers the post's start."""
    busy = np.zeros((people.size, starts.size), dtype=bool)
    mine = np.isin(spell_person, people)
    if not mine.any():
        return busy
    who, first, last = spell_person[mine], spell_start[mine], spell_end[mine]
    covers = (first[:, None] <= starts[None, :]) & (last[:, None] >= starts[None, :])
    heads = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
    merged = np.logical_or.reduceat(covers, heads, axis=0)
    busy[np.searchsorted(people, who[heads])] = merged
    return busy


def _why_not(age_fits: np.ndarray, skill_fits: np.ndarray, free: np.ndarray) -> str:
    """Return why a person of the pool is a candidate for none of the posts in reach."""
    if (age_fits & free).any():
        return SKILL
    if (age_fits & skill_fits).any():
        return EMPLOYED
    return AGE


# --- assignment -------------------------------------------------------------------------------


def _fen(wage: Decimal) -> int:
    return int((wage * 100).to_integral_value())


def assign(groups: Groups, posts: Sequence[PostRow]) -> dict[tuple[int, int], int]:
    """Return the exact optimum as {(group, post): people}: the most people placed, then the
    highest total monthly wage.

    Where people far outnumber places, most arcs of the graph are never used. The problem is
    first solved on a sparse graph: each post keeps the groups with the fewest other posts to
    go to, until they hold `factor` times its places. When that solution fills every post to
    its own bound — its places, or all the people who may take it when they are fewer — no
    assignment can place more people or pay more, so it is the optimum. Otherwise (each
    factor of `SPARSE_FACTORS` tried in turn) the whole graph is solved, whose solution is
    the optimum by definition.
    """
    if not groups.count:
        return {}
    arcs = _Arcs.of(groups, posts)
    for factor in SPARSE_FACTORS:
        kept = arcs.sparse(factor)
        if kept.size == arcs.group.size:
            break
        flows = _solve(arcs, kept)
        if np.array_equal(_filled(arcs, kept, flows), arcs.bound):
            return _as_dict(arcs, kept, flows)
    everything = np.arange(arcs.group.size)
    return _as_dict(arcs, everything, _solve(arcs, everything))


SPARSE_FACTORS = (16,)


@dataclass
class _Arcs:
    """The group → post arcs of the flow graph, with what the solver needs around them."""

    group: np.ndarray  # per arc
    post: np.ndarray  # per arc
    sizes: np.ndarray  # per group
    places: np.ndarray  # per post
    costs: np.ndarray  # per post: −wage, in units of the wages' greatest common divisor
    bound: np.ndarray  # per post: min(places, people who may take it)

    @classmethod
    def of(cls, groups: Groups, posts: Sequence[PostRow]) -> "_Arcs":
        sizes = np.array([m.size for m in groups.members], dtype=np.int64)
        places = np.array([p.places for p in posts], dtype=np.int64)
        wages = np.array([_fen(p.wage) for p in posts], dtype=np.int64)
        # Costs divided by their greatest common divisor give the same optimum in fewer
        # cost-scaling phases (whole-hundred wages: 38 to 68, not 380,000 to 680,000).
        divisor = int(np.gcd.reduce(wages)) if wages.any() else 1
        lengths = np.array([p.size for p in groups.posts], dtype=np.int64)
        group = np.repeat(np.arange(groups.count, dtype=np.int64), lengths)
        post = np.concatenate(groups.posts).astype(np.int64)
        reach = np.bincount(post, weights=sizes[group], minlength=len(posts)).astype(np.int64)
        return cls(group, post, sizes, places, -(wages // divisor), np.minimum(places, reach))

    @cached_property
    def _ranked(self) -> tuple[np.ndarray, np.ndarray]:
        """Return the arcs by post, groups with the fewest options first, and for each the
        people held by the arcs of its post before it."""
        options = np.bincount(self.group, minlength=self.sizes.size)
        rank = np.empty(self.sizes.size, dtype=np.int64)
        rank[np.argsort(options, kind="stable")] = np.arange(self.sizes.size)
        order = np.argsort(self.post * self.sizes.size + rank[self.group], kind="stable")
        post, size = self.post[order], self.sizes[self.group[order]]
        held = np.cumsum(size)
        starts = np.searchsorted(post, post, side="left")
        return order, held - size - np.where(starts > 0, held[starts - 1], 0)

    def sparse(self, factor: int) -> np.ndarray:
        """Return the arcs kept per post: its groups with the fewest options first, until
        they hold `factor` times its places."""
        order, before = self._ranked
        return np.sort(order[before < factor * self.places[self.post[order]]])


def _solve(arcs: _Arcs, kept: np.ndarray) -> np.ndarray:
    """Return the flow on each kept arc of the max-flow of minimum cost."""
    from ortools.graph.python import min_cost_flow

    groups = arcs.sizes.size
    source, sink, first_group, first_post = 0, 1, 2, 2 + groups
    group, post = arcs.group[kept], arcs.post[kept]
    used = np.unique(post)
    tails = np.concatenate([np.full(groups, source), first_group + group, first_post + used])
    heads = np.concatenate(
        [first_group + np.arange(groups), first_post + post, np.full(used.size, sink)]
    )
    capacities = np.concatenate(
        [arcs.sizes, np.minimum(arcs.sizes[group], arcs.places[post]), arcs.places[used]]
    )
    costs = np.concatenate([np.zeros(groups), arcs.costs[post], np.zeros(used.size)])
    solver = min_cost_flow.SimpleMinCostFlow()
    solver.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32),
        heads.astype(np.int32),
        capacities.astype(np.int64),
        costs.astype(np.int64),
    )
    # Supply and demand bound the flow from above; the solver sends as much as it can.
    solver.set_node_supply(source, int(arcs.sizes.sum()))
    solver.set_node_supply(sink, -int(arcs.places[used].sum()))
    status = solver.solve_max_flow_with_min_cost()
    if status != solver.OPTIMAL:
        raise RuntimeError(f"min-cost flow did not solve: status {status}")
    return solver.flows(np.arange(groups, groups + kept.size, dtype=np.int32))


def _filled(arcs: _Arcs, kept: np.ndarray, flows: np.ndarray) -> np.ndarray:
    return np.bincount(arcs.post[kept], weights=flows, minlength=arcs.places.size).astype(np.int64)


def _as_dict(arcs: _Arcs, kept: np.ndarray, flows: np.ndarray) -> dict[tuple[int, int], int]:
    found = np.flatnonzero(flows)
    return {
        (int(arcs.group[kept[a]]), int(arcs.post[kept[a]])): int(flows[a]) for a in found.tolist()
    }


def greedy(groups: Groups, posts: Sequence[PostRow]) -> dict[tuple[int, int], int]:
    """Return the baseline: posts by wage (highest first, then number), each filled from the
    groups that may take it in the pool's order."""
    left = [m.size for m in groups.members]
    takers: dict[int, list[int]] = {}
    for g, eligible in enumerate(groups.posts):
        for j in eligible.tolist():
            takers.setdefault(j, []).append(g)
    found: dict[tuple[int, int], int] = {}
    for j in sorted(takers, key=lambda j: (-posts[j].wage, posts[j].number)):
        open_places = posts[j].places
        for g in takers[j]:
            if not open_places:
                break
            take = min(open_places, left[g])
            if take:
                found[(g, j)] = take
                left[g] -= take
                open_places -= take
    return found


# --- the whole match ----------------------------------------------------------------------------


def match(
    posts: Sequence[PostRow],
    pool: Pool,
    spells: Spells,
    pairings: Sequence[tuple[str, str]],
    *,
    method: str = "exact",
    progress: Progress = _silent,
) -> Match:
    """Match the pool to the posts (`method` exact or greedy); name why each unplaced person
    of the pool was not placed."""
    groups = group_people(posts, pool, spells, pairings, progress=progress)
    progress("求解", 0, 1)
    flows = assign(groups, posts) if method == "exact" else greedy(groups, posts)
    progress("求解", 1, 1)
    return settle(groups, posts, pool, flows)


def settle(
    groups: Groups, posts: Sequence[PostRow], pool: Pool, flows: dict[tuple[int, int], int]
) -> Match:
    """Hand each group's flows to its members in the pool's order (posts by wage, highest
    first), and collect what is left open and who is left out."""
    placements: list[Placement] = []
    taken = np.zeros(len(posts), dtype=np.int64)
    by_group: dict[int, list[tuple[int, int]]] = {}
    for (g, j), people in flows.items():
        by_group.setdefault(g, []).append((j, people))
    placed_people: set[int] = set()
    for g in sorted(by_group):
        members = groups.members[g].tolist()
        at = 0
        county = groups.county[g]
        for j, people in sorted(by_group[g], key=lambda item: (-posts[item[0]].wage, item[0])):
            post = posts[j]
            kind = LOCAL if codes.contains(county, post.workplace) else TRANSFER
            start = day_number(post.start)
            for person in members[at : at + people]:
                placements.append(
                    Placement(j, person, kind, age_on(int(pool.births[person]), start))
                )
                placed_people.add(person)
            at += people
            taken[j] += people
    placements.sort(key=lambda p: (posts[p.post].number, pool.id_numbers[p.person]))
    unplaced = dict(groups.not_candidates)
    for members in groups.members:
        for person in members.tolist():
            if person not in placed_people:
                unplaced[person] = ALL_FULL
    wage_total = sum((posts[p.post].wage for p in placements), Decimal(0))
    unfilled = [
        (j, post.places - int(taken[j]))
        for j, post in enumerate(posts)
        if post.places - int(taken[j]) > 0
    ]
    return Match(
        posts=len(posts),
        candidates=groups.people,
        placements=placements,
        wage_total=wage_total,
        unfilled=unfilled,
        unplaced=unplaced,
        groups=groups.count,
        arcs=groups.arcs,
    )


# --- following placements ---------------------------------------------------------------------

STABLE_DAYS = 90
WARN_DAYS = 60


@dataclass(frozen=True)
class Spell:
    """A labour-ledger spell as the follow-up sees it."""

    id_number: str
    county: str  # the household's county
    workplace: str
    employer: str
    start: dt.date
    end: dt.date | None
    cadre: str = ""  # the household's 帮扶责任人, to be alerted when the spell ends early


def spell_days(start: dt.date, end: dt.date | None, as_of: dt.date) -> int:
    """Return the days of a spell up to `as_of`, both ends counted (DOMAIN.md §3)."""
    last = as_of if end is None or end > as_of else end
    return max(0, (last - start).days + 1)


@dataclass
class Stability:
    """Placements of a year followed to stable work (I16 in the helper's province, I17 in
    their own), as of a day."""

    approaching: list[tuple[Spell, int]]  # running, WARN_DAYS ≤ days < STABLE_DAYS
    ended_early: list[tuple[Spell, int]]  # ended before STABLE_DAYS
    reached: dict[str, int]  # indicator → distinct people stable as of the day
    will_reach: dict[str, int]  # indicator → distinct people stable by 31 December if they stay


def stability(
    spells: Iterable[Spell],
    *,
    year: int,
    as_of: dt.date,
    helper_province: str,
    stable_days: int = STABLE_DAYS,
    warn_days: int = WARN_DAYS,
) -> Stability:
    """Follow the spells that started in `year` (by `as_of`) to `stable_days`."""
    year_end = dt.date(year, 12, 31)
    approaching: list[tuple[Spell, int]] = []
    ended: list[tuple[Spell, int]] = []
    reached: dict[str, set[str]] = {"I16": set(), "I17": set()}
    will: dict[str, set[str]] = {"I16": set(), "I17": set()}
    for spell in spells:
        if spell.start.year != year or spell.start > as_of:
            continue
        days = spell_days(spell.start, spell.end, as_of)
        running = spell.end is None or spell.end > as_of
        if spell.workplace[:2] == helper_province[:2]:
            indicator = "I16"
        elif spell.workplace[:2] == spell.county[:2]:
            indicator = "I17"
        else:
            indicator = ""
        if days >= stable_days:
            if indicator:
                reached[indicator].add(spell.id_number)
                will[indicator].add(spell.id_number)
            continue
        if running:
            if warn_days <= days:
                approaching.append((spell, days))
            if indicator and spell_days(spell.start, spell.end, year_end) >= stable_days:
                will[indicator].add(spell.id_number)
        else:
            ended.append((spell, days))
    return Stability(
        approaching=sorted(approaching, key=lambda item: -item[1]),
        ended_early=sorted(ended, key=lambda item: item[0].end or as_of, reverse=True),
        reached={k: len(v) for k, v in reached.items()},
        will_reach={k: len(v) for k, v in will.items()},
    )
