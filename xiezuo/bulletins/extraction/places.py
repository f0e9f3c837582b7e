"""Place names in a bulletin's text, resolved to region codes.

`PlaceIndex` is built once from the region table's rows (code, name, level) and finds names
in a sentence, longest first: provinces (北京市, 北京, 河北省, 河北, 我省), cities (承德市, 承德),
counties with and without their suffix (丰宁满族自治县, 丰宁县, 丰宁), townships (黄旗镇) and
villages by their common name (城根营村民委员会 is written 城根营村). A name that several
regions carry (南关村, 桥西区) is resolved by the county, township or city mentioned just
before it in the text; one left ambiguous is dropped.

Codes come out as the region table writes them, except a province, which comes out as its
2-digit code ("11", "13") as the extraction's contract asks (`contract_code`).
"""

import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from xiezuo.core.codes import Level, level_of


@dataclass(frozen=True)
class Mention:
    """A place name found in a sentence: where, what text, and the region it names."""

    start: int
    end: int
    text: str
    code: str  # the region table's code (6, 9 or 12 digits)

    @property
    def level(self) -> Level:
        return level_of(self.code)


def contract_code(code: str) -> str:
    """A region code as the extraction prints it: a province as 2 digits, others unchanged."""
    return code[:2] if level_of(code) is Level.PROVINCE else code


def table_code(code: str) -> str:
    """The region table's code for a printed one ("11" → "110000")."""
    return code + "0000" if len(code) == 2 else code


@dataclass
class PlaceIndex:
    """Names → candidate region codes; built by `PlaceIndex.build`."""

    names: dict[str, list[str]] = field(default_factory=dict)
    longest: int = 0
    region_names: dict[str, str] = field(default_factory=dict)
    # The lengths of the names starting with each two characters, longest first.
    lengths: dict[str, tuple[int, ...]] = field(default_factory=dict)

    @classmethod
    def build(cls, rows: Iterable[tuple[str, str, int]], rules: dict[str, Any]) -> "PlaceIndex":
        """Index the regions `rows` ((code, name, level) of the region table) with the
        `[places]` rules of extraction.toml."""
        full: dict[str, list[str]] = defaultdict(list)
        short: dict[str, list[str]] = defaultdict(list)
        stop = set(rules.get("short_stop", []))
        suffixes = rules.get("county_suffixes", [])
        village_suffixes = dict(rules.get("village_suffixes", []))
        # One pass per name: the longest suffix that ends it (alternatives longest first).
        village_end = re.compile(
            "(" + "|".join(map(re.escape, sorted(village_suffixes, key=len, reverse=True))) + ")$"
        )
        region_names: dict[str, str] = {}
        for code, name, level in rows:
            region_names[code] = name
            if level == Level.PROVINCE:
                continue  # provinces come from the rules' names
            if level == Level.CITY:
                if name in ("市辖区", "县"):
                    continue
                full[name].append(code)
                base = name.removesuffix("市")
                if base != name and len(base) >= 2 and base not in stop:
                    short[base].append(code)
            elif level == Level.COUNTY:
                full[name].append(code)
                for suffix in suffixes:
                    if name.endswith(suffix) and len(name) > len(suffix) + 1:
                        base = name[: -len(suffix)]
                        if base in stop:
                            break
                        short[base].append(code)
                        if suffix.endswith("县") and suffix != "县":
                            short[base + "县"].append(code)
                        break
            elif level == Level.TOWNSHIP:
                full[name].append(code)
            else:
                end = village_end.search(name) if village_suffixes else None
                common = name[: end.start()] + village_suffixes[end[1]] if end else name
                if len(common) >= 3:
                    full[common].append(code)
        names: dict[str, list[str]] = dict(full)
        for name, codes in short.items():
            if name in names:
                continue  # a full name wins over another region's short one
            cities = [code for code in codes if level_of(code) is Level.CITY]
            names[name] = cities or codes  # 承德 is the city, not 承德县
        for province, aliases in rules.get("provinces", {}).items():
            for alias in aliases:
                names[alias] = [table_code(province)]
        longest = max((len(name) for name in names), default=0)
        by_start: dict[str, set[int]] = defaultdict(set)
        for name in names:
            by_start[name[:2]].add(len(name))
        lengths = {start: tuple(sorted(sizes, reverse=True)) for start, sizes in by_start.items()}
        return cls(names=names, longest=longest, region_names=region_names, lengths=lengths)

    def find(self, text: str, *, context: list[str] | None = None) -> list[Mention]:
        """The place names in `text`, left to right, longest match first, resolved.

        `context` holds the codes mentioned before (earlier sentences), latest last; it is
        extended with this text's resolved mentions."""
        seen = context if context is not None else []
        found: list[Mention] = []
        position = 0
        size = len(text)
        while position < size:
            for length in self.lengths.get(text[position : position + 2], ()):
                if position + length > size:
                    continue
                name = text[position : position + length]
                candidates = self.names.get(name)
                if candidates is None:
                    continue
                code = _resolve(candidates, seen)
                if code is not None:
                    found.append(Mention(position, position + length, name, code))
                    seen.append(code)
                position += length
                break
            else:
                position += 1
        return found


def _resolve(candidates: list[str], seen: list[str]) -> str | None:
    """The candidate inside the latest mentioned region that contains one; a lone candidate
    when nothing mentioned decides; otherwise None (ambiguous)."""
    if len(candidates) == 1:
        code = candidates[0]
        if level_of(code) < Level.VILLAGE:
            return code
    for earlier in reversed(seen):
        if level_of(earlier) < Level.CITY:
            continue
        prefix = earlier[
            : {Level.CITY: 4, Level.COUNTY: 6, Level.TOWNSHIP: 9}.get(level_of(earlier), 12)
        ]
        inside = [code for code in candidates if code.startswith(prefix) and code != earlier]
        if len(inside) == 1:
            return inside[0]
        if len(inside) > 1:
            return None
    if len(candidates) == 1:
        return candidates[0]  # a village named once in the whole table, with no county about
    return None
