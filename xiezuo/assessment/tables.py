"""The tables the query expressions read, by short name, with one schema on every engine.

`TABLES` names each table the expressions may read, the Django model it comes from and the
columns they use. `Tables` is the namespace an expression receives: `t.visit`, `t.household`, …
are Ibis tables with exactly those columns and the canonical types of `schema_of`, whether they
come from the live database, a Parquet snapshot or Spark. The snapshot writes the same columns,
so an expression runs unchanged everywhere.
"""

import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from inspect import isfunction
from typing import TYPE_CHECKING

from django.db import models

from xiezuo.ledgers import models as ledgers
from xiezuo.programs.models import Pairing, Programme
from xiezuo.regions.models import RuralPopulation
from xiezuo.registry.models import Household, HouseholdYear

if TYPE_CHECKING:
    import ibis
    import ibis.expr.datatypes as dt
    import ibis.expr.types as ir
    from ibis.backends import BaseBackend


@dataclass(frozen=True)
class TableSpec:
    model: type[models.Model]
    columns: tuple[str, ...]

    @property
    def db_table(self) -> str:
        return self.model._meta.db_table


def _spec(model: type[models.Model], *columns: str) -> TableSpec:
    return TableSpec(model, ("id", *columns))


TABLES: dict[str, TableSpec] = {
    "programme": _spec(Programme, "key"),
    "pairing": _spec(
        Pairing, "programme_id", "helper_id", "recipient_id", "start_date", "end_date"
    ),
    "visit": _spec(ledgers.Visit, "pairing_id", "start_date", "leader_category"),
    "meeting": _spec(ledgers.Meeting, "pairing_id", "date"),
    "agreement": _spec(ledgers.Agreement, "pairing_id", "effective_date", "end_date"),
    "secondment": _spec(
        ledgers.Secondment,
        "pairing_id",
        "id_number",
        "category",
        "start_date",
        "end_date",
        "direction",
    ),
    "training": _spec(ledgers.Training, "pairing_id", "audience", "end_date", "person_times"),
    "fund": _spec(ledgers.Fund, "pairing_id", "year", "source", "amount"),
    "project": _spec(
        ledgers.Project, "pairing_id", "year", "fiscal_aid", "disbursed", "closely_linked"
    ),
    "investment": _spec(
        ledgers.Investment, "pairing_id", "year", "credit_code", "amount", "poor_people_driven"
    ),
    "labour": _spec(
        ledgers.LabourTransfer,
        "pairing_id",
        "id_number",
        "household_id",
        "workplace_code",
        "start_date",
        "end_date",
    ),
    "purchase": _spec(ledgers.Purchase, "pairing_id", "date", "amount"),
    "donation": _spec(ledgers.Donation, "pairing_id", "date", "amount"),
    "subpairing": _spec(
        ledgers.SubPairing,
        "pairing_id",
        "entity_type",
        "target_type",
        "target_id",
        "start_date",
        "end_date",
    ),
    "household": _spec(
        Household, "county_id", "size", "identified_year", "exit_year", "fallback_year"
    ),
    "household_year": _spec(
        HouseholdYear,
        "household_id",
        "county_id",
        "year",
        "people",
        "poor",
        "exited",
        "fell_back",
        "income_per_capita",
        "income_per_capita_before",
    ),
    "population": _spec(RuralPopulation, "region_id", "year", "population"),
}


def model_of(name: str) -> type[models.Model]:
    """Return the Django model behind a table name (for drill-down)."""
    return TABLES[name].model


@cache
def schema_of(name: str) -> "ibis.Schema":
    """Return the canonical Ibis schema of a table: the types every engine presents."""
    import ibis

    spec = TABLES[name]
    return ibis.schema({column: _dtype(spec.model, column) for column in spec.columns})


def _dtype(model: type[models.Model], column: str) -> "dt.DataType":
    import ibis.expr.datatypes as dt

    field = next(f for f in model._meta.concrete_fields if f.attname == column)
    if field.is_relation:
        field = field.target_field  # type: ignore[attr-defined]
    nullable = field.null
    if isinstance(field, models.DateField):
        return dt.Date(nullable=nullable)
    if isinstance(field, models.DecimalField):
        return dt.Decimal(field.max_digits, field.decimal_places, nullable=nullable)
    if isinstance(field, models.FloatField):
        return dt.Float64(nullable=nullable)
    if isinstance(field, models.BooleanField):
        return dt.Boolean(nullable=nullable)
    if isinstance(field, models.IntegerField | models.AutoField):
        return dt.Int64(nullable=nullable)
    return dt.String(nullable=nullable)


def conform(table: "ir.Table", name: str) -> "ir.Table":
    """Return `table` with the canonical columns of `name`, cast where their kind differs."""
    found = table.schema()
    schema = schema_of(name)
    if all(_same_kind(found[column], wanted) for column, wanted in schema.items()):
        return table  # the expressions use the listed columns only; the snapshot holds no more
    return table.select(
        **{
            column: table[column]
            if _same_kind(found[column], wanted)
            else table[column].cast(wanted)
            for column, wanted in schema.items()
        }
    )


def _same_kind(have: "dt.DataType", wanted: "dt.DataType") -> bool:
    """Return whether a column computes as the canonical type without a cast.

    Integer widths, decimal sizes and string lengths differ between engines (SQLite's
    `smallint unsigned`, PostgreSQL's `smallint`); casting them in filters and joins would
    cost the databases their indexes, so they are left alone here and evened out on the
    expressions' output columns and in the snapshot files.
    """
    import ibis.expr.datatypes as dt

    for family in (dt.Integer, dt.Decimal, dt.String):
        if isinstance(wanted, family):
            return isinstance(have, family)
    return have.copy(nullable=wanted.nullable) == wanted


@contextmanager
def quiet() -> Iterator[None]:
    """Silence the deprecation notices Ibis 12, DuckDB 2 and PySpark 4 raise against pandas 3
    and each other on every query: they are theirs to fix and say nothing about our data."""
    with warnings.catch_warnings():
        for message in (
            ".*future.infer_string.*",
            ".*fetch_arrow_table.*",
            ".*copy keyword is deprecated.*",
        ):
            warnings.filterwarnings("ignore", message=message)
        yield


class Tables:
    """The namespace of tables an expression reads: `t.visit`, `t.household`, …"""

    def __init__(
        self,
        load: Callable[[str], "ir.Table"],
        *,
        engine: str,
        close: Callable[[], None] | None = None,
        backend: "BaseBackend | Callable[[], BaseBackend] | None" = None,
        dialect: str | None = None,
        borrowed: bool = False,
    ) -> None:
        self._load = load
        self._close = close
        # The Ibis backend of a live database (the db engine), whose compiled queries the
        # engine may keep and run again as SQL (given as a function when it is made on first
        # use); None for a snapshot (its tables are registered per connection, so a query is
        # rebuilt with them).
        self._backend = backend
        # The live database's SQL dialect ("sqlite", "postgres"), and whether its connection
        # is Django's own (then a kept plan runs on it without Ibis).
        if dialect is None and backend is not None and not isfunction(backend):
            dialect = backend.name  # type: ignore[union-attr]
        self.dialect = dialect
        self.borrowed = borrowed
        self._cache: dict[str, ir.Table] = {}
        self.engine = engine

    @property
    def backend(self) -> "BaseBackend | None":
        if isfunction(self._backend):
            self._backend = self._backend()
        return self._backend  # type: ignore[return-value]

    def close(self) -> None:
        """Close the engine's connection when the namespace opened it (never Django's)."""
        if self._close:
            self._close()
            self._close = None
        self._cache.clear()

    def __enter__(self) -> "Tables":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __getattr__(self, name: str) -> "ir.Table":
        if name.startswith("_") or name not in TABLES:
            raise AttributeError(name)
        return self[name]

    def __getitem__(self, name: str) -> "ir.Table":
        if name not in self._cache:
            with quiet():
                self._cache[name] = conform(self._load(name), name)
        return self._cache[name]
