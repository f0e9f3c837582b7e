"""One definition, several engines: the live database, DuckDB over a snapshot, and Spark agree.

The db engine's values are checked against the hand-computed ones in test_expressions.py;
here every other engine must give exactly the same figures, for every indicator and unit.
"""

import importlib.util
import io
import os
import shutil

import pytest
from django.core.management import call_command

from xiezuo.assessment import engines, evaluation
from xiezuo.assessment.engines import EngineError

YEARS = (2018, 2019, 2020)


def _all_years(tables, by_key):
    return {
        year: by_key(evaluation.evaluate(tables, programme="small", year=year)) for year in YEARS
    }


@pytest.fixture
def snapshot(assessment_data, tmp_path):
    """Return the directory `xiezuo snapshot` wrote from the fixture database."""
    directory = tmp_path / "snapshot"
    call_command("snapshot", "-o", str(directory), stdout=io.StringIO())
    return directory


@pytest.mark.django_db
def test_duckdb_over_the_snapshot_agrees_with_the_database(snapshot, by_key):
    live = _all_years(engines.connect("db"), by_key)
    assert _all_years(engines.connect("duckdb", snapshot=snapshot), by_key) == live


@pytest.mark.django_db(transaction=True)
def test_ibis_on_its_own_connection_agrees_with_the_borrowed_one(assessment_data, by_key):
    """Committed data, read through a second connection opened from Django's settings."""
    borrowed = _all_years(engines.connect("db"), by_key)
    with engines.connect("db", separate=True) as own:
        assert _all_years(own, by_key) == borrowed


@pytest.mark.django_db
def test_spark_over_the_snapshot_agrees_with_the_database(snapshot, by_key):
    """2019 only (it reads 2018 for the growths): Spark takes ~15 s a year on any data size."""
    _require_spark()
    spark = engines.connect("spark", snapshot=snapshot)
    found = by_key(evaluation.evaluate(spark, programme="small", year=2019))
    assert found == by_key(evaluation.evaluate(engines.connect("db"), programme="small", year=2019))


@pytest.mark.django_db
def test_the_snapshot_holds_the_canonical_columns(snapshot):
    import pyarrow.parquet as pq

    from xiezuo.assessment.tables import TABLES, schema_of

    for name in TABLES:
        schema = pq.read_schema(snapshot / f"{name}.parquet")
        assert schema.names == list(schema_of(name).names)
        assert schema.remove_metadata() == schema_of(name).to_pyarrow().remove_metadata()
    assert (snapshot / "manifest.json").exists()


def test_a_snapshot_engine_needs_a_snapshot_directory(tmp_path):
    with pytest.raises(EngineError):
        engines.connect("duckdb")
    with pytest.raises(EngineError):
        engines.connect("duckdb", snapshot=tmp_path)


def _require_spark() -> None:
    """Skip without pyspark or Java, except under CI=true, where the spark extra is installed."""
    missing = []
    if importlib.util.find_spec("pyspark") is None:
        missing.append("pyspark (uv sync --extra spark)")
    if shutil.which("java") is None:
        missing.append("a Java runtime")
    if missing:
        reason = "Spark engine needs " + " and ".join(missing)
        if os.environ.get("CI") == "true":
            pytest.fail(reason + " (CI=true: the spark extra must be installed)")
        pytest.skip(reason)


@pytest.fixture
def in_process_only(monkeypatch):
    """Plans compiled in this test are not kept on disk (nor read from there)."""
    monkeypatch.setattr(evaluation, "STORE_PLANS", False)


@pytest.mark.django_db
@pytest.mark.usefixtures("in_process_only")
def test_one_compiled_plan_serves_every_year_and_as_of_date(assessment_data, by_key):
    """The live database's plan is compiled once per (dialect, programme, definitions): the
    year and the as-of date are bound parameters, so other years and dates run the same SQL
    and give what a plan compiled for them alone gives."""
    import datetime as dt

    runs = [(2019, None), (2018, None), (2020, None), (2019, dt.date(2019, 6, 30))]
    evaluation.COMPILED.clear()
    shared = [
        by_key(evaluation.evaluate(engines.connect("db"), programme="small", year=y, as_of=a))
        for y, a in runs
    ]
    assert evaluation.COMPILED.compiled == 1
    alone = []
    for year, as_of in runs:
        evaluation.COMPILED.clear()
        alone.append(
            by_key(
                evaluation.evaluate(
                    engines.connect("db"), programme="small", year=year, as_of=as_of
                )
            )
        )
    assert shared == alone
    assert shared[0] != shared[1]  # the years differ, so the parameters were bound


@pytest.mark.django_db
def test_a_later_process_runs_the_plan_kept_on_disk(assessment_data, by_key, settings, tmp_path):
    """A fresh process (nothing compiled in memory) finds the plan an earlier one compiled in
    the data directory and runs it without building it again."""
    settings.DATA_DIR = tmp_path
    evaluation.COMPILED.clear()
    first = by_key(evaluation.evaluate(engines.connect("db"), programme="small", year=2019))
    assert evaluation.COMPILED.compiled == 1
    assert len(list((tmp_path / "cache" / "assessment").glob("plan-*.json"))) == 1
    evaluation.COMPILED.clear()  # as in a new process
    again = by_key(evaluation.evaluate(engines.connect("db"), programme="small", year=2019))
    assert evaluation.COMPILED.compiled == 0
    assert again == first


def test_compiled_plans_keep_the_most_recently_used():
    plans = evaluation.CompiledPlans(size=2)
    one, two, three = (evaluation.CompiledPlan(f"SELECT {n}", {}, {}) for n in (1, 2, 3))
    plans.put("a", one)
    plans.put("b", two)
    assert plans.get("a") == one
    plans.put("c", three)
    assert plans.get("b") is None
    assert len(plans) == 2


@pytest.mark.django_db
def test_day_differences_on_sqlite_are_native_sql():
    """No per-row Python function: `julianday` gives the same whole days."""
    import datetime as dt

    import ibis

    from xiezuo.assessment.tables import quiet

    backend = engines.db_backend()
    if backend.name != "sqlite":
        pytest.skip("SQLite only")
    start, end = ibis.date(dt.date(2019, 12, 3)), ibis.date(dt.date(2020, 3, 1))
    expr = end.delta(start, unit="day")
    assert "_ibis_date_delta" not in str(backend.compile(expr)).lower()
    with quiet():
        assert backend.execute(expr) == 89
