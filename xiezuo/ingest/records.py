"""Reading any ledger of the catalog: its rows the caller may read, through the scoped
selectors, in catalog order and masked per `Access.mask`.

What an export writes and what the API lists come from here, so both choose the same selector
for a model and mask the same fields: `ledger_records_for` returns the rows as a queryset,
`ledger_rows` yields them as cells.
"""

import itertools
from collections.abc import Iterator
from typing import Any

from django.apps import apps
from django.db.models import Model, Q, QuerySet

from xiezuo.access import Access
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.ingest.catalog import Column, Ledger
from xiezuo.ingest.writing._layout import LIST_SEPARATOR, Cell, cell_value
from xiezuo.ledgers.models import PairingRecord
from xiezuo.ledgers.selectors import ledger_records
from xiezuo.precision.models import CountyCheck
from xiezuo.precision.selectors import county_check_list, household_records
from xiezuo.regions.models import RuralPopulation
from xiezuo.registry.models import Household
from xiezuo.registry.selectors import household_list

__all__ = ["CHUNK_ROWS", "FilterError", "ledger_records_for", "ledger_rows"]

CHUNK_ROWS = 2_000


class FilterError(XiezuoError):
    """A filter the ledger cannot apply: a malformed region code, a year it does not have."""


def ledger_records_for(
    ledger: Ledger, *, access: Access, region: str | None = None, year: int | None = None
) -> QuerySet[Any]:
    """Return the ledger's rows the caller may read, through the scoped selector of its model.

    `region` narrows to a region (ScopeError outside the caller's access); `year` to the rows
    of a year: a pairing ledger's records of that year (`PairingRecord.in_year`), or the rows
    whose 年度 it is. Raise FilterError for a malformed region or a ledger without years.
    """
    if region is not None:
        try:
            codes.level_of(region)
        except ValueError as error:
            raise FilterError(str(error), region=region) from None
    model: type[Model] = apps.get_model(ledger.model)
    if issubclass(model, PairingRecord):
        return ledger_records(access=access, model=model, region=region, year=year)
    if year is not None and "year" not in {f.name for f in model._meta.get_fields()}:
        raise FilterError(f"「{ledger.title}」没有年度，不能按年度筛选", ledger=ledger.key)
    records = _records(ledger, model, access=access, region=region)
    if year is not None:
        records = records.filter(year=year)
    return records


def _records(
    ledger: Ledger, model: type[Model], *, access: Access, region: str | None
) -> QuerySet[Any]:
    if model is Household:
        registered = ledger.extra.get("fixed", {}).get("registered", True)
        return household_list(access=access, region=region, registered=registered)
    if model is CountyCheck:
        return county_check_list(access=access, region=region)
    if model._meta.app_label == "precision":
        return household_records(access=access, model=model, region=region)  # type: ignore[type-var]
    if model._meta.app_label == "registry":
        households = household_list(access=access, region=region, registered=None).values("pk")
        return model._default_manager.filter(household__in=households)
    if model is RuralPopulation:
        return _population(access=access, region=region)
    raise FilterError(f"「{ledger.title}」没有读取它的选择器", ledger=ledger.key)


def _population(*, access: Access, region: str | None) -> QuerySet[RuralPopulation]:
    if not access.authenticated:
        raise ScopeError("需要登录才能读取人口数据")
    records = RuralPopulation.objects.all()
    if not access.everything:
        inside = Q(pk__in=[])
        for code in access.read_regions:
            inside |= Q(region__code__startswith=codes.prefix(code))
        records = records.filter(inside)
    if region:
        if not access.covers(region):
            raise ScopeError(f"无权读取区域 {region} 的人口数据", region=region)
        records = records.filter(region__code__startswith=codes.prefix(region))
    return records


def _lookup(column: Column) -> str:
    if column.type == "household":
        return column.field.removesuffix("_id") + "__household_no"
    if column.type == "households":
        return "pk"  # filled per chunk
    return column.field


def ledger_rows(
    ledger: Ledger, records: QuerySet[Any], access: Access, *, chunk_rows: int = CHUNK_ROWS
) -> Iterator[list[Cell]]:
    """Yield each record as cells in catalog order, masked per `Access.mask`.

    Rows are read in chunks (`.iterator(chunk_size=…)`), so memory stays flat whatever the row
    count; a project's beneficiary households are fetched once per chunk.
    """
    model = records.model
    columns = ledger.columns
    personal = access.personal(ledger.model)
    masked = personal is not None and any(c.field in personal.fields for c in columns)
    lookups = [*(_lookup(c) for c in columns), "pk"]
    if personal is not None and masked:
        lookups.append(personal.region)
    pk_at = len(columns)
    lists = [i for i, c in enumerate(columns) if c.type == "households"]
    shown: dict[str, bool] = {}
    iterator = records.values_list(*lookups).iterator(chunk_size=chunk_rows)
    for chunk in itertools.batched(iterator, chunk_rows):
        households = {
            i: _household_lists(model, columns[i], [row[pk_at] for row in chunk]) for i in lists
        }
        for row in chunk:
            values = [cell_value(c, value) for c, value in zip(columns, row, strict=False)]
            if masked:
                code = row[-1]
                if code not in shown:
                    shown[code] = not access.masks(ledger.model, code)
                if not shown[code]:
                    cells = access.mask(
                        ledger.model,
                        {c.field: v for c, v in zip(columns, values, strict=True)},
                        region=code,
                    )
                    values = [cells[c.field] for c in columns]
            for i in lists:
                values[i] = LIST_SEPARATOR.join(households[i].get(row[pk_at], ())) or None
            yield values


def _household_lists(model: type[Model], column: Column, pks: list[int]) -> dict[int, list[str]]:
    """Return the 户编号 of a many-to-many household column for the records `pks`."""
    field = model._meta.get_field(column.field)
    through = field.remote_field.through  # type: ignore[union-attr]
    own, other = field.m2m_field_name(), field.m2m_reverse_field_name()  # type: ignore[union-attr]
    found: dict[int, list[str]] = {}
    for pk, household_no in (
        through._default_manager.filter(**{f"{own}_id__in": pks})
        .order_by(f"{own}_id", f"{other}__household_no")
        .values_list(f"{own}_id", f"{other}__household_no")
    ):
        found.setdefault(pk, []).append(household_no)
    return found
