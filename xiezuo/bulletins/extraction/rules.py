"""The extraction's rules, read from `xiezuo/bulletins/data/extraction*.toml`."""

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

DATA_DIR = Path(__file__).resolve().parent.parent / "data"


@dataclass(frozen=True)
class KindRule:
    kind: str
    groups: tuple[tuple[str, ...], ...]
    excludes: tuple[str, ...]
    requires: frozenset[str]
    ledger: str
    label: str  # the kind's name on pages and in the command's table

    def fires(self, sentence: str) -> bool:
        """True when every group has a word in `sentence` and no excluded word is in it."""
        return all(any(word in sentence for word in group) for group in self.groups) and not any(
            word in sentence for word in self.excludes
        )


@dataclass(frozen=True)
class Rules:
    kinds: tuple[KindRule, ...]
    travel_verbs: tuple[str, ...]
    not_verbs: tuple[str, ...]
    places: dict[str, Any]
    leaders: dict[str, tuple[str, ...]]
    trainees: dict[str, tuple[str, ...]]
    fund_sources: dict[str, tuple[str, ...]]
    fund_default: str
    donation_goods: tuple[str, ...]


@cache
def rules() -> Rules:
    """The rules of every `extraction*.toml` in the data folder (later files add and override)."""
    raw: dict[str, Any] = {}
    for path in sorted(DATA_DIR.glob("extraction*.toml")):
        with path.open("rb") as handle:
            _merge(raw, tomllib.load(handle))
    kinds = tuple(
        KindRule(
            kind=name,
            groups=tuple(tuple(group) for group in spec["groups"]),
            excludes=tuple(spec.get("excludes", ())),
            requires=frozenset(spec.get("requires", ())),
            ledger=spec.get("ledger", ""),
            label=spec.get("label", name),
        )
        for name, spec in raw["kinds"].items()
    )
    funds = dict(raw.get("funds", {}))
    default = funds.pop("default", "财政援助")
    return Rules(
        kinds=kinds,
        travel_verbs=tuple(sorted(raw["travel"]["verbs"], key=len, reverse=True)),
        not_verbs=tuple(raw["travel"]["not_verbs"]),
        places=raw["places"],
        leaders={label: tuple(words) for label, words in raw["leaders"].items()},
        trainees={label: tuple(words) for label, words in raw["trainees"].items()},
        fund_sources={label: tuple(words) for label, words in funds.items()},
        fund_default=default,
        donation_goods=tuple(raw.get("donations", {}).get("goods", ())),
    )


def _merge(into: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def kind_names() -> dict[str, str]:
    """Return {kind: its Chinese name} (互访调研 for visit), from the rules' data."""
    return {rule.kind: rule.label for rule in rules().kinds}
