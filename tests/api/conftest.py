"""Fixtures of the API tests: the small programme with households and ledger rows in every
area, one user per role, tokens, and an area outside the programme."""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.test import Client

from xiezuo.access import Role
from xiezuo.access.services import grant_give
from xiezuo.api.tokens import token_create
from xiezuo.core.ids import make_id
from xiezuo.ledgers.models import Fund, Secondment
from xiezuo.programs.models import Pairing, Programme
from xiezuo.regions.models import Region

# A county outside the programme (山西), with a household: what the programme-wide roles
# must not reach either.
OUTSIDE = [
    ("140000", "山西省", 1, None),
    ("140100", "太原市", 2, "140000"),
    ("140121", "清徐县", 3, "140100"),
    ("140121100", "清源镇", 4, "140121"),
    ("140121100201", "五村", 5, "140121100"),
]


@dataclass(frozen=True)
class Role_:
    """A role under test: its grant, and an object of another area for each kind of key."""

    name: str
    role: Role
    region: str
    foreign_household: str  # key of the `households` fixture
    foreign_region: str
    foreign_pairing: str


# For each role: its grant, and an area it must not see (another county; for the
# programme-wide roles, a county outside the programme).
ROLES = [
    Role_("programme_office", Role.PROGRAMME_OFFICE, "110000", "X", "140121", "110105→140121"),
    Role_("helper_office", Role.HELPER_OFFICE, "110105", "D", "130728", "110116→130728"),
    Role_("county_office", Role.COUNTY_OFFICE, "130723", "D", "130728", "110116→130728"),
    Role_("cadre", Role.CADRE, "130723100201", "D", "130728", "110116→130728"),
    Role_("assessor", Role.ASSESSOR, "110000", "X", "140121", "110105→140121"),
]


@pytest.fixture
def programme(small_programme, settings, tmp_path):
    """Return the small programme as the site's programme (uploads under a temporary folder)."""
    settings.XIEZUO_DEFAULT_PROGRAMME = small_programme.key
    settings.DATA_DIR = tmp_path / "data"
    for code, name, level, parent in OUTSIDE:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    other = Programme.objects.create(
        key="other",
        name="另一个项目",
        start_year=2018,
        end_year=2020,
        helper_province_id="110000",
        recipient_province_id="140000",
        fund_envelope=Decimal("1.00"),
    )
    Pairing.objects.create(
        programme=other,
        helper_id="110105",
        recipient_id="140121",
        start_date=dt.date(2018, 1, 1),
        provenance=Pairing.Provenance.ILLUSTRATIVE,
    )
    return small_programme


@pytest.fixture
def households(programme, make_household):
    """Households A, B (康保 一村), C (康保 二村), D (怀安), E (丰宁), X (山西, outside)."""
    return {
        "A": make_household("130723100201", people=3),
        "B": make_household("130723100201", people=2),
        "C": make_household("130723100202", people=4),
        "D": make_household("130728100201", people=5),
        "E": make_household("130826100201", people=1),
        "X": make_household("140121100201", people=2),
    }


@pytest.fixture
def ledger_rows(programme):
    """Two funds and a secondment (personal: an ID number) in each pairing of the programme."""
    for n, pairing in enumerate(Pairing.objects.filter(programme=programme).order_by("pk")):
        for year in (2019, 2020):
            Fund.objects.create(
                pairing=pairing,
                year=year,
                helper_id=pairing.helper_id,
                recipient_id=pairing.recipient_id,
                source="财政援助",
                amount=Decimal("100.00"),
                paid_date=dt.date(year, 6, 30),
            )
        Secondment.objects.create(
            pairing=pairing,
            name=f"干部{n}",
            id_number=make_id(pairing.helper_id, dt.date(1978, 6, 12), n * 2 + 1),
            sender_id=pairing.helper_id,
            posting_id=pairing.recipient_id,
            category="党政干部",
            start_date=dt.date(2019, 3, 1),
            end_date=None,
        )


@pytest.fixture
def users(programme):
    """One user per role of `ROLES`, by role name."""
    made = {}
    for role in ROLES:
        user = User.objects.create_user(role.name)
        grant_give(user=user, role=role.role, region_code=role.region)
        made[role.name] = user
    return made


@pytest.fixture
def bearer(users):
    """Return a function giving a client whose requests carry a new token of a user."""

    def make(username: str, *, read_only: bool = False) -> Client:
        issued = token_create(username=username, read_only=read_only)
        return Client(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")

    return make
