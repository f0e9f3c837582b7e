"""The precision and monitoring reports over the hand-computed world of conftest.py."""

import datetime as dt
from decimal import Decimal

import pytest

from tests.precision.conftest import AS_OF, V1, V2, V3
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.precision.reports import Gap
from xiezuo.precision.selectors import (
    case_timeline,
    monitoring_case,
    monitoring_report,
    precision_report,
    village_notice,
)


def test_gaps_count_the_main_cause_only(precision_world, operator):
    """因病 with its medical measure ended on 31 Dec 2019 is a gap even though 小额信贷 (for
    its other cause 缺资金) runs in 2020; a measure starting on 31 Dec 2020 covers the year."""
    report = precision_report(access=operator, year=2020)
    assert report.gaps == [
        Gap("K01", V1, "因病", ("医疗保障", "医疗救助", "保险"), ("缺资金", "缺技术")),
        Gap("K07", V1, "因学", ("教育资助",), ()),
    ]


def test_household_exits(precision_world, operator):
    """K03 passes on income but its housing is unsafe; K04 sits exactly on the line; K06 is
    poor with 4,500 per person and the five assurances; K07 has no assurance record."""
    report = precision_report(access=operator, year=2020)
    assert report.wrong_exits == ["K03", "K04"]
    assert report.ready_to_exit == ["K06"]


def test_village_exits(precision_world, operator):
    """一村 12 poor of 300 (4 %), 二村 4 of 200 (exactly 2 %: fails), 三村 without population."""
    villages = {v.village: v for v in precision_report(access=operator, year=2020).villages}
    assert list(villages) == [V1, V2, V3]
    assert (villages[V1].poor_people, villages[V1].incidence, villages[V1].passes) == (
        12,
        4.0,
        False,
    )
    assert (villages[V2].poor_people, villages[V2].incidence, villages[V2].passes) == (
        4,
        2.0,
        False,
    )
    assert (villages[V3].population, villages[V3].incidence, villages[V3].passes) == (
        None,
        None,
        False,
    )
    assert (villages[V1].name, villages[V1].township, villages[V1].county) == (
        "一村",
        "130723100",
        "130723",
    )


def test_county_exits_and_the_what_if(precision_world, operator):
    """康保: 16 poor of 600 (2.67 %); at most 11 may remain, so 5 must exit — all in 一村.
    Approval 89.99 fails; a wrong-exit rate of exactly 2.00 passes."""
    counties = {c.county: c for c in precision_report(access=operator, year=2020).counties}
    kangbao = counties["130723"]
    assert (kangbao.poor_people, kangbao.population, kangbao.incidence) == (16, 600, 2.67)
    assert (kangbao.missed_rate, kangbao.wrong_exit_rate, kangbao.approval) == (1.5, 2.0, 89.99)
    assert kangbao.failing == ("贫困发生率 2.67% 未低于 2%", "群众认可度 89.99% 低于 90%")
    assert (kangbao.passes, kangbao.people_to_exit) == (False, 5)
    assert kangbao.villages_to_exit == ((V1, 12),)
    huaian = counties["130728"]
    assert huaian.failing == ("无人口数据", "无核查数据")
    assert (huaian.incidence, huaian.missed_rate, huaian.people_to_exit) == (None, None, 0)
    fengning = counties["130826"]
    assert (fengning.passes, fengning.failing, fengning.incidence) == (True, (), 0.0)


def test_a_county_office_sees_its_county_only(precision_world, access_as):
    access = access_as(precision_world, ("county_office", "130723"))
    report = precision_report(access=access, year=2020)
    assert [c.county for c in report.counties] == ["130723"]
    assert [v.village for v in report.villages] == [V1, V2]
    with pytest.raises(ScopeError):
        precision_report(access=access, year=2020, region="130728")


def test_a_helper_office_sees_its_paired_county(precision_world, access_as):
    """朝阳 110105 helps 康保; 怀柔 helps 怀安 and 丰宁."""
    access = access_as(precision_world, ("helper_office", "110105"))
    report = precision_report(access=access, year=2020)
    assert [c.county for c in report.counties] == ["130723"]
    assert report.wrong_exits == ["K03", "K04"]
    other = access_as(precision_world, ("county_office", "130728"))
    assert [c.county for c in precision_report(access=other, year=2020).counties] == ["130728"]
    with pytest.raises(ScopeError):
        precision_report(access=other, year=2020, region=V1)


def test_a_region_narrows_the_report(precision_world, operator):
    report = precision_report(access=operator, year=2020, region=V2)
    assert report.gaps == []
    assert report.wrong_exits == ["K03", "K04"]
    assert [v.village for v in report.villages] == [V2]
    assert report.counties == []  # a village holds no county


def test_a_year_without_a_line_is_an_error(precision_world, operator):
    with pytest.raises(XiezuoError, match="2018"):
        precision_report(access=operator, year=2018)


# --- monitoring --------------------------------------------------------------------------------


def test_monitoring_cases(monitoring_world, operator):
    report = monitoring_report(access=operator, year=2020, as_of=AS_OF)
    assert report.threshold == Decimal("6000.00")
    cases = {case.household: case for case in report.cases}
    assert list(cases) == ["H11", "M01", "M02", "M03", "M04", "M05", "M06", "M07"]
    assert {no: c.categories for no, c in cases.items()} == {
        "H11": ("脱贫不稳定户",),
        "M01": ("脱贫不稳定户",),
        "M02": ("脱贫不稳定户", "突发严重困难户"),
        "M03": ("脱贫不稳定户",),
        "M04": ("边缘易致贫户",),
        "M05": ("边缘易致贫户",),
        "M06": ("边缘易致贫户",),
        "M07": ("突发严重困难户",),
    }
    assert {no: (c.status, c.overdue) for no, c in cases.items()} == {
        "H11": ("待确认", ()),
        "M01": ("待确认", ()),
        "M02": ("待确认", ("confirm",)),  # clue 14 June: 16 days
        "M03": ("待确认", ()),  # clue 15 June: 15 days
        "M04": ("风险已消除", ()),
        "M05": ("帮扶中", ("measure",)),
        "M06": ("帮扶中", ("notice",)),
        "M07": ("待确认", ("confirm",)),
    }


def test_a_case_in_two_categories_is_listed_once_with_every_reason(monitoring_world, operator):
    case = monitoring_case(access=operator, household_no="M02", year=2020, as_of=AS_OF)
    assert case.reasons == (
        "脱贫不稳定户：已脱贫，当年有风险线索 1 条",
        "突发严重困难户：风险线索刚性支出 20,000.00 元，超过上年家庭纯收入 15,000.00 元",
    )
    assert (case.first_clue, case.confirm_by) == (dt.date(2020, 6, 14), dt.date(2020, 6, 29))


def test_monitored_households(monitoring_world, operator):
    """Inclusion is the confirmation and the end of the watch the elimination; a missing
    income counts as below the threshold."""
    m4 = monitoring_case(access=operator, household_no="M04", year=2020, as_of=AS_OF)
    assert (m4.confirmed_on, m4.eliminated_on) == (dt.date(2020, 3, 1), dt.date(2020, 5, 31))
    m5 = monitoring_case(access=operator, household_no="M05", year=2020, as_of=AS_OF)
    assert m5.reasons == ("边缘易致贫户：监测户无当年收入记录，按低于监测标准处理",)
    assert (m5.measure_by, m5.first_measure) == (dt.date(2020, 3, 2), dt.date(2020, 3, 5))
    assert m5.first_clue is None
    assert m5.confirm_by is None
    m7 = monitoring_case(access=operator, household_no="M07", year=2020, as_of=AS_OF)
    assert m7.reasons == (
        "突发严重困难户：风险线索刚性支出 5,000.00 元，超过上年无收入记录（按 0 元计）",
    )


def test_the_as_of_day_bounds_the_clues(monitoring_world, operator):
    """M08's clue of 15 July counts by the end of the year (6,000 per person is not below)."""
    with pytest.raises(XiezuoError):
        monitoring_case(access=operator, household_no="M08", year=2020, as_of=AS_OF)
    late = monitoring_case(access=operator, household_no="M08", year=2020)
    assert late.categories == ("脱贫不稳定户", "突发严重困难户")
    year_end = monitoring_report(access=operator, year=2020)
    assert year_end.as_of == dt.date(2020, 12, 31)


def test_no_monitoring_before_2020(monitoring_world, operator):
    report = monitoring_report(access=operator, year=2019)
    assert (report.threshold, report.cases) == (Decimal("4827.00"), [])


def test_monitoring_scope(monitoring_world, access_as):
    kangbao = access_as(monitoring_world, ("county_office", "130723"))
    assert "H11" not in {c.household for c in monitoring_report(access=kangbao, year=2020).cases}
    with pytest.raises(ScopeError):
        monitoring_case(access=kangbao, household_no="H11", year=2020)
    helper = access_as(monitoring_world, ("helper_office", "110116"))  # 怀柔 → 怀安, 丰宁
    assert [c.household for c in monitoring_report(access=helper, year=2020).cases] == ["H11"]


def test_case_timeline(monitoring_world, operator):
    assert case_timeline(access=operator, household_no="M05", year=2020) == [
        (dt.date(2020, 2, 1), "确认为监测对象"),
        (dt.date(2020, 2, 3), "村内公示至 2020-02-07"),
        (dt.date(2020, 3, 5), "开始帮扶措施：就业帮扶"),
    ]
    assert case_timeline(access=operator, household_no="M02", year=2020) == [
        (dt.date(2020, 6, 14), "发现风险线索（干部走访），刚性支出 20,000.00 元"),
    ]


def test_village_notice_carries_no_personal_data(monitoring_world, operator):
    """Open cases of 二村 (M04's risk is eliminated): name, size, categories, reasons only."""
    rows = village_notice(access=operator, village=V2, year=2020, as_of=AS_OF)
    assert [row["household"] for row in rows] == ["M05", "M06"]
    assert rows[1] == {
        "household": "M06",
        "户主姓名": "户主06",
        "家庭人口数": 2,
        "categories": ["边缘易致贫户"],
        "reasons": ["边缘易致贫户：监测户人均纯收入 5,500.00 元，低于监测标准 6,000.00 元"],
    }
    text = repr(rows)
    assert "1380000" not in text
    assert "患有大病" not in text
    assert "因病" not in text
