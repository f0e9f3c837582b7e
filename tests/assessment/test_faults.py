"""The database going away in the middle of an assessment run (a PostgreSQL restart, a dropped
connection): nothing of the run is stored, and running it again succeeds."""

import pytest
from django.db import OperationalError, connection, connections
from django.db.utils import InterfaceError

from xiezuo.access import Access
from xiezuo.assessment import services
from xiezuo.assessment.models import AssessmentRun, IndicatorResult, UnitResult

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="a server connection to cut: PostgreSQL only"
    ),
]


def _terminate_own_backend() -> None:
    """Cut this process's database connection from the server side, as a restart would."""
    import psycopg

    pid = connection.connection.info.backend_pid
    settings = connection.settings_dict
    with psycopg.connect(
        host=settings["HOST"],
        port=settings["PORT"] or 5432,
        user=settings["USER"],
        password=settings.get("PASSWORD") or None,
        dbname=settings["NAME"],
        autocommit=True,
    ) as other:
        other.execute("SELECT pg_terminate_backend(%s)", [pid])


def test_a_connection_cut_while_storing_a_run_leaves_nothing_and_a_rerun_succeeds(
    assessment_data, monkeypatch
):
    programme = assessment_data.programme
    access = Access.operator(programme)
    real_insert = services._insert
    calls = []

    def insert_then_cut(model, run, rows):
        real_insert(model, run, rows)
        calls.append(model)
        if model is IndicatorResult:  # results written, units not yet: the worst moment
            _terminate_own_backend()

    monkeypatch.setattr(services, "_insert", insert_then_cut)
    with pytest.raises((OperationalError, InterfaceError)):
        services.assessment_run(access=access, programme=programme, year=2019)
    assert calls == [IndicatorResult]
    connections.close_all()
    assert not AssessmentRun.objects.exists()
    assert not IndicatorResult.objects.exists()

    monkeypatch.setattr(services, "_insert", real_insert)
    run = services.assessment_run(access=access, programme=programme, year=2019)
    assert IndicatorResult.objects.filter(run=run).exists()
    assert UnitResult.objects.filter(run=run).exists()
