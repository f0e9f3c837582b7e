"""The pure pieces: the what-if's exact arithmetic, the as-of day, a case's deadlines."""

import datetime as dt
from decimal import Decimal

import pytest

from xiezuo.precision import calculations as calc
from xiezuo.precision.rules import rules_for

RULES = rules_for("small", 2020)


@pytest.mark.parametrize(
    ("poor", "population", "needed"),
    [
        (19, 1000, 0),  # 1.9 % passes
        (20, 1000, 1),  # exactly 2 % fails: one must exit, 19 may remain
        (25, 1000, 6),
        (16, 600, 5),  # 2 % of 600 is 12: at most 11 may remain
        (3, 0, 0),  # no population: nothing to reach
        (0, 1000, 0),
    ],
)
def test_people_to_exit_is_exact(poor, population, needed):
    """The fewest people to exit leave (poor − n) ÷ population × 100 strictly below 2 %."""
    assert calc.people_to_exit(poor, population, 2.0) == needed


def test_people_to_exit_with_a_fractional_threshold():
    """3 % of 1,234 is 37.02: at most 37 may remain."""
    assert calc.people_to_exit(40, 1234, 3.0) == 3
    assert calc.people_to_exit(40, 1000, 0.1) == 40  # 0.1 % of 1,000 is 1: none may remain


def test_villages_holding_takes_the_largest_until_the_number_is_reached():
    poor = {"v3": 2, "v1": 5, "v2": 5, "v4": 0}
    assert calc.villages_holding(poor, 6) == (("v1", 5), ("v2", 5))
    assert calc.villages_holding(poor, 5) == (("v1", 5),)
    assert calc.villages_holding(poor, 0) == ()


def test_incidence_exactly_at_the_threshold_fails():
    assert calc.incidence(4, 200) == 2.0
    assert not calc.below_incidence(4, 200, 2.0)
    assert calc.below_incidence(3, 200, 2.0)
    assert calc.incidence(3, None) is None
    assert not calc.below_incidence(0, None, 2.0)


def test_default_as_of_is_today_in_the_year_else_its_last_day():
    assert calc.default_as_of(2020, dt.date(2020, 5, 4)) == dt.date(2020, 5, 4)
    assert calc.default_as_of(2020, dt.date(2026, 1, 2)) == dt.date(2020, 12, 31)


def test_a_notice_counts_both_ends():
    assert calc.notice_long_enough(dt.date(2020, 2, 3), dt.date(2020, 2, 7), 5)
    assert not calc.notice_long_enough(dt.date(2020, 2, 3), dt.date(2020, 2, 6), 5)
    assert not calc.notice_long_enough(None, None, 5)


def _facts(**changes) -> calc.CaseFacts:
    values = dict(
        registered=True,
        unstable=True,
        marginal=False,
        sudden=False,
        size=2,
        net_fen=1_000_000,
        before_fen=None,
        rigid_fen=None,
        first_clue=dt.date(2020, 6, 14),
        clues=1,
        monitored_from=None,
        monitored_until=None,
        confirmed_on=None,
        notice_from=None,
        notice_to=None,
        eliminated_on=None,
    )
    values.update(changes)
    return calc.CaseFacts(**values)


def test_sixteen_days_unconfirmed_is_overdue_fifteen_is_not():
    facts = _facts()
    late = calc.case_standing(facts, rules=RULES, as_of=dt.date(2020, 6, 30), first_measure=None)
    in_time = calc.case_standing(facts, rules=RULES, as_of=dt.date(2020, 6, 29), first_measure=None)
    assert late.confirm_by == dt.date(2020, 6, 29)
    assert (late.status, late.overdue) == ("待确认", ("confirm",))
    assert (in_time.status, in_time.overdue) == ("待确认", ())


def test_a_confirmation_after_the_as_of_day_does_not_count():
    facts = _facts(confirmed_on=dt.date(2020, 7, 1))
    standing = calc.case_standing(
        facts, rules=RULES, as_of=dt.date(2020, 6, 20), first_measure=None
    )
    assert standing.status == "待确认"
    assert standing.confirmed_on is None


def test_a_confirmed_case_without_notice_or_measure_in_a_month():
    facts = _facts(confirmed_on=dt.date(2020, 5, 1))
    standing = calc.case_standing(
        facts, rules=RULES, as_of=dt.date(2020, 6, 30), first_measure=dt.date(2020, 6, 1)
    )
    assert standing.measure_by == dt.date(2020, 5, 31)
    assert (standing.status, standing.overdue) == ("帮扶中", ("notice", "measure"))
    on_time = calc.case_standing(
        facts, rules=RULES, as_of=dt.date(2020, 6, 30), first_measure=dt.date(2020, 5, 31)
    )
    assert on_time.overdue == ("notice",)


def test_reasons_carry_the_figures_and_no_clue_category():
    facts = _facts(sudden=True, before_fen=1_500_000, rigid_fen=2_000_000)
    categories, reasons = calc.case_reasons(facts, threshold=Decimal("6000.00"))
    assert categories == ("脱贫不稳定户", "突发严重困难户")
    assert reasons == (
        "脱贫不稳定户：已脱贫，人均纯收入 5,000.00 元，低于监测标准 6,000.00 元",
        "脱贫不稳定户：已脱贫，当年有风险线索 1 条",
        "突发严重困难户：风险线索刚性支出 20,000.00 元，超过上年家庭纯收入 15,000.00 元",
    )
    assert not any("因病" in reason for reason in reasons)
