"""The indicator catalog and the targets files: data, read once, no database.

`data/indicators.toml` holds I01–I22 and O1–O4 (DOMAIN.md §3); `data/targets/<programme>.toml`
holds a programme's default targets, area weights and grade set.
"""

import tomllib
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any, Literal

from xiezuo.core.errors import CatalogError

DATA_DIR = Path(__file__).with_name("data")
KINDS = ("sum", "count", "distinct", "rate", "growth", "flag")
CUMULATIVE_KINDS = frozenset({"sum", "count", "distinct"})
ADDITIVE_KINDS = frozenset({"sum", "count", "distinct"})
UNIT_TYPES = ("pairing", "helper", "recipient", "programme")

type Kind = Literal["sum", "count", "distinct", "rate", "growth", "flag"]


@dataclass(frozen=True)
class Indicator:
    """One indicator of the catalog: what it means and how its records add up."""

    id: str
    area: str
    name_zh: str
    name_en: str
    unit: str
    direction: Literal["higher", "lower"]
    sides: Literal["both", "helper", "recipient"]
    kind: Kind
    expression: str
    sources: tuple[str, ...] = ()
    params: dict[str, Any] = field(default_factory=dict)
    cumulative: bool = True

    @property
    def unit_types(self) -> tuple[str, ...]:
        """Return the unit types the indicator is computed for."""
        sides = {"both": ("helper", "recipient"), "helper": ("helper",)}.get(
            self.sides, ("recipient",)
        )
        return ("pairing", *sides, "programme")

    @property
    def is_outcome(self) -> bool:
        return self.area == "成效"


@dataclass(frozen=True)
class GradeBand:
    grade: str
    min_score: Decimal


@dataclass(frozen=True)
class TargetDefaults:
    """A targets file: per-pairing-year targets, per-indicator weights and the grade set."""

    years: tuple[int, ...]
    targets: dict[str, Decimal]
    weights: dict[str, Decimal]
    grades: tuple[GradeBand, ...]


@cache
def indicators(path: Path | None = None) -> tuple[Indicator, ...]:
    """Return the catalog's indicators in catalog order."""
    with (path or DATA_DIR / "indicators.toml").open("rb") as f:
        raw = tomllib.load(f)["indicator"]
    found = tuple(_indicator(item) for item in raw)
    ids = [i.id for i in found]
    if len(set(ids)) != len(ids):
        raise CatalogError("指标目录中有重复的指标编号", ids=ids)
    return found


def indicator(indicator_id: str) -> Indicator:
    """Return one indicator of the catalog."""
    for item in indicators():
        if item.id == indicator_id:
            return item
    raise CatalogError(f"没有指标 {indicator_id}", indicator=indicator_id)


def areas() -> list[str]:
    """Return the areas in catalog order."""
    return list(dict.fromkeys(i.area for i in indicators()))


def targets_file(programme_key: str) -> Path:
    """Return the default targets file of a programme."""
    return DATA_DIR / "targets" / f"{programme_key}.toml"


def target_defaults(path: Path) -> TargetDefaults:
    """Read a targets file; weights are the area weights split evenly inside each area."""
    if not path.exists():
        raise CatalogError(f"找不到考核目标文件 {path}", path=str(path))
    with path.open("rb") as f:
        raw = tomllib.load(f)
    catalog = indicators()
    known = {i.id for i in catalog}
    if unknown := sorted(set(raw.get("targets", {})) - known):
        raise CatalogError("目标文件中有未知指标: " + ", ".join(unknown), indicators=unknown)
    area_weights = {area: Decimal(str(w)) for area, w in raw.get("areas", {}).items()}
    if unknown_areas := sorted(set(area_weights) - set(areas())):
        raise CatalogError("目标文件中有未知领域: " + "、".join(unknown_areas))
    per_area: dict[str, int] = {}
    for item in catalog:
        per_area[item.area] = per_area.get(item.area, 0) + 1
    weights = {
        item.id: (area_weights.get(item.area, Decimal(0)) / per_area[item.area]).quantize(
            Decimal("0.0001")
        )
        for item in catalog
    }
    grades = tuple(
        GradeBand(str(g["grade"]), Decimal(str(g["min_score"]))) for g in raw.get("grades", [])
    )
    return TargetDefaults(
        years=tuple(raw.get("years", ())),
        targets={k: Decimal(str(v)) for k, v in raw.get("targets", {}).items()},
        weights=weights,
        grades=tuple(sorted(grades, key=lambda g: g.min_score, reverse=True)),
    )


def _indicator(item: dict[str, Any]) -> Indicator:
    kind = item.get("kind")
    if kind not in KINDS:
        raise CatalogError(f"指标 {item.get('id')} 的类型 {kind!r} 无效", indicator=item.get("id"))
    if item.get("direction") not in ("higher", "lower"):
        raise CatalogError(f"指标 {item['id']} 的方向无效", indicator=item["id"])
    if item.get("sides") not in ("both", "helper", "recipient"):
        raise CatalogError(f"指标 {item['id']} 的适用方无效", indicator=item["id"])
    return Indicator(
        id=item["id"],
        area=item["area"],
        name_zh=item["name_zh"],
        name_en=item["name_en"],
        unit=item["unit"],
        direction=item["direction"],
        sides=item["sides"],
        kind=kind,
        expression=item["expression"],
        sources=tuple(item.get("sources", ())),
        params=dict(item.get("params", {})),
        cumulative=item.get("cumulative", kind in CUMULATIVE_KINDS),
    )
