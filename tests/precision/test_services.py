"""The monitoring board's writes: who may, and when risk may be marked eliminated."""

import datetime as dt

import pytest

from tests.precision.conftest import AS_OF, assured
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.precision.models import MonitoringCase
from xiezuo.precision.selectors import monitoring_case
from xiezuo.precision.services import case_confirm, case_eliminate, case_notice


@pytest.fixture
def kangbao(monitoring_world, access_as):
    return access_as(monitoring_world, ("county_office", "130723"))


def test_a_county_office_confirms_and_notices_a_case(kangbao):
    """Confirmed on 20 June, a five-day notice: the case is 帮扶中 and nothing is overdue yet."""
    case_confirm(access=kangbao, household_no="M02", year=2020, on=dt.date(2020, 6, 20))
    case_notice(
        access=kangbao,
        household_no="M02",
        year=2020,
        start=dt.date(2020, 6, 21),
        end=dt.date(2020, 6, 25),
    )
    record = MonitoringCase.objects.get(household__household_no="M02", year=2020)
    assert record.updated_by.startswith("user:")
    case = monitoring_case(access=kangbao, household_no="M02", year=2020, as_of=AS_OF)
    assert (case.status, case.overdue, case.confirmed_on) == ("帮扶中", (), dt.date(2020, 6, 20))


def test_risk_is_eliminated_when_income_and_the_five_assurances_hold(kangbao):
    """M03: 7,000 per person (T = 6,000) and all five assurances of 2020."""
    case_eliminate(access=kangbao, household_no="M03", year=2020, on=dt.date(2020, 6, 28))
    case = monitoring_case(access=kangbao, household_no="M03", year=2020, as_of=AS_OF)
    assert (case.status, case.eliminated_on) == ("风险已消除", dt.date(2020, 6, 28))


def test_elimination_is_refused_below_the_threshold(kangbao):
    with pytest.raises(XiezuoError, match=r"人均纯收入 5,000\.00 元低于监测标准 6,000\.00 元"):
        case_eliminate(access=kangbao, household_no="M01", year=2020, on=AS_OF)
    assert not MonitoringCase.objects.filter(household__household_no="M01").exists()


def test_elimination_is_refused_when_an_assurance_fails(kangbao):
    from xiezuo.registry.models import Household

    with pytest.raises(XiezuoError, match="无两不愁三保障记录"):
        case_eliminate(access=kangbao, household_no="M02", year=2020, on=AS_OF)
    assured(Household.objects.get(household_no="M02"), 2020, housing=False)
    with pytest.raises(XiezuoError, match="住房安全有保障 未达标"):
        case_eliminate(access=kangbao, household_no="M02", year=2020, on=AS_OF)


def test_only_offices_that_manage_monitoring_may_write(monitoring_world, access_as):
    helper = access_as(monitoring_world, ("helper_office", "110105"))  # reads 康保
    cadre = access_as(monitoring_world, ("cadre", "130723100201"))
    other = access_as(monitoring_world, ("county_office", "130728"))
    for access in (helper, cadre, other):
        with pytest.raises(ScopeError):
            case_confirm(access=access, household_no="M02", year=2020, on=AS_OF)
    programme_office = access_as(monitoring_world, ("programme_office", "110000"))
    case_confirm(access=programme_office, household_no="M02", year=2020, on=AS_OF)


def test_a_helper_that_is_also_a_county_office_manages_only_its_county(monitoring_world, access_as):
    both = access_as(monitoring_world, ("helper_office", "110105"), ("county_office", "130728"))
    case_confirm(access=both, household_no="H11", year=2020, on=AS_OF)
    with pytest.raises(ScopeError):
        case_confirm(access=both, household_no="M02", year=2020, on=AS_OF)


def test_a_household_that_is_not_a_case_cannot_be_confirmed(kangbao):
    with pytest.raises(XiezuoError, match="不是 2020 年的监测对象"):
        case_confirm(access=kangbao, household_no="M09", year=2020, on=AS_OF)


def test_a_notice_must_end_after_it_starts(kangbao):
    with pytest.raises(XiezuoError, match="公示结束日期早于开始日期"):
        case_notice(
            access=kangbao, household_no="M02", year=2020, start=AS_OF, end=dt.date(2020, 6, 1)
        )
