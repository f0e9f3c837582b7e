"""Every indicator's expression gives the hand-computed value for every unit (db engine)."""

import datetime as dt

import pytest

from xiezuo.assessment import catalog, engines, evaluation
from xiezuo.assessment.expressions import EXPRESSIONS

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
