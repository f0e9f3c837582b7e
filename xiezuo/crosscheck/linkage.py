"""Record linkage: which registered person is which row of an outside list.

Pure functions over Polars frames; no ORM here. Both sides are frames of people:

- people (the register): `pid` (Int64), `id_number`, `name`, `birth` (Date), `region` (the
  household's village code);
- records (a list): `rid` (Int64), `id_number` (may be empty), `name`, `birth`, `region`.

`exact` joins on the normalised ID number (`id_key`: the registry's normal form — half-width,
no spaces, upper-case X — cut to the 18 characters of the person's ID, so a disability
certificate number finds its holder). `fuzzy` links the list rows left over (no ID number, or
one that matches no one) by name, birth date and place: candidate pairs share a blocking key;
each field scores 0–1 (RapidFuzz for names, pinyin for homophones); the score is the weighted
mean; thresholds, weights and blocks are data (`data/linkage.toml`). `link` runs both.
"""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import polars as pl

__all__ = [
    "Settings",
    "exact",
    "fuzzy",
    "id_key",
    "link",
    "pair_evidence",
    "settings",
    "sound_keys",
]

DATA = Path(__file__).with_name("data") / "linkage.toml"
ID_PATTERN = r"^[0-9]{17}[0-9X]$"
# An ID number (or a disability certificate number) already in the registry's normal form.
CLEAN_PATTERN = r"^[0-9]{17}[0-9X](?:[0-9]{2}){0,2}$"
_FULL_WIDTH = [chr(0xFF10 + i) for i in range(10)] + ["Ｘ", "ｘ"]
_HALF_WIDTH = [str(i) for i in range(10)] + ["X", "X"]
# What a pair's columns are called on each side after the join.
PEOPLE_COLUMNS = ("pid", "id_number", "name", "birth", "region")
RECORD_COLUMNS = ("rid", "id_number", "name", "birth", "region")


@dataclass(frozen=True)
class Settings:
    """The linkage's thresholds, weights and blocking keys (`data/linkage.toml`)."""

    threshold: float
    floor: float
    blocks: tuple[tuple[str, ...], ...]
    blocks_without_place: tuple[tuple[str, ...], ...]
    lists_without_place: frozenset[str]
    weights: dict[str, float]
    name: dict[str, float]
    birth: dict[str, float]
    place: dict[str, float]
    max_id_edits: int

    @classmethod
    def from_toml(cls, raw: dict[str, Any]) -> "Settings":
        return cls(
            threshold=float(raw["threshold"]),
            floor=float(raw["floor"]),
            blocks=tuple(tuple(b) for b in raw["blocks"]),
            blocks_without_place=tuple(tuple(b) for b in raw["blocks_without_place"]),
            lists_without_place=frozenset(raw.get("lists_without_place", ())),
            weights={k: float(v) for k, v in raw["weights"].items()},
            name={k: float(v) for k, v in raw["name"].items()},
            birth={k: float(v) for k, v in raw["birth"].items()},
            place={k: float(v) for k, v in raw["place"].items()},
            max_id_edits=int(raw["id"]["max_edits"]),
        )


@cache
def settings() -> Settings:
    """Return the linkage settings of `data/linkage.toml`."""
    with DATA.open("rb") as handle:
        return Settings.from_toml(tomllib.load(handle))


def id_text(column: "pl.Expr") -> "pl.Expr":
    """Return ID numbers as the registry writes them: half-width, without spaces or the Excel
    text apostrophe, upper-case X, cut to 18 characters; empty stays null."""
    import polars as pl

    text = (
        column.cast(pl.String)
        .str.replace_many(_FULL_WIDTH, _HALF_WIDTH)
        .str.replace_all(r"[\s'\u3000]", "")
        .str.to_uppercase()
        .str.slice(0, 18)
    )
    return pl.when(text.str.len_chars() > 0).then(text)


def id_key(column: "pl.Expr") -> "pl.Expr":
    """Return the normalised ID number when it has the shape of one (17 digits and a check
    character), else null: the key of the exact join."""
    import polars as pl

    text = id_text(column)
    return pl.when(text.str.contains(ID_PATTERN)).then(text)


def _keys(frame: "pl.DataFrame", name: str) -> "pl.LazyFrame":
    """Return (name, key) of the rows with an ID number: numbers already in normal form (most
    of them) are only cut to 18 characters; the others go through `id_key`."""
    import polars as pl

    raw = frame.lazy().select(name, pl.col("id_number").cast(pl.String).alias("raw"))
    raw = raw.with_columns(pl.col("raw").str.contains(CLEAN_PATTERN).fill_null(False).alias("ok"))
    clean = raw.filter(pl.col("ok")).select(name, pl.col("raw").str.slice(0, 18).alias("key"))
    messy = (
        raw.filter(~pl.col("ok") & pl.col("raw").is_not_null())
        .select(name, id_key(pl.col("raw")).alias("key"))
        .drop_nulls("key")
    )
    # Joined as one integer (17 digits × 11 + the check character, X = 10): twice as fast
    # as joining the strings.
    key = pl.col("key")
    check = key.str.slice(17, 1)
    number = key.str.slice(0, 17).cast(pl.UInt64) * 11 + pl.when(check == "X").then(
        pl.lit(10, dtype=pl.UInt64)
    ).otherwise(check.cast(pl.UInt64))
    return pl.concat([clean, messy]).select(name, number.alias("key"))


def exact(people: "pl.DataFrame", records: "pl.DataFrame") -> "pl.DataFrame":
    """Return (pid, rid) of every person and list row whose normalised ID numbers agree."""
    left = _keys(people, "pid")
    right = _keys(records, "rid")
    return left.join(right, on="key", how="inner").select("pid", "rid").collect()


def sound_keys(names: "pl.Series") -> "pl.Series":
    """Return each name's pinyin without tones ("张伟" and "章伟" → "zhangwei").

    Pinyin is looked up once per distinct character (`_spelled`), then names are spelled from
    that table inside Polars.
    """
    import polars as pl

    characters = sorted(set("".join(names.drop_nulls().unique().to_list())))
    table = {c: _spelled(c) for c in characters}
    spelled = (
        names.str.split("")
        .list.eval(pl.element().replace_strict(table, default="", return_dtype=pl.String))
        .list.join("")
    )
    return pl.select(pl.when(spelled != "").then(spelled)).to_series().alias(names.name)


@cache
def _spelled(character: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return lazy_pinyin(character, style=Style.NORMAL)[0].lower()


def _prepared(frame: "pl.DataFrame", key: str) -> "pl.DataFrame":
    """Return the frame's linkage columns and the cheap derived ones (id, county,
    birth_year); the name's sound comes later, for the rows that can meet at all."""
    import polars as pl

    frame = frame.select(
        pl.col(key),
        pl.col("id_number"),
        pl.col("name").cast(pl.String).str.replace_all(r"\s", ""),
        pl.col("birth").cast(pl.Date),
        pl.col("region").cast(pl.String),
    )
    return frame.with_columns(
        id_text(pl.col("id_number")).alias("id"),
        pl.col("region").str.slice(0, 6).alias("county"),
        pl.col("birth").dt.year().alias("birth_year"),
    )


def _sounded(frame: "pl.DataFrame") -> "pl.DataFrame":
    return frame.with_columns(sound_keys(frame.get_column("name")).alias("sound"))


def fuzzy(
    people: "pl.DataFrame",
    records: "pl.DataFrame",
    *,
    place: bool = True,
    config: Settings | None = None,
) -> "pl.DataFrame":
    """Return the candidate pairs of `people` and `records` scoring at least the floor.

    Columns: pid, rid, score, matched (score ≥ threshold), the field scores (name_score,
    birth_score, place_score — null without place), id_edits (null unless both sides carry
    an ID number) and both sides' fields (name, birth, region, id; `_r` for the record).
    `place` False for a list whose region is not where the person lives (properties).
    """
    import polars as pl
    from rapidfuzz.distance import OSA, Indel
    from rapidfuzz.process import cpdist

    config = config or settings()
    if people.is_empty() or records.is_empty():
        return _empty_pairs()
    left = _prepared(people, "pid")
    right = _prepared(records, "rid")
    blocks = config.blocks if place else config.blocks_without_place
    # Only people who can share a block with some list row (and the other way round) need
    # their name's sound: keep the rows that agree on what every block holds (a birth date
    # implies its year).
    held = [set(b) | ({"birth_year"} if "birth" in b else set()) for b in blocks]
    reach = sorted(set.intersection(*held) - {"sound"})
    if reach:
        left = left.join(right.select(reach).unique(), on=reach, how="semi")
        right = right.join(left.select(reach).unique(), on=reach, how="semi")
    left, right = _sounded(left), _sounded(right)
    if left.is_empty() or right.is_empty():
        return _empty_pairs()
    pairs = pl.concat(
        [
            left.select("pid", *block)
            .drop_nulls(list(block))
            .join(right.select("rid", *block).drop_nulls(list(block)), on=list(block))
            .select("pid", "rid")
            for block in blocks
        ]
    ).unique()
    if pairs.is_empty():
        return _empty_pairs()
    fields = ["name", "birth", "region", "id", "sound"]
    pairs = pairs.join(left.select("pid", *fields), on="pid").join(
        right.select("rid", *fields).rename({f: f + "_r" for f in fields}), on="rid"
    )
    # ID numbers on both sides that differ: a slip of a digit or two, or another person.
    both = pairs.get_column("id").is_not_null() & pairs.get_column("id_r").is_not_null()
    edits = pl.Series(
        "id_edits",
        cpdist(
            pairs.get_column("id").fill_null("").to_list(),
            pairs.get_column("id_r").fill_null("").to_list(),
            scorer=OSA.distance,
            workers=1,
        ),
        dtype=pl.Int64,
    )
    pairs = pairs.with_columns(pl.when(both).then(edits).alias("id_edits")).filter(
        pl.col("id_edits").is_null() | (pl.col("id_edits") <= config.max_id_edits)
    )
    similarity = pl.Series(
        "similarity",
        cpdist(
            pairs.get_column("name").fill_null("").to_list(),
            pairs.get_column("name_r").fill_null("").to_list(),
            scorer=Indel.normalized_similarity,
            workers=1,
        ),
        dtype=pl.Float64,
    )
    n = config.name
    b = config.birth
    p = config.place
    w = config.weights
    name_score = (
        pl.when(pl.col("name") == pl.col("name_r"))
        .then(1.0)
        .when(pl.col("sound") == pl.col("sound_r"))
        .then(n["homophone"])
        .otherwise(similarity * n["other_factor"])
    )
    swapped = (
        (pl.col("birth").dt.year() == pl.col("birth_r").dt.year())
        & (pl.col("birth").dt.month() == pl.col("birth_r").dt.day())
        & (pl.col("birth").dt.day() == pl.col("birth_r").dt.month())
    )
    birth_score = (
        pl.when(pl.col("birth") == pl.col("birth_r"))
        .then(b["same"])
        .when(swapped)
        .then(b["day_and_month_swapped"])
        .otherwise(b["other"])
    )
    length = pl.col("region_r").str.len_chars()
    place_score = (
        pl.when((length >= 12) & (pl.col("region_r") == pl.col("region").str.slice(0, 12)))
        .then(p["village"])
        .when(
            (length >= 9) & (pl.col("region_r").str.slice(0, 9) == pl.col("region").str.slice(0, 9))
        )
        .then(p["township"])
        .when(pl.col("region_r").str.slice(0, 6) == pl.col("region").str.slice(0, 6))
        .then(p["county"])
        .otherwise(p["other"])
    )
    pairs = pairs.with_columns(
        name_score.alias("name_score"),
        birth_score.alias("birth_score"),
        (place_score if place else pl.lit(None, dtype=pl.Float64)).alias("place_score"),
    )
    total = w["name"] + w["birth"] + (w["place"] if place else 0.0)
    weighted = w["name"] * pl.col("name_score") + w["birth"] * pl.col("birth_score")
    if place:
        weighted = weighted + w["place"] * pl.col("place_score")
    return (
        pairs.with_columns((weighted / total).round(4).alias("score"))
        .filter(pl.col("score") >= config.floor)
        .with_columns((pl.col("score") >= config.threshold).alias("matched"))
        .select(_PAIR_COLUMNS)
        .sort("pid", "rid")
    )


_PAIR_COLUMNS = [
    "pid",
    "rid",
    "score",
    "matched",
    "name_score",
    "birth_score",
    "place_score",
    "id_edits",
    "name",
    "name_r",
    "birth",
    "birth_r",
    "region",
    "region_r",
    "id",
    "id_r",
]


def _empty_pairs() -> "pl.DataFrame":
    import polars as pl

    schema: dict[str, Any] = {
        "pid": pl.Int64,
        "rid": pl.Int64,
        "score": pl.Float64,
        "matched": pl.Boolean,
        "name_score": pl.Float64,
        "birth_score": pl.Float64,
        "place_score": pl.Float64,
        "id_edits": pl.Int64,
        "name": pl.String,
        "name_r": pl.String,
        "birth": pl.Date,
        "birth_r": pl.Date,
        "region": pl.String,
        "region_r": pl.String,
        "id": pl.String,
        "id_r": pl.String,
    }
    return pl.DataFrame(schema=schema)


def link(
    people: "pl.DataFrame",
    records: "pl.DataFrame",
    *,
    fuzzy_too: bool = True,
    place: bool = True,
    config: Settings | None = None,
) -> "pl.DataFrame":
    """Return the matches of `people` in `records`: pid, rid, match ("exact" | "fuzzy"),
    score (1.0 for exact), and for fuzzy matches the pair's columns (see `fuzzy`).

    Exact matches first; list rows that matched exactly are not linked again by name. Only
    fuzzy pairs at or above the threshold are returned.
    """
    import polars as pl

    found = exact(people, records).with_columns(
        pl.lit("exact").alias("match"), pl.lit(1.0).alias("score")
    )
    if not fuzzy_too:
        return found
    rest = records.join(found.select("rid").unique(), on="rid", how="anti")
    pairs = fuzzy(people, rest, place=place, config=config).filter(pl.col("matched"))
    pairs = pairs.drop("matched").with_columns(pl.lit("fuzzy").alias("match"))
    return pl.concat([found, pairs], how="diagonal_relaxed")


def pair_evidence(pair: dict[str, Any], *, place: bool = True) -> dict[str, Any]:
    """Return a fuzzy pair's evidence: which fields agreed, which differed (with both
    values), and the field scores."""
    agreed: list[str] = []
    differed: list[dict[str, Any]] = []

    def compare(label: str, mine: Any, theirs: Any, score: float | None, note: str = "") -> None:
        if score is not None and score >= 1.0:
            agreed.append(label)
        else:
            entry = {"field": label, "registry": _text(mine), "list": _text(theirs)}
            if note:
                entry["note"] = note
            differed.append(entry)

    name_note = ""
    if pair["name"] != pair["name_r"] and pair["name_score"] >= settings().name["homophone"]:
        name_note = "同音"
    compare("姓名", pair["name"], pair["name_r"], pair["name_score"], name_note)
    birth_note = "日月颠倒" if 0 < pair["birth_score"] < 1 else ""
    compare("出生日期", pair["birth"], pair["birth_r"], pair["birth_score"], birth_note)
    if place:
        levels = settings().place
        names = {levels["township"]: "同乡镇", levels["county"]: "同县"}
        level = names.get(pair["place_score"], "")
        compare("区划代码", pair["region"], pair["region_r"], pair["place_score"], level)
    if pair.get("id_edits") is not None:
        compare("证件号码", pair["id"], pair["id_r"], None, f"相差 {pair['id_edits']} 处")
    return {
        "agreed": agreed,
        "differed": differed,
        "scores": {
            "name": pair["name_score"],
            "birth": pair["birth_score"],
            **({"place": pair["place_score"]} if place else {}),
        },
    }


def _text(value: Any) -> str:
    if value is None:
        return ""
    return value.isoformat() if hasattr(value, "isoformat") else str(value)
