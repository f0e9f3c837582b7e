"""Run the cross-checks of a year: the register against the outside lists and against itself.

`flags_for` reads the year's register and the lists through `lists` (scoped by the caller's
access), links people to list rows (`linkage`), keeps the linked rows each rule's condition
accepts (`rules`) and returns one `Flag` per registered person, rule and list row, sorted by
household, person and rule.
"""

from typing import TYPE_CHECKING, Any

from xiezuo.access import Access, Verb
from xiezuo.access.masking import masked
from xiezuo.access.rules import Kind
from xiezuo.crosscheck import linkage
from xiezuo.crosscheck.flags import Flag
from xiezuo.crosscheck.lists import list_frame, programme_ids, register_people
from xiezuo.crosscheck.rules import Rule, rules

if TYPE_CHECKING:
    import polars as pl

__all__ = ["flags_for"]

# Frame column → model field, where the list frame renames a field.
_FRAME_NAMES = {"region_id": "region_record", "birth_date": "birth_record", "year": "list_year"}


def flags_for(
    *, access: Access, year: int, region: str | None = None, fuzzy: bool = True
) -> list[Flag]:
    """Return the flags of `year` for the households the caller reads, inside `region` when
    given; `fuzzy` False links by ID number only."""
    access.check(Verb.VIEW_CROSSCHECKS)
    people = register_people(access=access, year=year, region=region)
    if people.is_empty():
        return []
    config = linkage.settings()
    flags: list[Flag] = []
    linked: dict[str, tuple[pl.DataFrame, pl.DataFrame]] = {}
    for rule in rules():
        if rule.on_registry:
            flags.extend(_duplicates(access, rule, year, people))
            continue
        if rule.list not in linked:
            records = list_frame(access=access, key=rule.list, year=year)
            place = rule.list not in config.lists_without_place
            pairs = linkage.link(people, records, fuzzy_too=fuzzy, place=place, config=config)
            linked[rule.list] = (records, pairs)
        records, pairs = linked[rule.list]
        flags.extend(_list_flags(access, rule, year, people, records, pairs))
    flags.sort(key=lambda f: (f.household, f.person, f.rule, f.record_id or 0))
    return flags


def _list_flags(
    access: Access,
    rule: Rule,
    year: int,
    people: "pl.DataFrame",
    records: "pl.DataFrame",
    pairs: "pl.DataFrame",
) -> list[Flag]:
    import polars as pl

    from xiezuo.ingest import catalog

    if pairs.is_empty():
        return []
    shown = records.rename({"region": "region_record", "birth": "birth_record"}).drop(
        "name", "id_number"
    )
    names = {"id_number": "id_record", "name": "name_record"}
    frame = (
        pairs.select(
            "pid",
            "rid",
            "match",
            "score",
            *(c for c in pairs.columns if c not in {"pid", "rid", "match", "score"}),
        )
        .rename(
            {c: f"pair_{c}" for c in pairs.columns if c not in {"pid", "rid", "match", "score"}}
        )
        .join(
            people.select(
                "pid", "household_id", "household", "person", pl.col("region").alias("village")
            ),
            on="pid",
        )
        .join(shown, on="rid")
        .join(records.select("rid", *names).rename(names), on="rid")
        .filter(rule.condition_expr(year))
    )
    ledger = catalog.ledger(rule.list)
    place = rule.list not in linkage.settings().lists_without_place
    flags = []
    for row in frame.iter_rows(named=True):
        hidden = access.masks("registry.Member", row["village"])
        record: dict[str, Any] = {}
        for column in ledger.columns:
            name = _FRAME_NAMES.get(column.field, column.field)
            name = {"id_number": "id_record", "name": "name_record"}.get(name, name)
            value = row.get(name)
            if hidden and column.field in {"id_number", "birth_date"} and value:
                value = masked(
                    Kind.ID_NUMBER if column.field == "id_number" else Kind.BIRTH_DATE, value
                )
            record[column.header] = _text(value)
        if row["match"] == "exact":
            link: dict[str, Any] = {"agreed": ["证件号码"], "differed": []}
        else:
            pair = {k.removeprefix("pair_"): v for k, v in row.items() if k.startswith("pair_")}
            link = linkage.pair_evidence(pair, place=place)
            if hidden:
                link = _masked_link(link)
        flags.append(
            Flag(
                household=row["household"],
                person=masked(Kind.ID_NUMBER, row["person"]) if hidden else row["person"],
                rule=rule.key,
                source=rule.list,
                match=row["match"],
                score=round(float(row["score"]), 4),
                evidence={
                    "label": rule.label,
                    "severity": rule.severity,
                    "explanation": rule.explanation,
                    "record": record,
                    **link,
                },
                year=year,
                member_id=row["pid"],
                household_id=row["household_id"],
                record_id=row["rid"],
                severity=rule.severity,
            )
        )
    return flags


def _duplicates(access: Access, rule: Rule, year: int, people: "pl.DataFrame") -> list[Flag]:
    """Flags of people whose normalised ID number is also on another household of the
    programme's register of the year (as a member or as the householder)."""
    import polars as pl

    everyone = programme_ids(access=access, year=year)
    if everyone.is_empty():
        return []
    key = linkage.id_key(pl.col("id_number"))
    mine = people.select(
        "pid",
        "household_id",
        "household",
        "person",
        pl.col("region").alias("village"),
        key.alias("key"),
    ).drop_nulls("key")
    others = everyone.select(
        pl.col("household_id").alias("other_id"),
        pl.col("household").alias("other_household"),
        pl.col("county").alias("other_county"),
        pl.col("pid").alias("other_pid"),
        pl.col("as").alias("other_as"),
        key.alias("key"),
    ).drop_nulls("key")
    found = (
        mine.join(others, on="key")
        .filter(pl.col("household_id") != pl.col("other_id"))
        .unique(subset=["pid", "other_id"], keep="first")
        .sort("household", "person", "other_household")
    )
    flags = []
    for row in found.iter_rows(named=True):
        hidden = access.masks("registry.Member", row["village"])
        flags.append(
            Flag(
                household=row["household"],
                person=masked(Kind.ID_NUMBER, row["person"]) if hidden else row["person"],
                rule=rule.key,
                source="registry",
                match="exact",
                score=1.0,
                evidence={
                    "label": rule.label,
                    "severity": rule.severity,
                    "explanation": rule.explanation,
                    "record": {
                        "户编号": row["other_household"],
                        "县代码": row["other_county"],
                        "登记为": "户主" if row["other_as"] == "householder" else "家庭成员",
                    },
                    "agreed": ["证件号码"],
                    "differed": [],
                },
                year=year,
                member_id=row["pid"],
                household_id=row["household_id"],
                record_id=row["other_pid"],
                severity=rule.severity,
            )
        )
    return flags


def _masked_link(link: dict[str, Any]) -> dict[str, Any]:
    differed = []
    for entry in link["differed"]:
        if entry["field"] in {"证件号码", "出生日期"}:
            kind = Kind.ID_NUMBER if entry["field"] == "证件号码" else Kind.BIRTH_DATE
            entry = {
                **entry,
                "registry": masked(kind, entry["registry"]),
                "list": masked(kind, entry["list"]),
            }
        differed.append(entry)
    return {**link, "differed": differed}


def _text(value: Any) -> Any:
    if value is None:
        return ""
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
