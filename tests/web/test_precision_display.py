"""The arrangement of the precision pages: checklist, village bars, case counts and filters."""

import datetime as dt

from xiezuo.precision.reports import Case, CountyExit, VillageExit
from xiezuo.precision.rules import rules_for
from xiezuo.web.precision import display

RULES = rules_for("beijing-hebei", 2020)


def county(**values) -> CountyExit:
    base = {
        "county": "130723",
        "name": "康保县",
        "population": 1000,
        "poor_people": 19,
        "incidence": 1.9,
        "missed_rate": 2.0,
        "wrong_exit_rate": 2.01,
        "approval": 90.0,
        "passes": False,
        "failing": ("错退率",),
        "people_to_exit": 0,
        "villages_to_exit": (),
    }
    return CountyExit(**{**base, **values})


def village(code: str, incidence: float | None, *, passes: bool) -> VillageExit:
    return VillageExit(code, f"村{code[-3:]}", "130723", code[:9], 100, 2, incidence, passes)


def case(household: str, categories: tuple[str, ...], status: str, overdue=()) -> Case:
    return Case(
        household=household,
        village=household[:12],
        registered=True,
        categories=categories,
        reasons=(),
        first_clue=None,
        confirm_by=None,
        confirmed_on=None,
        notice_from=None,
        notice_to=None,
        first_measure=None,
        measure_by=None,
        eliminated_on=None,
        status=status,
        overdue=tuple(overdue),
    )


def test_exit_checks_compare_each_value_with_its_threshold():
    """Incidence must be below 2, the rates at most 2, approval at least 90: 2.0 missed passes,
    2.01 wrong exits fails, 90.0 approval passes."""
    checks = {c.key: c.passes for c in display.exit_checks(county(), RULES)}
    assert checks == {
        "incidence": True,
        "missed_rate": True,
        "wrong_exit_rate": False,
        "approval": True,
    }


def test_exit_checks_without_a_value_fail():
    checks = display.exit_checks(county(incidence=None, approval=None), RULES)
    assert [c.passes for c in checks] == [False, True, False, False]


def test_village_bars_rank_by_incidence_and_mark_the_failing():
    """Highest first, a village without incidence last; bars are shares of the highest."""
    bars = display.village_bars(
        [
            village("130723100201", 1.0, passes=True),
            village("130723100202", None, passes=False),
            village("130723100203", 4.0, passes=False),
        ],
        {"130723100": "康保镇"},
    )
    assert [b.village.village[-3:] for b in bars] == ["203", "201", "202"]
    assert [b.share for b in bars] == [100.0, 25.0, 0.0]
    assert [b.flagged for b in bars] == [True, False, False]
    assert bars[0].township_name == "康保镇"


def test_case_counts_count_a_household_under_each_of_its_categories_and_once_in_total():
    cases = [
        case("130723100201000001", ("脱贫不稳定户", "突发严重困难户"), "待确认", ["confirm"]),
        case("130723100201000002", ("边缘易致贫户",), "帮扶中"),
        case("130723100201000003", ("脱贫不稳定户",), "风险已消除"),
    ]
    lines = {line.category: line for line in display.case_counts(cases)}
    assert lines["脱贫不稳定户"].by_status == [1, 0, 1]
    assert lines["突发严重困难户"].by_status == [1, 0, 0]
    assert lines["边缘易致贫户"].by_status == [0, 1, 0]
    total = lines["合计（每户一次）"]
    assert (total.by_status, total.total, total.overdue) == ([1, 1, 1], 3, 1)


def test_filter_cases_applies_every_filter_given():
    cases = [
        case("130723100201000001", ("脱贫不稳定户",), "待确认", ["confirm"]),
        case("130723100202000002", ("脱贫不稳定户",), "帮扶中"),
        case("130723100201000003", ("边缘易致贫户",), "帮扶中"),
    ]
    chosen = display.filter_cases(cases, category="脱贫不稳定户", village="130723100201")
    assert [c.household for c in chosen] == ["130723100201000001"]
    assert len(display.filter_cases(cases, status="帮扶中")) == 2
    assert [c.household for c in display.filter_cases(cases, overdue=True)] == [
        "130723100201000001"
    ]
    assert display.filter_cases(cases) == cases


def test_case_steps_show_what_was_done_and_what_is_late():
    late = Case(
        **{
            **case("130723100201000001", ("脱贫不稳定户",), "帮扶中").__dict__,
            "confirmed_on": dt.date(2020, 3, 10),
            "measure_by": dt.date(2020, 4, 9),
            "notice_from": dt.date(2020, 3, 11),
            "notice_to": dt.date(2020, 3, 13),
            "overdue": ("notice", "measure"),
        }
    )
    steps = {s.key: s for s in display.case_steps(late)}
    assert steps["confirm"].done == "2020-03-10"
    assert not steps["confirm"].overdue
    assert steps["notice"].done == "2020-03-11 至 2020-03-13"
    assert steps["notice"].overdue
    assert (steps["measure"].due, steps["measure"].overdue) == (dt.date(2020, 4, 9), True)
    assert steps["eliminated"].done == ""


def test_village_committee_names_are_shortened_as_people_say_them():
    assert display.short_village("大沟房村民委员会") == "大沟房村"
    assert display.short_village("石柱梁村村民委员会") == "石柱梁村"
    assert display.short_village("怡安社区居民委员会") == "怡安社区"
    assert display.short_village("一村") == "一村"
    assert display.short_village("村民委员会") == "村民委员会"
