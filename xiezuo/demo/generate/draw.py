"""Drawing helpers: categorical draws from label-keyed weights, and names."""

from typing import Any

import numpy as np

from xiezuo.core import codelists
from xiezuo.demo.profile import Names, label

# Appending a stream leaves the earlier ones as they were: child i of a SeedSequence depends
# on the seed and i only.
STREAMS = (
    "households", "members", "incomes", "population", "visits", "meetings", "secondments",
    "trainings", "funds", "projects", "enterprises", "investments", "labour", "purchases",
    "donations", "subpairings", "monitored", "measures", "assurances", "clues", "cases",
    "county_checks", "villages", "posts",
)  # fmt: skip


def streams(seed: int) -> dict[str, np.random.Generator]:
    """Return one PCG64 generator per step, all spawned from `seed`.

    Independent streams keep a change in how one step draws (rejection sampling draws as
    many numbers as it needs) from shifting every later step.
    """
    children = np.random.SeedSequence(seed).spawn(len(STREAMS))
    return {
        name: np.random.Generator(np.random.PCG64(child))
        for name, child in zip(STREAMS, children, strict=True)
    }


def table(weights: dict[str, float], labels: tuple[str, ...]) -> np.ndarray:
    """Return the probabilities of `weights` over `labels` (absent labels weigh nothing)."""
    p = np.array([float(weights.get(text, 0.0)) for text in labels])
    return p / p.sum()


def draw(rng: np.random.Generator, n: int, p: np.ndarray) -> np.ndarray:
    """Return `n` indices drawn with probabilities `p`."""
    cumulative = np.cumsum(p)
    cumulative[-1] = 1.0
    return np.searchsorted(cumulative, rng.random(n), side="right")


def draw_rows(rng: np.random.Generator, group: np.ndarray, p: np.ndarray) -> np.ndarray:
    """Return one index per element of `group`, drawn with the probabilities of row `p[group]`."""
    cumulative = np.cumsum(p, axis=1)
    cumulative /= cumulative[:, -1:]
    u = rng.random(group.size)
    return (u[:, None] >= cumulative[group]).sum(axis=1)


def uniform_int(
    rng: np.random.Generator, bounds: list[int], n: int | tuple[int, ...]
) -> np.ndarray:
    return rng.integers(bounds[0], bounds[1] + 1, size=n)


def uniform(rng: np.random.Generator, bounds: list[float], shape: Any) -> np.ndarray:
    return rng.uniform(bounds[0], bounds[1], size=shape)


def pick_top(rng: np.random.Generator, weights: np.ndarray, count: int) -> np.ndarray:
    """Return a mask of `count` elements sampled without replacement in proportion to weights."""
    keys = np.full(weights.size, -np.inf)
    positive = weights > 0
    keys[positive] = np.log(rng.random(weights.size)[positive]) / weights[positive]
    mask = np.zeros(weights.size, dtype=bool)
    count = min(count, int(positive.sum()))
    if count > 0:
        mask[np.argpartition(-keys, count - 1)[:count]] = True
    return mask


def year_table(by_year: dict[Any, float], *, default: float) -> np.ndarray:
    """Return an array indexed by year (0 and unlisted years hold `default`)."""
    table = np.full(3000, default, dtype=float)
    for year, value in by_year.items():
        table[int(year)] = float(value)
    return table


def labels_of(name: str) -> np.ndarray:
    return np.array(codelists.labels(name), dtype=object)


def index_of(name: str, text: str) -> int:
    return codelists.labels(name).index(label(name, text))


def as_optional(years: np.ndarray) -> list[int | None]:
    """Return the years as ints, None where a year is 0 (none)."""
    values = years.astype(object)
    values[years <= 0] = None
    return values.tolist()


def normalised(weights: list[float]) -> np.ndarray:
    """Return probabilities proportional to `weights`."""
    p = np.asarray(weights, dtype=float)
    return p / p.sum()


def make_names(
    rng: np.random.Generator,
    names: Names,
    *,
    male: np.ndarray,
    birth_year: np.ndarray,
    surnames: np.ndarray | None = None,
) -> np.ndarray:
    """Return an object array of full names; `surnames` (indices) are drawn when not given."""
    n = male.size
    if surnames is None:
        surnames = draw(rng, n, names.surname_weights / names.surname_weights.sum())
    pools = (
        names.male_before_1980,
        names.male_from_1980,
        names.female_before_1980,
        names.female_from_1980,
    )
    characters = np.array([c for pool in pools for c in pool], dtype=object)
    sizes = np.array([len(pool) for pool in pools])
    starts = np.concatenate([[0], np.cumsum(sizes)[:-1]])
    pool = np.where(male, 0, 2) + (birth_year >= 1980)
    first = starts[pool] + (rng.random(n) * sizes[pool]).astype(np.int64)
    second = starts[pool] + (rng.random(n) * sizes[pool]).astype(np.int64)
    two_characters = rng.random(n) < 0.75
    given = characters[first] + np.where(two_characters, characters[second], "")
    return names.surnames[surnames] + given


# --- households ----------------------------------------------------------------------------


# --- ledgers -------------------------------------------------------------------------------


def scaled_counts(
    rng: np.random.Generator, bounds: list[int], shape: Any, *, scale: float, minimum: int = 0
) -> np.ndarray:
    """Return counts drawn from `bounds` (at scale 1), times `scale`, at least `minimum`."""
    raw = rng.integers(bounds[0], bounds[1] + 1, size=shape)
    return np.maximum(minimum, np.rint(raw * scale)).astype(np.int64)


DAY = np.timedelta64(1, "D")


def year_days(year: int) -> tuple[np.datetime64, np.datetime64]:
    """Return the first and last day of `year`."""
    return np.datetime64(f"{year}-01-01", "D"), np.datetime64(f"{year}-12-31", "D")


def distinct_days(
    rng: np.random.Generator,
    first: np.datetime64,
    last: np.datetime64,
    count: int,
    *,
    taken: Any = (),
) -> np.ndarray:
    """Return up to `count` distinct days from `first` to `last` (both included), not in `taken`.

    Fewer come back when fewer are free; they are in drawing order, not sorted.
    """
    span = int((last - first).astype(np.int64)) + 1
    free = np.ones(max(span, 0), dtype=bool)
    for day in taken:
        offset = int((np.datetime64(day, "D") - first).astype(np.int64))
        if 0 <= offset < span:
            free[offset] = False
    candidates = np.flatnonzero(free)
    count = min(count, candidates.size)
    return first + rng.choice(candidates, size=count, replace=False) * DAY


def apportion(total: int, weights: np.ndarray, *, unit: int = 1, minimum: int = 0) -> np.ndarray:
    """Return integer shares of `total` in proportion to `weights`, adding up to `total` exactly.

    Shares are multiples of `unit` (largest remainders first); what is left below one unit goes
    to the largest share. Each share gets at least `minimum` units while the total allows.
    """
    n = weights.size
    units = total // unit
    floor = min(minimum, units // n) if n else 0
    free = units - floor * n
    w = np.asarray(weights, dtype=float)
    quota = w / w.sum() * free if w.sum() > 0 else np.full(n, free / n)
    shares = np.floor(quota).astype(np.int64)
    short = int(free - shares.sum())
    if short > 0:
        shares[np.argsort(-(quota - shares), kind="stable")[:short]] += 1
    shares = (shares + floor) * unit
    if n:
        shares[int(np.argmax(shares))] += total - units * unit
    return shares


def lognormal_cents(rng: np.random.Generator, params: list[float], n: int) -> np.ndarray:
    """Return amounts in cents of 万元 from [median, log-sd, minimum, maximum] (万元)."""
    median, sigma, low, high = params
    amounts = np.clip(np.exp(rng.normal(np.log(median), sigma, n)), low, high)
    return np.rint(amounts * 100).astype(np.int64)


def money_texts(cents: np.ndarray) -> list[str]:
    """Return amounts in cents of 万元 as exact decimal texts (`1234.50`)."""
    return [f"{c // 100}.{c % 100:02d}" for c in np.asarray(cents, dtype=np.int64).tolist()]


def day_texts(days: np.ndarray) -> list[str | None]:
    """Return ISO dates; None where a day is NaT (an open end)."""
    texts = np.datetime_as_string(np.asarray(days, dtype="datetime64[D]"), unit="D").astype(object)
    texts[np.isnat(days)] = None
    return texts.tolist()


def choose(rng: np.random.Generator, options: list[Any]) -> Any:
    """Return one of `options`, uniformly."""
    return options[int(rng.integers(len(options)))]


def short_village_name(name: str) -> str:
    """Return a village's everyday name: 城根营村民委员会 → 城根营村, 鼓楼社区居民委员会 → 鼓楼社区.

    The regions table names the village committee; ledgers and people name the village.
    """
    for suffix, replacement in (("村民委员会", "村"), ("居民委员会", ""), ("委员会", "")):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            if replacement and stem.endswith(replacement):
                return stem
            return stem + replacement
    return name
