"""The small programme of tests/assessment assessed for 2018 and 2019 (an in-year 2019 run, so
that some indicators lag), with a rectification item drafted from its alerts."""

import datetime as dt

import pytest

from tests.assessment.conftest import BEIJING_TARGETS, assessment_data  # noqa: F401  (a fixture)
from xiezuo.access import Access
from xiezuo.assessment.services import assessment_run, targets_load

AS_OF = dt.date(2019, 6, 30)


@pytest.fixture
def programme(assessment_data):  # noqa: F811
    return assessment_data.programme


@pytest.fixture
def assessed(programme):
    """Return the 2019 run (as of 30 June, the latest of 2019), after a 2018 year-end run."""
    from xiezuo.assessment.rectification.services import rectification_draft

    targets_load(programme=programme, years=[2018, 2019], path=BEIJING_TARGETS)
    operator = Access.operator(programme)
    assessment_run(access=operator, programme=programme, year=2018)
    run = assessment_run(access=operator, programme=programme, year=2019, as_of=AS_OF)
    rectification_draft(access=operator, run=run, deadline=dt.date(2019, 9, 30))
    return run
