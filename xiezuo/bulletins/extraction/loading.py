"""The place index and the programme's sides, read from the database and cached per process.

The index is rebuilt when the region table changes (its row count and first and last codes
are checked, one cheap query). When the table is empty (a database not yet set up) the
packaged division file is indexed instead, so the command still reads place names.
"""

import csv
import gzip
from typing import TYPE_CHECKING

from xiezuo.bulletins.extraction.core import Sides
from xiezuo.bulletins.extraction.places import PlaceIndex
from xiezuo.bulletins.extraction.rules import rules

if TYPE_CHECKING:
    from xiezuo.programs.models import Programme

_cache: dict[tuple[object, ...], PlaceIndex] = {}


def division_rows() -> list[tuple[str, str, int]]:
    """(code, name, level) of the packaged division file."""
    from xiezuo.regions.services import DIVISIONS_FILE

    with gzip.open(DIVISIONS_FILE, "rt", encoding="utf-8", newline="") as handle:
        reader = csv.reader(handle)
        next(reader)
        return [(code, name, int(level)) for code, name, level, _ in reader]


def place_index_from_file() -> PlaceIndex:
    """The index of the packaged division file (cached)."""
    key: tuple[object, ...] = ("file",)
    if key not in _cache:
        _cache[key] = PlaceIndex.build(division_rows(), rules().places)
    return _cache[key]


def place_index() -> PlaceIndex:
    """The index of the region table (cached while the table is unchanged)."""
    from django.db.models import Count, Max, Min

    from xiezuo.regions.models import Region

    shape = Region.objects.aggregate(n=Count("code"), low=Min("code"), high=Max("code"))
    if not shape["n"]:
        return place_index_from_file()
    key = ("db", shape["n"], shape["low"], shape["high"])
    if key not in _cache:
        rows = list(Region.objects.values_list("code", "name", "level"))
        _cache.clear()
        _cache[key] = PlaceIndex.build(rows, rules().places)
    return _cache[key]


def sides_for(programme: "Programme | None") -> Sides:
    """The programme's provinces and pairings; Beijing helps Hebei when there is none."""
    if programme is None:
        return Sides(helper_province="11", recipient_province="13")
    pairs = tuple(programme.pairings.values_list("helper_id", "recipient_id"))
    return Sides(
        helper_province=programme.helper_province_id[:2],
        recipient_province=programme.recipient_province_id[:2],
        pairings=pairs,
    )


def programme_sides_from_file() -> Sides:
    """The sides of the packaged Beijing–Hebei programme (for the bench, no database)."""
    import tomllib

    from xiezuo.programs.services import DATA_DIR

    with (DATA_DIR / "beijing-hebei.toml").open("rb") as handle:
        raw = tomllib.load(handle)
    return Sides(
        helper_province=raw["helper_province"][:2],
        recipient_province=raw["recipient_province"][:2],
        pairings=tuple((p["helper"], p["recipient"]) for p in raw["pairings"]),
    )
