"""Writes of the monitoring board: confirm a case, record its village notice, eliminate its
risk. Each checks `Verb.MANAGE_MONITORING` and that the household lies where the caller's
grant for it reaches (a county office in its county, the programme office anywhere)."""

from datetime import date
from decimal import Decimal

from django.db import transaction

from xiezuo.access import Access, Verb
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.precision.models import Assurance, MonitoringCase
from xiezuo.precision.selectors import monitoring_case, monitoring_threshold
from xiezuo.registry.models import Household, Income
from xiezuo.registry.selectors import household_get


class MonitoringError(XiezuoError):
    """A step on the monitoring board that the rules do not allow."""


def _managed(*, access: Access, household_no: str) -> Household:
    """Return the household when the caller may manage its monitoring; ScopeError otherwise."""
    access.check(Verb.MANAGE_MONITORING)
    household = household_get(access=access, household_no=household_no)
    if access.may_in(Verb.MANAGE_MONITORING, household.village_id):
        return household
    raise ScopeError(f"无权管理户 {household_no} 的监测", household=household_no)


def _who(access: Access) -> str:
    return f"user:{access.user_id}" if access.user_id is not None else "operator"


def _record(*, access: Access, household: Household, year: int) -> MonitoringCase:
    case, _ = MonitoringCase.objects.select_for_update().get_or_create(
        household=household, year=year
    )
    case.updated_by = _who(access)
    return case


def case_confirm(*, access: Access, household_no: str, year: int, on: date) -> MonitoringCase:
    """Record that the case of `household_no` in `year` was confirmed on `on`.

    The household must be a case of `year` as of `on`; `on` lies in the year or after it.
    """
    household = _managed(access=access, household_no=household_no)
    if on < date(year, 1, 1):
        raise MonitoringError(f"确认日期 {on} 早于 {year} 年", on=on.isoformat())
    monitoring_case(access=access, household_no=household_no, year=year, as_of=on)
    with transaction.atomic():
        case = _record(access=access, household=household, year=year)
        case.confirmed_on = on
        case.save()
    return case


def case_notice(
    *, access: Access, household_no: str, year: int, start: date, end: date
) -> MonitoringCase:
    """Record the village notice of the case, from `start` to `end` (both included).

    A notice shorter than the rules ask is recorded as it ran; the board shows it overdue.
    """
    household = _managed(access=access, household_no=household_no)
    if end < start:
        raise MonitoringError("公示结束日期早于开始日期", start=start.isoformat())
    monitoring_case(access=access, household_no=household_no, year=year)
    with transaction.atomic():
        case = _record(access=access, household=household, year=year)
        case.notice_from, case.notice_to = start, end
        case.save()
    return case


def case_eliminate(*, access: Access, household_no: str, year: int, on: date) -> MonitoringCase:
    """Record that the risk of the case was eliminated on `on`.

    The household need not be a case any more: income above the threshold takes most
    households off the list. Refused (MonitoringError, with the reason) unless the
    household's per-capita net income of `year` reaches the monitoring threshold and the five
    assurances of `year` all hold.
    """
    household = _managed(access=access, household_no=household_no)
    if access.programme is None:
        raise ScopeError("没有选定项目")
    threshold = monitoring_threshold(programme=access.programme, year=year)
    income = Income.objects.filter(household=household, year=year).first()
    if income is None or household.size <= 0:
        raise MonitoringError(f"{year} 年无收入记录，不能标注风险消除", household=household_no)
    per_capita = (income.net / household.size).quantize(Decimal("0.01"))
    if income.net < threshold * household.size:
        raise MonitoringError(
            f"{year} 年人均纯收入 {per_capita:,.2f} 元低于监测标准 {threshold:,.2f} 元，"
            "不能标注风险消除",
            household=household_no,
        )
    assurance = Assurance.objects.filter(household=household, year=year).first()
    if assurance is None or not assurance.all_met:
        missing = (
            "无两不愁三保障记录"
            if assurance is None
            else "、".join(
                str(getattr(Assurance._meta.get_field(name), "verbose_name", name))
                for name in Assurance.FIVE
                if not getattr(assurance, name)
            )
            + " 未达标"
        )
        raise MonitoringError(f"{year} 年{missing}，不能标注风险消除", household=household_no)
    with transaction.atomic():
        case = _record(access=access, household=household, year=year)
        case.eliminated_on = on
        case.save()
    return case
