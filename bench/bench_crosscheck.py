"""Time the cross-check linkage: exact by ID number and fuzzy by name, birth date and place.

    uv run python bench/bench_crosscheck.py

Synthetic data drawn here with a fixed seed (no database):

- Exact: XIEZUO_BENCH_EXACT registered people (default 1,000,000) against as many list rows,
  one in ten of them a registered person, 2 % of those with the ID number written messily
  (lower-case x, full-width digits, spaces). Goal: `linkage.exact` ≤ 5 s. Baseline, in the
  same run: a plain Python dict join of the same rows (normalising each number by hand).
- Fuzzy: XIEZUO_BENCH_FUZZY people (default 100,000) against as many list rows: planted
  matches (the same person without ID number, with a homophone surname 张/章, with two ID
  digits transposed, with only the county as place), near-misses that are other people (the
  same name and place with another birth day; the same birth day and place with another name)
  and rows of people off the register. Goal: `linkage.link` (exact, then fuzzy) ≤ 60 s; its
  precision and recall against the planted matches are printed.
"""

import datetime as dt
import os
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from xiezuo.core.ids import make_ids
from xiezuo.crosscheck import linkage

EXACT_TARGET_S = 5
FUZZY_TARGET_S = 60
EXACT = int(os.environ.get("XIEZUO_BENCH_EXACT", "1000000"))
FUZZY = int(os.environ.get("XIEZUO_BENCH_FUZZY", "100000"))
COUNTIES = [f"1307{n:02d}" for n in range(21, 33)] + [f"1308{n:02d}" for n in range(21, 32)]
SURNAMES = list(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
HOMOPHONES = dict(zip("张李王刘杨赵周陈吴徐林何高郑", "章黎汪柳阳召舟晨伍许琳和郜正", strict=True))
GIVEN = list(
    "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国玉兰红梅春生德文志海波辉鹏飞宇浩然子涵欣怡佳琪雨轩思博"
)
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９ｘ")


def ids_for(rng: np.random.Generator, n: int) -> tuple[list[str], np.ndarray, np.ndarray]:
    """Return n ID numbers (mostly distinct), their county indexes and birth dates."""
    county = rng.integers(0, len(COUNTIES), n)
    days = rng.integers(0, 80 * 365, n)
    births = np.datetime64("1935-01-01") + days.astype("timedelta64[D]")
    regions = np.array(COUNTIES)[county]
    return make_ids(regions, births, rng.integers(0, 1000, n)), county, births


def messy(number: str, kind: int) -> str:
    if kind == 0:
        return number.lower()
    if kind == 1:
        return number.translate(FULL_WIDTH)
    return f" {number[:6]} {number[6:14]} {number[14:]} "


def by_hand(number: str) -> str | None:
    """The baseline's normalisation: the same rules as `linkage.id_key`, in plain Python."""
    text = number.translate(str.maketrans("０１２３４５６７８９ｘＸ", "0123456789XX"))
    text = "".join(text.split()).replace("'", "").upper()[:18]
    if len(text) == 18 and text[:17].isdigit() and (text[17].isdigit() or text[17] == "X"):
        return text
    return None


def bench_exact(rng: np.random.Generator) -> None:
    people_ids, _, _ = ids_for(rng, EXACT)
    others, _, _ = ids_for(rng, EXACT - EXACT // 10)
    chosen = rng.choice(EXACT, EXACT // 10, replace=False)
    listed = [people_ids[i] for i in chosen.tolist()]
    for j in rng.choice(len(listed), len(listed) // 50, replace=False).tolist():
        listed[j] = messy(listed[j], j % 3)
    record_ids = listed + others
    people = pl.DataFrame({"pid": np.arange(EXACT), "id_number": people_ids})
    records = pl.DataFrame({"rid": np.arange(len(record_ids)), "id_number": record_ids})

    started = time.perf_counter()
    found = linkage.exact(people, records)
    seconds = time.perf_counter() - started

    started = time.perf_counter()
    index: dict[str, list[int]] = {}
    for pid, number in enumerate(people_ids):
        key = by_hand(number)
        if key is not None:
            index.setdefault(key, []).append(pid)
    pairs = 0
    for number in record_ids:
        key = by_hand(number)
        if key is not None:
            pairs += len(index.get(key, ()))
    baseline = time.perf_counter() - started

    status = "OK" if seconds <= EXACT_TARGET_S else "TOO SLOW"
    print(f"exact {EXACT:,} × {len(record_ids):,}: {seconds:.2f} s", end=" ")
    print(f"(goal ≤ {EXACT_TARGET_S} s) {status}")
    print(f"  matches {found.height:,} (planted {len(listed):,}; the dict join finds {pairs:,})")
    print(f"  baseline, a Python dict join of the same rows: {baseline:.2f} s")


def names(rng: np.random.Generator, n: int, surnames: list[str] | None = None) -> list[str]:
    pool = surnames or SURNAMES
    first = rng.integers(0, len(pool), n)
    given = rng.integers(0, len(GIVEN), (n, 2))
    two = rng.random(n) < 0.7
    return [
        pool[f] + GIVEN[g[0]] + (GIVEN[g[1]] if t else "")
        for f, g, t in zip(first.tolist(), given.tolist(), two.tolist(), strict=True)
    ]


def transpose(number: str, rng: np.random.Generator) -> str:
    """Swap two neighbouring different digits of the sequence and check part."""
    for _ in range(10):
        i = int(rng.integers(14, 17))
        if number[i] != number[i + 1]:
            return number[:i] + number[i + 1] + number[i] + number[i + 2 :]
    return number[:14] + str((int(number[14]) + 1) % 10) + number[15:]


def bench_fuzzy(rng: np.random.Generator) -> None:
    n = FUZZY
    ids, county, births = ids_for(rng, n)
    village = rng.integers(1, 21, n)
    villages = [
        f"{COUNTIES[c]}100{v:03d}" for c, v in zip(county.tolist(), village.tolist(), strict=True)
    ]
    sounding = [s for s in SURNAMES if s in HOMOPHONES]
    people_names = names(rng, n)
    # Give the people planted with a homophone a surname that has one.
    planted = n // 10  # true matches
    near = n // 10  # near-misses
    order = rng.permutation(n)
    kinds = np.arange(planted) % 4
    homophone_people = order[:planted][kinds == 1]
    for i, name in zip(
        homophone_people.tolist(), names(rng, homophone_people.size, sounding), strict=True
    ):
        people_names[i] = name
    birth_list = births.astype("datetime64[D]").astype(dt.date).tolist()
    people = pl.DataFrame(
        {"pid": np.arange(n), "id_number": ids, "name": people_names, "birth": birth_list,
         "region": villages},
        schema={"pid": pl.Int64, "id_number": pl.String, "name": pl.String, "birth": pl.Date,
                "region": pl.String},
    )  # fmt: skip

    rows: list[tuple[str | None, str, dt.date, str]] = []
    truth: set[tuple[int, int]] = set()
    for k, pid in zip(kinds.tolist(), order[:planted].tolist(), strict=True):
        name, birth, place, number = people_names[pid], birth_list[pid], villages[pid], ids[pid]
        if k == 0:  # the same person, no ID number
            row = (None, name, birth, place)
        elif k == 1:  # a homophone surname, no ID number
            row = (None, HOMOPHONES[name[0]] + name[1:], birth, place)
        elif k == 2:  # two ID digits transposed
            row = (transpose(number, rng), name, birth, place)
        else:  # no ID number, the county only
            row = (None, name, birth, place[:6])
        truth.add((pid, len(rows)))
        rows.append(row)
    others = rng.choice(order[planted:], near, replace=False)
    for j, pid in enumerate(others.tolist()):
        name, birth, place = people_names[pid], birth_list[pid], villages[pid]
        if j % 2 == 0:  # the same name and place, another birth day: another person
            shift = int(rng.integers(1, 30))
            row = (None, name, birth + dt.timedelta(days=shift), place)
        else:  # the same birth day and place, another name
            other = names(rng, 1)[0]
            while other[0] == name[0] or HOMOPHONES.get(other[0]) == name[0]:
                other = names(rng, 1)[0]
            row = (None, other, birth, place)
        rows.append(row)
    rest = n - len(rows)
    strangers, s_county, s_births = ids_for(rng, rest)
    s_village = rng.integers(1, 21, rest)
    with_id = (rng.random(rest) < 0.5).tolist()
    stranger_births = s_births.astype("datetime64[D]").astype(dt.date).tolist()
    stranger_names = names(rng, rest)
    for i in range(rest):
        place = f"{COUNTIES[int(s_county[i])]}100{int(s_village[i]):03d}"
        number = strangers[i] if with_id[i] else None
        rows.append((number, stranger_names[i], stranger_births[i], place))
    records = pl.DataFrame(
        {"rid": np.arange(len(rows)), "id_number": [r[0] for r in rows],
         "name": [r[1] for r in rows], "birth": [r[2] for r in rows],
         "region": [r[3] for r in rows]},
        schema={"rid": pl.Int64, "id_number": pl.String, "name": pl.String, "birth": pl.Date,
                "region": pl.String},
    )  # fmt: skip

    started = time.perf_counter()
    found = linkage.link(people, records)
    seconds = time.perf_counter() - started
    predicted = set(found.select("pid", "rid").iter_rows())
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth)
    status = "OK" if seconds <= FUZZY_TARGET_S else "TOO SLOW"
    print(f"fuzzy {n:,} × {records.height:,}: {seconds:.2f} s", end=" ")
    print(f"(goal ≤ {FUZZY_TARGET_S} s) {status}")
    print(
        f"  planted matches {len(truth):,}, near-misses {near:,}; linked {len(predicted):,}: "
        f"precision {precision:.4f}, recall {recall:.4f}"
    )
    by_kind = {0: "no ID", 1: "homophone", 2: "transposed ID", 3: "county only"}
    planted_pairs = list(zip(order[:planted].tolist(), range(planted), strict=True))
    for k, label in by_kind.items():
        pairs = [p for p, kind in zip(planted_pairs, kinds.tolist(), strict=True) if kind == k]
        found_k = sum(1 for p in pairs if p in predicted)
        print(f"  recall, {label}: {found_k / len(pairs):.4f}")
    wrong = predicted - truth
    near_rows = set(range(planted, planted + near))
    print(f"  near-misses linked: {sum(1 for _, r in wrong if r in near_rows):,}")


def main() -> None:
    rng = np.random.default_rng(14)
    bench_exact(rng)
    bench_fuzzy(rng)


if __name__ == "__main__":
    main()
