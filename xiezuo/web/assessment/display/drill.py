"""The drill-down page: how a number was computed and the records behind it."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import models

from xiezuo.access import Access
from xiezuo.assessment.catalog import Indicator
from xiezuo.assessment.models import (
    IndicatorResult,
)
from xiezuo.assessment.tables import TABLES
from xiezuo.web.assessment.display._common import (
    KIND_TEXT,
    plain,
)

# --- the drill-down page ------------------------------------------------------------------------


def computation(indicator: Indicator, result: IndicatorResult) -> list[str]:
    """Return how a value was computed, in lines a reader can check against the records."""
    lines = [KIND_TEXT[indicator.kind]]
    if indicator.params:
        lines.append(
            "参数："
            + "；".join(f"{key} = {_param(value)}" for key, value in indicator.params.items())
        )
    if result.numerator is not None or result.denominator is not None:
        num, den = plain(result.numerator), plain(result.denominator)
        if indicator.kind == "growth":
            lines.append(f"本年 {num} ÷ 上年 {den}")
        else:
            lines.append(f"分子 {num} ÷ 分母 {den}")
    return lines


def source_titles(indicator: Indicator) -> list[str]:
    return [str(TABLES[s].model._meta.verbose_name) for s in indicator.sources if s in TABLES]


@dataclass(frozen=True)
class RecordTable:
    """One table of records behind a number: its columns and the rows of the page shown."""

    ledger: str
    title: str
    columns: list[str]
    rows: list[tuple[int, list[str]]]
    count: int
    masked: bool


def record_table(
    ledger: str,
    model: type[models.Model],
    items: list[models.Model],
    *,
    count: int,
    access: Access,
    pairing_keys: dict[int, str],
) -> RecordTable:
    """Return a page of records as a table of all their fields; personal fields masked where
    the caller may not see them (`Access.mask`)."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    label = model._meta.label
    personal = access.personal(label)
    rows = []
    masked = False
    for item in items:
        shown: dict[str, Any] = {}
        if personal is not None:
            region = _lookup(item, personal.region)
            if access.masks(label, region):
                masked = True
                shown = access.mask(
                    label,
                    {name: getattr(item, name) for name in personal.fields},
                    region=region,
                )
        rows.append(
            (
                item.pk,
                [
                    str(shown[f.name])
                    if f.name in shown and shown[f.name] not in (None, "")
                    else _field_text(item, f, pairings=pairing_keys)
                    for f in fields
                ],
            )
        )
    return RecordTable(
        ledger=ledger,
        title=str(model._meta.verbose_name),
        columns=["编号", *(str(f.verbose_name) for f in fields)],
        rows=[(pk, [str(pk), *cells]) for pk, cells in rows],
        count=count,
        masked=masked,
    )


def _lookup(item: models.Model, path: str) -> str | None:
    """Return the value at a lookup path ("household__village_id") of a loaded record."""
    value: Any = item
    for part in path.split("__"):
        value = getattr(value, part, None)
    return None if value is None else str(value)


def _field_text(item: models.Model, field: models.Field, *, pairings: dict[int, str]) -> str:
    value = getattr(item, field.attname)
    if value is None or value == "":
        return "—" if value is None else ""
    if field.name == "pairing":
        return pairings.get(value, str(value))
    if field.is_relation:
        related = getattr(item, field.name)
        name = getattr(related, "name", None)
        if name and getattr(related, "code", None):
            return f"{name} {related.code}"
        return str(getattr(related, "household_no", None) or value)
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, Decimal):
        return f"{value:,}"
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _param(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "、".join(map(str, value))
    return str(value)
