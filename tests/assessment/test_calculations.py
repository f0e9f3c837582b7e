"""Scores, targets per unit, grades, ranks and alerts: pure arithmetic (DOMAIN.md §3)."""

import datetime as dt
from decimal import Decimal

import pytest

from xiezuo.assessment import catalog
from xiezuo.assessment.calculations import (
    Target,
    alert_level,
    elapsed_share,
    expected,
    grade,
    ranks,
    score,
    target_for,
    total,
)
from xiezuo.assessment.catalog import GradeBand

D = Decimal
BANDS = [
    GradeBand("好", D(90)),
    GradeBand("较好", D(75)),
    GradeBand("一般", D(60)),
    GradeBand("较差", D(0)),
]


@pytest.mark.parametrize(
    ("value", "target", "expected_score"),
    [
        (D(1), D(2), D("2.5000")),  # half the target, half the weight
        (D(3), D(2), D("5.0000")),  # capped at the weight
        (D(-100), D(5), D("0.0000")),  # a fall scores nothing, never below
        (D(0), D(2), D("0.0000")),
    ],
)
def test_score_is_weight_times_the_share_of_the_target_capped_at_one(value, target, expected_score):
    assert score(value, Target(target, D(5))) == expected_score


def test_lower_is_better_scores_target_over_value():
    assert score(D("0.7"), Target(D(2), D(4)), direction="lower") == D("4.0000")
    assert score(D(4), Target(D(2), D(4)), direction="lower") == D("2.0000")
    assert score(D(0), Target(D(2), D(4)), direction="lower") == D("4.0000")


def test_no_target_or_no_value_scores_nothing():
    assert score(D(3), Target(None, None)) is None
    assert score(None, Target(D(80), D(4))) is None


def test_a_unit_total_adds_the_scores_it_has():
    assert total([D("5.0000"), None, D("1.8750"), D("0.4688")]) == D("7.34")


def test_targets_per_unit_prefer_the_unit_then_its_type_then_the_scaled_pairing_default():
    visits, share = catalog.indicator("I01"), catalog.indicator("I11")
    targets = {
        ("I01", "pairing", ""): Target(D(2), D(5)),
        ("I11", "pairing", ""): Target(D(80), D(4)),
        ("I01", "pairing", "110116→130826"): Target(D(1), D(5)),
        ("I01", "recipient", ""): Target(D(3), D(5)),
    }
    assert target_for(targets, visits, "pairing", "110105→130723", pairings=1).target == 2
    assert target_for(targets, visits, "pairing", "110116→130826", pairings=1).target == 1
    assert target_for(targets, visits, "recipient", "130728", pairings=1).target == 3
    assert target_for(targets, visits, "helper", "110116", pairings=2).target == 4  # 2 × 2
    assert target_for(targets, share, "helper", "110116", pairings=2).target == 80  # a rate
    assert target_for(targets, catalog.indicator("O2"), "recipient", "130723", pairings=1) == (
        Target(None, None)
    )


@pytest.mark.parametrize(
    ("points", "expected_grade"),
    [
        (D(95), "好"),
        (D(90), "好"),
        (D("89.99"), "较好"),
        (D(75), "较好"),
        (D(60), "一般"),
        (D(10), "较差"),
    ],
)
def test_grade_is_the_first_band_whose_minimum_the_total_reaches(points, expected_grade):
    assert grade(points, BANDS) == expected_grade


def test_a_three_level_grade_set_works_the_same():
    three = [GradeBand("优秀", D(85)), GradeBand("合格", D(60)), GradeBand("不合格", D(0))]
    assert [grade(D(x), three) for x in (90, 70, 30)] == ["优秀", "合格", "不合格"]


def test_ties_share_a_rank_and_the_next_rank_skips():
    totals = {"a": D(80), "b": D(70), "c": D(70), "d": D(50)}
    assert ranks(totals) == {"a": 1, "b": 2, "c": 2, "d": 4}


def test_the_elapsed_share_counts_days_of_the_year():
    assert elapsed_share(2019, dt.date(2019, 6, 30)) == D(181) / D(365)
    assert elapsed_share(2020, dt.date(2020, 2, 29)) == D(60) / D(366)


def test_a_run_at_or_after_the_year_end_has_no_alerts():
    assert elapsed_share(2019, dt.date(2019, 12, 31)) is None
    assert elapsed_share(2019, dt.date(2020, 2, 1)) is None


def test_only_indicators_that_grow_through_the_year_are_pro_rated():
    half = D("0.5")
    assert expected(catalog.indicator("I08"), D(3800), half) == D(1900)
    assert expected(catalog.indicator("I11"), D(80), half) == D(80)


@pytest.mark.parametrize(
    ("value", "level"),
    [(D("59.9"), "red"), (D(60), "amber"), (D("89.9"), "amber"), (D(90), None), (None, None)],
)
def test_below_60_percent_is_red_below_90_amber(value, level):
    assert alert_level(value, D(100)) == level
