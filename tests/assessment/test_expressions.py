"""Every indicator's expression gives the hand-computed value for every unit (db engine)."""

import datetime as dt

import pytest

from tests.assessment.conftest import FN, KB
from xiezuo.assessment import catalog, engines, evaluation
from xiezuo.assessment.expressions import EXPRESSIONS
from xiezuo.core.ids import make_id
from xiezuo.ledgers.models import LabourTransfer, Secondment, Visit
from xiezuo.programs.models import Pairing

pytestmark = pytest.mark.django_db


@pytest.fixture
def figures_2019(assessment_data, by_key):
    tables = engines.connect("db")
    return by_key(evaluation.evaluate(tables, programme="small", year=2019))


def test_every_catalog_expression_exists():
    assert {i.expression for i in catalog.indicators()} <= set(EXPRESSIONS)


def test_every_indicator_matches_the_hand_computed_values(figures_2019, expected_2019):
    """All 26 indicators × 9 units; a difference is listed as key: (found, expected)."""
    assert set(figures_2019) == set(expected_2019)
    wrong = {
        key: (figures_2019[key], value)
        for key, value in expected_2019.items()
        if (value is None) != (figures_2019[key] is None)
        or (value is not None and figures_2019[key] != pytest.approx(value, abs=1e-6))
    }
    assert wrong == {}


def test_a_secondment_counts_in_the_year_where_it_has_30_days(assessment_data, by_key):
    """A: 2018-06-01 → 2019-01-20 counts in 2018 only; C: 2019-12-03 → 2020-03-01 in 2020."""
    tables = engines.connect("db")
    cadres = catalog.indicator("I04")

    def kangbao(year):
        found = by_key(
            evaluation.evaluate(tables, programme="small", year=year, indicators=[cadres])
        )
        return found[("I04", "pairing", "110105→130723")]

    assert (kangbao(2018), kangbao(2019), kangbao(2020)) == (1, 1, 2)


def test_an_open_spell_runs_to_the_as_of_date(assessment_data, by_key):
    """丰宁's open job from 2019-11-15 has 47 days at 31 Dec, 90 at 12 Feb 2020."""
    tables = engines.connect("db")
    own = [catalog.indicator("I17")]
    at_year_end = by_key(evaluation.evaluate(tables, programme="small", year=2019, indicators=own))
    later = by_key(
        evaluation.evaluate(
            tables, programme="small", year=2019, as_of=dt.date(2020, 2, 12), indicators=own
        )
    )
    assert at_year_end[("I17", "pairing", "110116→130826")] == 0
    assert later[("I17", "pairing", "110116→130826")] == 1


def test_records_after_an_in_year_as_of_date_are_not_known_yet(assessment_data, by_key):
    tables = engines.connect("db")
    visits = [catalog.indicator("I01")]
    found = by_key(
        evaluation.evaluate(
            tables, programme="small", year=2019, as_of=dt.date(2019, 6, 30), indicators=visits
        )
    )
    assert found[("I01", "pairing", "110105→130723")] == 1  # the August visit is not yet made


# --- a ledger record counts only inside its pairing's dates (the pairings start 2018-04-14) ----


def _value(indicator, unit_type, unit, year, by_key):
    found = by_key(
        evaluation.evaluate(
            engines.connect("db"),
            programme="small",
            year=year,
            indicators=[catalog.indicator(indicator)],
        )
    )
    return found.get((indicator, unit_type, unit))


def test_a_record_dated_before_its_pairing_started_counts_nowhere(assessment_data, by_key):
    """A principal leader's visit of 2018-03-01 (before 2018-04-14) adds nothing in 2018;
    one of 2018-05-01 adds one to the pairing, its helper, its county and the programme."""
    before = {
        unit: _value("I01", t, unit, 2018, by_key)
        for t, unit in (("pairing", KB), ("helper", "110105"), ("programme", "small"))
    }
    kb = assessment_data.kb
    for day in (dt.date(2018, 3, 1), dt.date(2018, 5, 1)):
        Visit.objects.create(
            pairing=kb,
            origin_id=kb.helper_id,
            destination_id=kb.recipient_id,
            start_date=day,
            end_date=day,
            leader="李明",
            leader_category="党委书记",
            purpose="调研",
        )
    after = {
        unit: _value("I01", t, unit, 2018, by_key)
        for t, unit in (("pairing", KB), ("helper", "110105"), ("programme", "small"))
    }
    assert {unit: after[unit] - before[unit] for unit in after} == dict.fromkeys(after, 1)


def test_a_pairing_that_ended_gets_nothing_in_the_next_year(assessment_data, by_key):
    """丰宁's pairing ends 2019-12-31: its meeting of 2020-01-05 counts for no unit of 2020,
    and 丰宁 is no unit of 2020."""
    assert _value("I02", "programme", "small", 2020, by_key) == 1  # 丰宁's meeting
    Pairing.objects.filter(pk=assessment_data.fn.pk).update(end_date=dt.date(2019, 12, 31))
    assert _value("I02", "programme", "small", 2020, by_key) == 0
    assert _value("I02", "pairing", FN, 2020, by_key) is None
    assert _value("I02", "pairing", FN, 2019, by_key) == 0  # 2019 is still its year


def test_a_secondment_counts_its_days_inside_the_pairing(assessment_data, by_key):
    """2018-03-01 → 2018-04-30 has 17 days from the pairing's start (14 April): not counted;
    2018-03-01 → 2018-05-20 has 37: counted once."""
    kb = assessment_data.kb
    before = _value("I04", "pairing", KB, 2018, by_key)
    for n, end in enumerate((dt.date(2018, 4, 30), dt.date(2018, 5, 20))):
        Secondment.objects.create(
            pairing=kb,
            name="挂职干部",
            id_number=make_id("110105", dt.date(1970, 1, 1), 900 + n),
            sender_id=kb.helper_id,
            posting_id=kb.recipient_id,
            category="党政干部",
            start_date=dt.date(2018, 3, 1),
            end_date=end,
        )
    assert _value("I04", "pairing", KB, 2018, by_key) == before + 1


def test_a_job_spell_must_start_inside_the_pairing(assessment_data, by_key):
    """The fixture's 2018-03-01 spell in Beijing (stable, before 2018-04-14) is not counted."""
    hk3 = assessment_data.households[1]
    assert _value("I16", "pairing", KB, 2018, by_key) == 0
    LabourTransfer.objects.create(
        pairing=assessment_data.kb,
        id_number=hk3.members.all()[1].id_number,
        household=hk3,
        workplace_code="110105",
        employer="用工单位",
        start_date=dt.date(2018, 4, 14),
        end_date=dt.date(2018, 12, 31),
        organisation="有组织",
    )
    assert _value("I16", "pairing", KB, 2018, by_key) == 1
