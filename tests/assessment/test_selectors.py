"""Drill-down lists the records that made a number; runs read back as the command's JSON."""

import datetime as dt
import io

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command

from xiezuo.assessment.selectors import DrillParams, drilldown, run_payload
from xiezuo.assessment.services import assessment_run
from xiezuo.core.errors import ScopeError
from xiezuo.core.models import Grant
from xiezuo.core.scope import Role
from xiezuo.ledgers.models import Donation, Fund, Secondment
from xiezuo.programs.selectors import scope_for
from xiezuo.regions.models import RuralPopulation

pytestmark = pytest.mark.django_db

KB, HA, FN = "110105→130723", "110116→130728", "110116→130826"
PARAMS = DrillParams(programme="small", year=2019)


def _records(found):
    return {d.ledger: set(d.ids) for d in found}


def test_a_distinct_count_drills_to_every_record_behind_it(assessment_data):
    """怀柔's 2 cadres come from 3 secondments: D, and E in 怀安 then in 丰宁."""
    found = drilldown(PARAMS, "I04", "helper", "110116")
    assert [d.model for d in found] == [Secondment]
    people = {s.id_number for s in found[0].queryset()}
    assert (len(found[0].ids), len(people)) == (3, 2)


def test_a_sum_over_two_ledgers_lists_both(assessment_data):
    found = _records(drilldown(PARAMS, "I10", "pairing", KB))
    assert found == {
        "donation": set(
            Donation.objects.filter(pairing=assessment_data.kb).values_list("pk", flat=True)
        ),
        "fund": set(
            Fund.objects.filter(pairing=assessment_data.kb, source="社会帮扶").values_list(
                "pk", flat=True
            )
        ),
    }


def test_a_growth_lists_the_records_of_both_years(assessment_data):
    found = drilldown(PARAMS, "I09", "pairing", KB)
    assert sorted(f.year for f in found[0].queryset()) == [2018, 2019, 2019]


def test_an_outcome_drills_to_the_households_and_the_population(assessment_data):
    """O1 of 康保: the two households poor at the end of 2019 (their 7 people) and the
    county's rural population."""
    hk1, hk3 = assessment_data.households
    found = _records(drilldown(PARAMS, "O1", "recipient", "130723"))
    population = RuralPopulation.objects.get(region_id="130723", year=2019).pk
    assert found == {"household": {hk1.pk, hk3.pk}, "population": {population}}


def test_a_stored_run_drills_down_on_its_own_engine_and_date(assessment_data):
    run = assessment_run(programme=assessment_data.programme, year=2019, as_of=dt.date(2019, 6, 30))
    found = drilldown(run, "I01", "pairing", KB)
    assert len(found[0].ids) == 1  # the August visit was not yet made


def test_duckdb_drills_to_the_same_records(assessment_data, tmp_path):
    call_command("snapshot", "-o", str(tmp_path / "s"), stdout=io.StringIO())
    on_duckdb = DrillParams(programme="small", year=2019, engine="duckdb", snapshot=tmp_path / "s")
    for args in (
        ("I16", "helper", "110116"),
        ("O4", "programme", "small"),
        ("I13", "recipient", "130728"),
    ):
        assert _records(drilldown(on_duckdb, *args)) == _records(drilldown(PARAMS, *args))


def test_drilldown_keeps_to_the_callers_scope(assessment_data):
    user = User.objects.create_user("chaoyang", password="x")
    Grant.objects.create(user=user, role=Role.HELPER_OFFICE, region_code="110105")
    scope = scope_for(user=user, programme=assessment_data.programme)
    assert drilldown(PARAMS, "I01", "pairing", KB, scope=scope)
    with pytest.raises(ScopeError):
        drilldown(PARAMS, "I01", "helper", "110116", scope=scope)


def test_the_payload_has_the_documented_shape(assessment_data):
    payload = run_payload(assessment_run(programme=assessment_data.programme, year=2019))
    assert list(payload) == ["programme", "year", "as_of", "engine", "results", "units", "alerts"]
    assert (payload["programme"], payload["year"], payload["as_of"]) == (
        "small",
        2019,
        "2019-12-31",
    )
    first = payload["results"][0]
    assert list(first) == ["indicator", "unit_type", "unit", "value", "target", "weight", "score"]
    assert (first["indicator"], first["unit_type"], first["unit"]) == ("I01", "pairing", KB)
