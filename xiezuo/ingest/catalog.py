"""The ledger catalog: one data file per ledger template under `catalog/`.

Each file names the ledger's key, its Chinese title, the model it loads into, its natural key
and its columns. A column has a header (the Chinese text officials see), the model field it
fills, a type, and the checks of that type. Readers, validators, loaders, template writers and
exporters all work from this one description.

Column types:

| type         | cell                                   | parameters                          |
|--------------|----------------------------------------|-------------------------------------|
| `text`       | any text                               | `max_length`                        |
| `int`        | whole number                           | `min`, `max`                        |
| `decimal`    | number (万元 or 元, 2 places)           | `min`, `max`, `places` (default 2)  |
| `year`       | a year                                 | `min`, `max` (default 2000–2035)    |
| `date`       | a date (serial, 2019-3-5, 2019年3月5日)  |                                     |
| `bool`       | 是/否                                   |                                     |
| `code`       | one label of a code list               | `codelist`                          |
| `codes`      | labels separated by 、                  | `codelist`                          |
| `region`     | a GB/T 2260 code                       | `levels`, `side` (see below)        |
| `id_number`  | a resident ID number (GB 11643)        |                                     |
| `credit_code`| a unified social credit code (GB 32100)|                                     |
| `household`  | a 户编号 that must exist (file or db)    |                                     |
| `households` | 户编号 separated by 、                   |                                     |

A region column's `levels` are among county, township, village; its `side` is helper,
recipient or programme (the code must lie inside that side of the programme).

Rules across columns (`[[rules]]`): `dates_in_order` (columns: start, end), `in_order`
(columns: a lower and an upper bound, e.g. 年龄下限, 年龄上限), `pairing` (columns:
helper, recipient — the record must fall inside a programme pairing), `member` (columns: id
number, household — the person must be a registered member of that household), `not_in_future`
(columns: years — none after the current year, nor after the row's own 年度), `household_status`
(columns: 脱贫状态, 脱贫年度, 返贫年度, 贫困户属性 — they must tell one story, DOMAIN.md §4),
`not_registered` (columns: 户编号 — not a registered poor household: the monitored ledger).
A rule's error marks every column it involves.

Top-level keys besides the columns: `attribution` and `attribution_columns` (how a row finds
its pairing, see `xiezuo.ledgers.services`), and `direction` (the field that records which way
a record goes: 派出 when the first attribution column lies in the pairing's helper, else 接收),
and `fixed` (field → value every row of the ledger gets, e.g. `registered = false` for the
monitored households; an export of the ledger reads the rows with those values), and
`replace` (headers whose values name a list, e.g. 年度 and 来源单位 of an outside list: an import
deletes the stored rows of every list it brings before loading, so a list is replaced whole).
"""

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from xiezuo.core.errors import CatalogError

CATALOG_DIR = Path(__file__).with_name("catalog")

COLUMN_TYPES = frozenset(
    {
        "text",
        "int",
        "decimal",
        "year",
        "date",
        "bool",
        "code",
        "codes",
        "region",
        "id_number",
        "credit_code",
        "household",
        "households",
    }
)
RULES = frozenset(
    {
        "dates_in_order",
        "in_order",
        "not_in_future",
        "household_status",
        "pairing",
        "member",
        "not_registered",
    }
)


@dataclass(frozen=True)
class Column:
    """One column of a ledger template."""

    header: str
    field: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    codelist: str | None = None
    levels: tuple[str, ...] = ()
    side: str | None = None
    min: float | None = None
    max: float | None = None
    max_length: int | None = None
    places: int = 2
    note: str = ""
    sample: str = ""


@dataclass(frozen=True)
class Rule:
    """A check across columns of one row."""

    rule: str
    columns: tuple[str, ...]


@dataclass(frozen=True)
class Ledger:
    """A ledger template: what an official's sheet holds and where it goes."""

    key: str
    title: str
    model: str  # "app_label.ModelName"
    natural_key: tuple[str, ...]  # headers
    columns: tuple[Column, ...]
    rules: tuple[Rule, ...] = ()
    notes: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def column(self, header: str) -> Column:
        """Return the column with this header."""
        for column in self.columns:
            if column.header == header:
                return column
        raise KeyError(header)

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


@cache
def ledgers() -> dict[str, Ledger]:
    """Return every ledger of the catalog by key, in file-name order."""
    found = {}
    for path in sorted(CATALOG_DIR.glob("*.toml")):
        ledger = _parse(path)
        found[ledger.key] = ledger
    return found


def ledger(key: str) -> Ledger:
    """Return the ledger `key`; KeyError names the known keys."""
    try:
        return ledgers()[key]
    except KeyError:
        raise KeyError(f"未知台账 {key!r}；可用: {', '.join(ledgers())}") from None


def _parse(path: Path) -> Ledger:
    with path.open("rb") as f:
        raw = tomllib.load(f)
    try:
        columns = tuple(
            Column(
                **{
                    **c,
                    "aliases": tuple(c.get("aliases", ())),
                    "levels": tuple(c.get("levels", ())),
                }
            )
            for c in raw.pop("columns")
        )
        rules = tuple(
            Rule(rule=r["rule"], columns=tuple(r["columns"])) for r in raw.pop("rules", ())
        )
        ledger = Ledger(
            key=raw.pop("key"),
            title=raw.pop("title"),
            model=raw.pop("model"),
            natural_key=tuple(raw.pop("natural_key")),
            columns=columns,
            rules=rules,
            notes=raw.pop("notes", ""),
            extra=raw,
        )
    except (KeyError, TypeError) as error:
        raise CatalogError(f"{path.name}: {error}") from error
    _check(ledger, path)
    return ledger


def _check(ledger: Ledger, path: Path) -> None:
    headers = ledger.headers
    if len(set(headers)) != len(headers):
        raise CatalogError(f"{path.name}: duplicate headers")
    for column in ledger.columns:
        if column.type not in COLUMN_TYPES:
            raise CatalogError(f"{path.name}: {column.header}: unknown type {column.type}")
        if column.type in {"code", "codes"} and not column.codelist:
            raise CatalogError(f"{path.name}: {column.header}: a code column needs a codelist")
    for name in ledger.natural_key:
        if name not in headers:
            raise CatalogError(f"{path.name}: natural key {name} is not a column")
    for rule in ledger.rules:
        if rule.rule not in RULES:
            raise CatalogError(f"{path.name}: unknown rule {rule.rule}")
        for name in rule.columns:
            if name not in headers:
                raise CatalogError(f"{path.name}: rule {rule.rule}: {name} is not a column")
