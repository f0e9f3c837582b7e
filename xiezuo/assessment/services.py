"""Writes of the assessment: load default targets, run and store an assessment, snapshot."""

import datetime as dt
import json
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from django.db import connection, transaction
from django.db.models import Field, Model
from django.utils import timezone

from xiezuo.assessment import calculations, catalog, engines, evaluation
from xiezuo.assessment.calculations import Assessment, Target, TargetKey
from xiezuo.assessment.catalog import GradeBand as Band
from xiezuo.assessment.models import (
    Alert,
    AssessmentRun,
    GradeBand,
    IndicatorResult,
    IndicatorTarget,
    UnitResult,
)
from xiezuo.assessment.tables import TABLES, schema_of
from xiezuo.core.bulk import bulk_insert
from xiezuo.core.errors import XiezuoError
from xiezuo.programs.models import Programme
from xiezuo.registry.services import household_years_ensure

if TYPE_CHECKING:
    import pyarrow as pa

SNAPSHOT_CHUNK = 200_000  # rows per chunk and Parquet row group: tens of MB in memory at most


class AssessmentError(XiezuoError):
    """An assessment cannot run as asked (a year outside the programme, a bad as-of date)."""


@transaction.atomic
def targets_load(
    *,
    programme: Programme,
    years: list[int] | None = None,
    path: Path | None = None,
    replace: bool = False,
) -> int:
    """Load a programme's default targets, weights and grade set for `years`.

    The defaults are per pairing (unit type pairing, unit blank). Without `replace`, rows that
    exist (edited in the admin) are kept. Return the number of target rows written.
    """
    defaults = catalog.target_defaults(path or catalog.targets_file(programme.key))
    years = years or list(defaults.years) or list(programme.years)
    written = 0
    for year in years:
        if replace:
            IndicatorTarget.objects.filter(programme=programme, year=year, unit="").delete()
            GradeBand.objects.filter(programme=programme, year=year).delete()
        have = set(
            IndicatorTarget.objects.filter(
                programme=programme, year=year, unit_type="pairing", unit=""
            ).values_list("indicator", flat=True)
        )
        rows = [
            IndicatorTarget(
                programme=programme,
                year=year,
                indicator=indicator.id,
                unit_type="pairing",
                unit="",
                target=defaults.targets.get(indicator.id),
                weight=defaults.weights[indicator.id],
            )
            for indicator in catalog.indicators()
            if indicator.id not in have
        ]
        IndicatorTarget.objects.bulk_create(rows)
        written += len(rows)
        if not GradeBand.objects.filter(programme=programme, year=year).exists():
            GradeBand.objects.bulk_create(
                GradeBand(programme=programme, year=year, grade=b.grade, min_score=b.min_score)
                for b in defaults.grades
            )
    return written


def targets_ensure(*, programme: Programme, year: int) -> None:
    """Load the default targets of a programme-year that has none (when a file exists)."""
    has_targets = IndicatorTarget.objects.filter(programme=programme, year=year).exists()
    if has_targets or not catalog.targets_file(programme.key).exists():
        return
    targets_load(programme=programme, years=[year])


def assessment_run(
    *,
    programme: Programme,
    year: int,
    as_of: dt.date | None = None,
    engine: str = "db",
    snapshot: Path | str | None = None,
    user: Any = None,
    who: str = "",
) -> AssessmentRun:
    """Evaluate every indicator for every unit of a programme-year, score it and store the run."""
    as_of = as_of or evaluation.default_as_of(year)
    if as_of < dt.date(year, 1, 1):
        raise AssessmentError(f"截至日期 {as_of} 早于考核年度 {year}", year=year, as_of=str(as_of))
    if year not in programme.years:
        raise AssessmentError(
            f"{year} 年不在项目「{programme.name}」的年度 {programme.start_year}–"
            f"{programme.end_year} 内",
            year=year,
        )
    targets_ensure(programme=programme, year=year)
    if engine == "db":
        household_years_ensure(year=year)
    started = time.perf_counter()
    with engines.connect(engine, snapshot=snapshot) as tables:
        units = evaluation.programme_units(tables, programme=programme.key, year=year)
        figures = evaluation.evaluate(
            tables, programme=programme.key, year=year, as_of=as_of, units=units
        )
    assessment = calculations.assemble(
        figures,
        indicators=catalog.indicators(),
        targets=_targets(programme, year),
        bands=_bands(programme, year),
        pairings=_pairing_counts(units),
        year=year,
        as_of=as_of,
    )
    duration = dt.timedelta(seconds=time.perf_counter() - started)
    parameters: dict[str, Any] = {
        "indicators": {i.id: i.params for i in catalog.indicators()},
        "pairings": [p.key for p in units.pairings],
    }
    if snapshot is not None:
        parameters["snapshot"] = str(Path(snapshot).resolve())
    return _store(
        programme=programme,
        year=year,
        as_of=as_of,
        engine=engine,
        parameters=parameters,
        duration=duration,
        user=user if getattr(user, "is_authenticated", False) else None,
        who=who or getattr(user, "get_username", lambda: "")(),
        assessment=assessment,
    )


@transaction.atomic
def _store(*, assessment: Assessment, **fields: Any) -> AssessmentRun:
    run = AssessmentRun.objects.create(**fields)
    for model, rows in (
        (IndicatorResult, assessment.results),
        (UnitResult, assessment.units),
        (Alert, assessment.alerts),
    ):
        _insert(model, run, rows)
    return run


def _insert(model: type[Model], run: AssessmentRun, rows: Sequence[Any]) -> None:
    """Insert a run's rows (dataclasses named like the model's fields) through the bulk path:
    values prepared as the ORM would save them, without building a model per row."""
    if not rows:
        return
    names = list(vars(rows[0]))
    prepared = [cast(Field, model._meta.get_field(name)) for name in names]
    bulk_insert(
        model,
        ["run_id", *names],
        (
            (
                run.pk,
                *(
                    f.get_db_prep_save(v, connection)
                    for f, v in zip(prepared, vars(row).values(), strict=True)
                ),
            )
            for row in rows
        ),
    )


def _targets(programme: Programme, year: int) -> dict[TargetKey, Target]:
    rows = IndicatorTarget.objects.filter(programme=programme, year=year).values_list(
        "indicator", "unit_type", "unit", "target", "weight"
    )
    return {(i, t, u): Target(target, weight) for i, t, u, target, weight in rows}


def _bands(programme: Programme, year: int) -> list[Band]:
    rows = GradeBand.objects.filter(programme=programme, year=year)
    return [Band(b.grade, b.min_score) for b in rows]


def _pairing_counts(units: evaluation.Units) -> dict[tuple[str, str], int]:
    return {
        (unit_type, unit): len(units.pairings_of(unit_type, unit))
        for unit_type in catalog.UNIT_TYPES
        for unit in units.keys(unit_type)
    }


def snapshot_write(
    *, directory: Path | str, progress: Callable[[str, int], None] | None = None
) -> dict[str, int]:
    """Write the tables the expressions read to `directory` as Parquet, streamed in chunks.

    Each table keeps the columns of `TABLES` with the canonical types (`schema_of`), so that
    DuckDB and Spark read exactly what the live database shows. Rows are read through Django's
    own connection (so a snapshot sees what the ORM sees) by Polars in chunks of
    `SNAPSHOT_CHUNK`, cast, and appended to the file as row groups; a file is renamed into
    place only when complete. Return the rows per table.
    """
    import polars as pl
    import pyarrow.parquet as pq

    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    connection.ensure_connection()
    raw = connection.connection
    quote = connection.ops.quote_name
    counts: dict[str, int] = {}
    for name, spec in TABLES.items():
        schema = schema_of(name).to_pyarrow()
        # Identifiers from the models' metadata, quoted; no value enters the SQL.
        columns = ", ".join(_column_sql(quote(c), schema.field(c).type) for c in spec.columns)
        query = f"SELECT {columns} FROM {quote(spec.db_table)} ORDER BY {quote('id')}"  # noqa: S608
        rows = 0
        partial = target / f".{name}.parquet.partial"
        with pq.ParquetWriter(partial, schema, compression="zstd") as writer:
            frames = pl.read_database(
                query,
                raw,
                iter_batches=True,
                batch_size=SNAPSHOT_CHUNK,
                infer_schema_length=None,  # a column empty in its first rows is still typed
            )
            for frame in frames:
                writer.write_table(_canonical(frame.to_arrow(), schema))
                rows += frame.height
                if progress:
                    progress(name, rows)
        partial.replace(target / f"{name}.parquet")
        counts[name] = rows
    manifest = {
        "created": timezone.now().isoformat(),
        "source": connection.vendor,
        "tables": counts,
    }
    (target / "manifest.json").write_text(
        json.dumps(manifest, ensure_ascii=False, indent=2), encoding="utf-8"
    )
    return counts


def _column_sql(column: str, arrow_type: "pa.DataType") -> str:
    """Return a column's SELECT term: decimals as text, which both SQLite (where they are
    stored as floats) and PostgreSQL render exactly, and Arrow parses to the right scale."""
    import pyarrow as pa

    if pa.types.is_decimal(arrow_type):
        return f"CAST({column} AS TEXT) AS {column}"
    return column


def _canonical(table: "pa.Table", schema: "pa.Schema") -> "pa.Table":
    """Cast a chunk as the database driver typed it (SQLite: dates as text, decimals as
    floats, booleans as integers) to the snapshot's schema; decimals round to their scale."""
    import pyarrow as pa
    import pyarrow.compute as pc

    return pa.Table.from_arrays(
        [pc.cast(table.column(field.name), field.type) for field in schema], schema=schema
    )
