"""Drawing helpers: categorical draws from label-keyed weights, and names."""

from typing import Any

import numpy as np

from xiezuo.core import codelists
from xiezuo.demo.profile import Names, label

STREAMS = ("households", "members", "incomes", "population")


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


def uniform_int(rng: np.random.Generator, bounds: list[int], n: int) -> np.ndarray:
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
