"""The small programme (tests/assessment) assessed at the end of 2019, with users of each
role, for the sign-off, workbook, page and zip tests."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from tests.assessment.conftest import BEIJING_TARGETS, KB, assessment_data
from xiezuo.access import Access, Role
from xiezuo.access.selectors import access_for
from xiezuo.access.services import grant_give
from xiezuo.assessment.services import assessment_run, targets_load
from xiezuo.ledgers.models import Fund
from xiezuo.programs.models import Pairing

YEAR = 2019
# The units of 2019 of the small programme.
UNITS = [
    ("programme", "small"),
    ("helper", "110105"),
    ("helper", "110116"),
    ("recipient", "130723"),
    ("recipient", "130728"),
    ("recipient", "130826"),
]


@pytest.fixture
def signoff_site(assessment_data, settings):
    """Return the programme (the site's), its 2019 year-end run, and a user per role."""
    programme = assessment_data.programme
    settings.XIEZUO_DEFAULT_PROGRAMME = programme.key
    targets_load(programme=programme, years=[2018, 2019], path=BEIJING_TARGETS)
    operator = Access.operator(programme)
    assessment_run(access=operator, programme=programme, year=2018)
    run = assessment_run(access=operator, programme=programme, year=YEAR)
    users = {}
    for name, role, region in (
        ("office", Role.PROGRAMME_OFFICE, "110000"),
        ("assessor", Role.ASSESSOR, "110000"),
        ("kangbao", Role.COUNTY_OFFICE, "130723"),
        ("huaian", Role.COUNTY_OFFICE, "130728"),
        ("chaoyang", Role.HELPER_OFFICE, "110105"),
        ("huairou", Role.HELPER_OFFICE, "110116"),
    ):
        user = User.objects.create_user(name, first_name=name)
        grant_give(user=user, role=role, region_code=region)
        users[name] = user
    return {"programme": programme, "run": run, "users": users, "operator": operator}


def access_of(site: dict, name: str) -> Access:
    return access_for(user=site["users"][name], programme=site["programme"])


def change_ledger_and_rerun(site: dict):
    """Raise 康保's 2019 fiscal aid (I08) and run the 2019 assessment again; return the run."""
    kb = Pairing.objects.get(programme=site["programme"], helper_id="110105", recipient_id="130723")
    fund = Fund.objects.filter(pairing=kb, year=YEAR, source="财政援助").order_by("pk").first()
    fund.amount += Decimal("2000.00")
    fund.save()
    return assessment_run(access=site["operator"], programme=site["programme"], year=YEAR)


def indicator(content: dict, key: str) -> dict:
    """Return an indicator's row of a unit's content."""
    rows = [i for area in content["areas"] for i in area["indicators"]]
    rows += content["outcomes"]["indicators"]
    return next(i for i in rows if i["key"] == key)


__all__ = [
    "KB",
    "UNITS",
    "YEAR",
    "access_of",
    "assessment_data",
    "change_ledger_and_rerun",
    "indicator",
]
