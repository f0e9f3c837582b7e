"""Writes for programmes: load a programme's configuration from its data file."""

import datetime as dt
import tomllib
from decimal import Decimal
from pathlib import Path

from django.db import transaction

from xiezuo.core import codes
from xiezuo.core.errors import XiezuoError
from xiezuo.core.versions import REGISTRY, version_bump
from xiezuo.programs.models import Pairing, PovertyLine, Programme
from xiezuo.regions.models import Region

DATA_DIR = Path(__file__).with_name("data")


def programme_file(key: str) -> Path:
    """Return the data file of a built-in programme."""
    path = DATA_DIR / f"{key}.toml"
    if not path.exists():
        known = ", ".join(sorted(p.stem for p in DATA_DIR.glob("*.toml")))
        raise XiezuoError(f"没有名为 {key} 的项目配置（可用: {known}）", key=key)
    return path


@transaction.atomic
def programme_load(*, key: str = "beijing-hebei", path: Path | None = None) -> Programme:
    """Create or update a programme, its poverty lines and its pairings from its data file."""
    with (path or programme_file(key)).open("rb") as f:
        config = tomllib.load(f)
    _check_regions(config)
    programme, _ = Programme.objects.update_or_create(
        key=config["key"],
        defaults={
            "name": config["name"],
            "start_year": config["start_year"],
            "end_year": config["end_year"],
            "helper_province_id": config["helper_province"],
            "recipient_province_id": config["recipient_province"],
            "fund_envelope": Decimal(config["fund_envelope"]),
            "description": config.get("description", ""),
        },
    )
    for line in config.get("poverty_lines", []):
        PovertyLine.objects.update_or_create(
            programme=programme,
            year=line["year"],
            standard=line.get("standard", PovertyLine.Standard.NATIONAL),
            defaults={"yuan_per_person": Decimal(line["yuan"]), "note": line.get("note", "")},
        )
    start = dt.date.fromisoformat(config["start_date"])
    end = dt.date.fromisoformat(config["end_date"])
    keep = []
    for pair in config.get("pairings", []):
        pairing, _ = Pairing.objects.update_or_create(
            programme=programme,
            helper_id=pair["helper"],
            recipient_id=pair["recipient"],
            defaults={
                "start_date": dt.date.fromisoformat(pair.get("start_date", config["start_date"]))
                if "start_date" in pair
                else start,
                "end_date": dt.date.fromisoformat(pair["end_date"]) if "end_date" in pair else end,
                "provenance": pair.get("provenance", Pairing.Provenance.CONFIRMED),
                "source": pair.get("source", ""),
            },
        )
        keep.append(pairing.pk)
    programme.pairings.exclude(pk__in=keep).delete()
    version_bump(REGISTRY)  # the pairings decide which counties the overview shows
    return programme


def _check_regions(config: dict) -> None:
    helper_prov, recipient_prov = config["helper_province"], config["recipient_province"]
    needed = {helper_prov, recipient_prov}
    for pair in config.get("pairings", []):
        needed |= {pair["helper"], pair["recipient"]}
        if not codes.contains(helper_prov, pair["helper"]):
            raise XiezuoError(f"帮扶方 {pair['helper']} 不在帮扶省份 {helper_prov} 内")
        if not codes.contains(recipient_prov, pair["recipient"]):
            raise XiezuoError(f"受援方 {pair['recipient']} 不在受援省份 {recipient_prov} 内")
    found = set(Region.objects.filter(code__in=needed).values_list("code", flat=True))
    if missing := sorted(needed - found):
        raise XiezuoError(
            "项目配置引用了不存在的区划代码，请先加载区划: " + ", ".join(missing), codes=missing
        )
