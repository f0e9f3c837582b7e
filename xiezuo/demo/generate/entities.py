"""Organisations of the ledgers: trade names, enterprise names and unified social credit codes.

A unified social credit code (GB 32100-2015) is 18 characters: the registering authority and
the organisation's kind (`91` an enterprise, `51` a social group, `52` a private non-enterprise
unit, `53` a foundation, `12` a public institution), the 6-digit region code of the registering
authority, the 9-character organisation code (GB 11714: 8 characters and its check character)
and a check character over the first 17 (weights 3^i mod 31, over the 31 characters below).
"""

from typing import Any, TypedDict

import numpy as np

from xiezuo.demo.generate.draw import draw, normalised

CREDIT_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
ENTERPRISE, SOCIAL_GROUP, PRIVATE_NON_ENTERPRISE, FOUNDATION, INSTITUTION = (
    "91",
    "51",
    "52",
    "53",
    "12",
)
_CREDIT_WEIGHTS = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)
_ORGANISATION_WEIGHTS = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)
_CHARACTERS = np.frombuffer(CREDIT_CHARACTERS.encode(), dtype=np.uint8)


class HelperNames(TypedDict):
    """The helper province's names that name templates may use ({province}, {province_name})."""

    province: str
    province_name: str


def credit_check(first17: str) -> str:
    """Return the check character of a unified social credit code's first 17 characters."""
    total = sum(
        CREDIT_CHARACTERS.index(c) * int(w) for c, w in zip(first17, _CREDIT_WEIGHTS, strict=True)
    )
    return CREDIT_CHARACTERS[(31 - total % 31) % 31]


def credit_codes(
    rng: np.random.Generator,
    kinds: list[str],
    regions: list[str],
    *,
    taken: set[str] | None = None,
) -> list[str]:
    """Return a distinct, valid credit code for each (kind, region), none of them in `taken`.

    The organisation code is 8 random digits and its GB 11714 check character (0–9 or X).
    """
    n = len(kinds)
    taken = set() if taken is None else taken
    codes: list[str | None] = [None] * n
    pending = np.arange(n)
    while pending.size:
        body = rng.integers(0, 10, size=(pending.size, 8))
        check = 11 - (body @ _ORGANISATION_WEIGHTS) % 11
        check_value = np.where(check == 11, 0, check)  # 10 stays 10: its character is X
        values = np.empty((pending.size, 17), dtype=np.int64)
        heads = [kinds[i] + regions[i] for i in pending.tolist()]
        values[:, :8] = [[CREDIT_CHARACTERS.index(c) for c in head] for head in heads]
        values[:, 8:16] = body
        values[:, 16] = np.where(check_value == 10, CREDIT_CHARACTERS.index("X"), check_value)
        last = (31 - (values @ _CREDIT_WEIGHTS) % 31) % 31
        characters = np.concatenate([values, last[:, None]], axis=1)
        texts = _CHARACTERS[characters].view("S18").ravel().astype("U18").tolist()
        again = []
        for i, text in zip(pending.tolist(), texts, strict=True):
            if text in taken:
                again.append(i)
            else:
                taken.add(text)
                codes[i] = text
        pending = np.array(again, dtype=np.int64)
    return [code for code in codes if code is not None]


def province_prefix(name: str) -> str:
    """Return how a province's name starts a company name: 北京市 → 北京, 河北省 → 河北."""
    for suffix in ("省", "市", "自治区"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return name


def trade_names(rng: np.random.Generator, characters: str, n: int) -> np.ndarray:
    """Return `n` two-character trade names (字号)."""
    pool = np.array(list(characters), dtype=object)
    first = pool[rng.integers(0, pool.size, n)]
    second = pool[rng.integers(0, pool.size, n)]
    return first + second


def enterprise_names(
    rng: np.random.Generator,
    settings: dict[str, Any],
    n: int,
    *,
    prefix: str = "北京",
    taken: set[str] | None = None,
) -> list[str]:
    """Return `n` distinct enterprise names: {prefix}{trade}{industry}{form}."""
    taken = set() if taken is None else taken
    industries = settings["industries"]
    forms = list(settings["forms"])
    form_p = normalised(list(settings["forms"].values()))
    names: list[str] = []
    while len(names) < n:
        k = n - len(names)
        trades = trade_names(rng, settings["trade_characters"], k)
        industry = rng.integers(0, len(industries), k)
        form = draw(rng, k, form_p)
        for t, i, f in zip(trades.tolist(), industry.tolist(), form.tolist(), strict=True):
            name = f"{prefix}{t}{industries[i]}{forms[f]}"
            if name not in taken:
                taken.add(name)
                names.append(name)
    return names


def fill_names(
    rng: np.random.Generator,
    templates: list[str],
    n: int,
    settings: dict[str, Any],
    *,
    taken: set[str] | None = None,
    **fields: Any,
) -> list[str]:
    """Return `n` distinct names from `templates`: {trade}, {industry}, {number} and `fields`.

    A template without {trade} or {number} gives one name only; when the templates cannot give
    `n` distinct names, the rest repeat earlier ones.
    """
    taken = set() if taken is None else taken
    names: list[str] = []
    for _ in range(20 * n):
        if len(names) >= n:
            break
        template = templates[int(rng.integers(len(templates)))]
        name = template.format(
            trade=trade_names(rng, settings["trade_characters"], 1)[0],
            industry=settings["industries"][int(rng.integers(len(settings["industries"])))],
            number=int(rng.integers(1, 200)),
            **fields,
        )
        if name not in taken:
            taken.add(name)
            names.append(name)
    found = len(names)
    names += [names[i % found] for i in range(n - found)] if found else []
    return names
