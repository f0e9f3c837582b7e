"""Writes of the monitoring board: confirm a case, record its village notice, eliminate its
risk. Each checks `Verb.MANAGE_MONITORING` and the household's scope."""

from datetime import date

from xiezuo.access import Access
from xiezuo.precision.models import MonitoringCase


def case_confirm(*, access: Access, household_no: str, year: int, on: date) -> MonitoringCase:
    """Record that the case of `household_no` in `year` was confirmed on `on`."""
    raise NotImplementedError


def case_notice(
    *, access: Access, household_no: str, year: int, start: date, end: date
) -> MonitoringCase:
    """Record the village notice of the case, from `start` to `end` (both included)."""
    raise NotImplementedError


def case_eliminate(*, access: Access, household_no: str, year: int, on: date) -> MonitoringCase:
    """Record that the risk of the case was eliminated on `on`; XiezuoError unless the
    household's per-capita income of `year` reaches the threshold and the five assurances
    of `year` all hold."""
    raise NotImplementedError
