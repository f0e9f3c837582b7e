"""A run is evaluated, scored, graded, ranked, alerted and stored (DOMAIN.md §3)."""

import datetime as dt
from decimal import Decimal

import pytest

from xiezuo.assessment.models import AssessmentRun, GradeBand, IndicatorTarget
from xiezuo.assessment.services import AssessmentError, assessment_run, targets_load

pytestmark = pytest.mark.django_db

KB, HA, FN = "110105→130723", "110116→130728", "110116→130826"
D = Decimal


@pytest.fixture
def programme(assessment_data, beijing_targets):
    """The fixture programme with the Beijing–Hebei default targets for 2019."""
    targets_load(programme=assessment_data.programme, years=[2019], path=beijing_targets)
    return assessment_data.programme


def _result(run, indicator, unit_type, unit):
    return run.results.get(indicator=indicator, unit_type=unit_type, unit=unit)


def _unit(run, unit_type, unit):
    return run.units.get(unit_type=unit_type, unit=unit)


def test_a_run_is_stored_with_what_reproduces_it(programme, django_assert_max_num_queries):
    with django_assert_max_num_queries(20):
        run = assessment_run(programme=programme, year=2019, who="cli:tester")
    run = AssessmentRun.objects.get(pk=run.pk)
    assert (run.year, run.as_of, run.engine, run.who) == (
        2019,
        dt.date(2019, 12, 31),
        "db",
        "cli:tester",
    )
    assert run.duration > dt.timedelta(0)
    assert run.parameters["pairings"] == [KB, HA, FN]
    assert run.parameters["indicators"]["I16"] == {"stable_days": 90, "where": "helper_province"}
    # 22 indicators and 4 outcomes × 9 units (helper districts' outcomes too)
    assert run.results.count() == 26 * 9
    assert run.units.count() == 9


def test_scores_are_weight_times_the_share_of_the_per_pairing_target(programme):
    run = assessment_run(programme=programme, year=2019)
    fiscal = _result(run, "I08", "pairing", KB)  # 1,500.5 of 3,800 × 4
    assert (fiscal.value, fiscal.target, fiscal.weight, fiscal.score) == (
        D("1500.5"),
        D(3800),
        D(4),
        D("1.5795"),
    )
    assert _result(run, "I09", "pairing", KB).score == D(4)  # +50 % against 5 %: capped
    assert _result(run, "I09", "pairing", FN).score == D(0)  # −100 %: nothing, not negative


def test_a_helper_takes_the_pairing_target_times_its_pairings_for_sums_only(programme):
    run = assessment_run(programme=programme, year=2019)
    fiscal = _result(run, "I08", "helper", "110116")
    assert (fiscal.value, fiscal.target, fiscal.score) == (D(800), D(7600), D("0.4211"))
    share = _result(run, "I11", "helper", "110116")
    assert (share.value, share.target, share.score) == (D(100), D(80), D(4))


def test_no_target_and_no_value_score_nothing(programme):
    run = assessment_run(programme=programme, year=2019)
    exited = _result(run, "O2", "recipient", "130723")
    assert (exited.value, exited.target, exited.weight, exited.score) == (D(2), None, None, None)
    no_projects = _result(run, "I11", "pairing", FN)  # zero denominator
    assert (no_projects.value, no_projects.target, no_projects.score) == (None, D(80), None)


def test_unit_totals_grades_and_ranks_among_peers(programme):
    """KB 39.79, HA 27.43, FN 6.87: the sums of the hand-computed scores (see conftest)."""
    run = assessment_run(programme=programme, year=2019)
    pairings = {u.unit: (u.score, u.grade, u.rank) for u in run.units.filter(unit_type="pairing")}
    assert pairings == {
        KB: (D("39.79"), "较差", 1),
        HA: (D("27.43"), "较差", 2),
        FN: (D("6.87"), "较差", 3),
    }
    helpers = {u.unit: u.rank for u in run.units.filter(unit_type="helper")}
    recipients = {u.unit: u.rank for u in run.units.filter(unit_type="recipient")}
    assert set(helpers) == {"110105", "110116"}
    assert sorted(helpers.values()) == [1, 2]
    assert set(recipients) == {"130723", "130728", "130826"}
    assert sorted(recipients.values()) == [1, 2, 3]
    assert _unit(run, "programme", "small").rank == 1
    assert _unit(run, "helper", "110105").score == D("39.79")  # one pairing: its pairing's


def test_the_grade_set_is_data(programme):
    GradeBand.objects.filter(programme=programme, year=2019).delete()
    for name, minimum in (("优秀", 35), ("合格", 20), ("不合格", 0)):
        GradeBand.objects.create(programme=programme, year=2019, grade=name, min_score=minimum)
    run = assessment_run(programme=programme, year=2019)
    grades = {u.unit: u.grade for u in run.units.filter(unit_type="pairing")}
    assert grades == {KB: "优秀", HA: "合格", FN: "不合格"}


def test_a_target_for_one_unit_overrides_the_default(programme):
    IndicatorTarget.objects.create(
        programme=programme,
        year=2019,
        indicator="I01",
        unit_type="pairing",
        unit=HA,
        target=1,
        weight=5,
    )
    run = assessment_run(programme=programme, year=2019)
    assert _result(run, "I01", "pairing", HA).score == D(5)  # 1 of 1 (default target: 2)
    assert _result(run, "I01", "pairing", KB).target == D(2)


def test_an_in_year_run_alerts_against_the_pro_rated_target(programme):
    """As of 30 June 2019: 181 of 365 days; cumulative targets × 0.4959, rates in full."""
    run = assessment_run(programme=programme, year=2019, as_of=dt.date(2019, 6, 30))
    alerts = {
        (a.indicator, a.unit_type, a.unit): (a.level, a.value, a.expected) for a in run.alerts.all()
    }
    assert alerts[("I01", "pairing", FN)] == ("red", D(0), D("0.9918"))  # 2 × 181/365
    assert alerts[("I08", "pairing", KB)] == ("amber", D("1500.5"), D("1884.3836"))  # 80 %
    assert alerts[("I08", "pairing", HA)] == ("red", D(800), D("1884.3836"))  # 42 %
    assert alerts[("I11", "pairing", KB)] == ("amber", D("62.5"), D(80))  # a rate: not pro-rated
    assert ("I01", "pairing", KB) not in alerts  # the March visit: 1 ≥ 90 % of 0.99
    assert ("I01", "pairing", HA) not in alerts
    assert not [a for a in alerts if a[0].startswith("O")]  # no targets, or lower is better


def test_a_year_end_run_raises_no_alerts(programme):
    assert not assessment_run(programme=programme, year=2019).alerts.exists()


def test_default_targets_are_loaded_once_and_keep_edits(programme, beijing_targets):
    IndicatorTarget.objects.filter(programme=programme, indicator="I01").update(target=7)
    assert targets_load(programme=programme, years=[2019], path=beijing_targets) == 0
    assert IndicatorTarget.objects.get(programme=programme, indicator="I01").target == 7
    targets_load(programme=programme, years=[2019], path=beijing_targets, replace=True)
    assert IndicatorTarget.objects.get(programme=programme, indicator="I01").target == 2


def test_a_year_outside_the_programme_or_an_early_as_of_is_refused(programme):
    with pytest.raises(AssessmentError):
        assessment_run(programme=programme, year=2017)
    with pytest.raises(AssessmentError):
        assessment_run(programme=programme, year=2019, as_of=dt.date(2018, 12, 31))


def test_without_a_targets_file_every_indicator_is_listed_as_no_target(assessment_data):
    """The small programme has no data/targets/small.toml: values, but no scores."""
    run = assessment_run(programme=assessment_data.programme, year=2019)
    assert not run.results.filter(target__isnull=False).exists()
    assert run.results.get(indicator="I01", unit_type="pairing", unit=KB).value == 2
    assert {u.score for u in run.units.all()} == {D(0)}
