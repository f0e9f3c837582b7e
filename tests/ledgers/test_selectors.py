"""Reads of the ledgers follow the caller's access through the pairing."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser, User

from xiezuo.access import Role
from xiezuo.access.selectors import access_for
from xiezuo.access.services import grant_give
from xiezuo.core.errors import ScopeError
from xiezuo.ledgers.models import Fund, Secondment, Visit
from xiezuo.ledgers.selectors import ledger_records
from xiezuo.programs.models import Pairing

pytestmark = pytest.mark.django_db


def _scope(programme, role, region):
    user = User.objects.create_user(f"{role}-{region}", password="x")
    grant_give(user=user, role=role, region_code=region)
    return access_for(user=user, programme=programme)


@pytest.fixture
def funds(pairings, make_fund):
    """One allocation per pairing, by pairing key."""
    return {key: make_fund(pairing) for key, pairing in pairings.items()}


def test_anonymous_caller_is_refused(small_programme, funds):
    scope = access_for(user=AnonymousUser(), programme=small_programme)
    with pytest.raises(ScopeError):
        ledger_records(access=scope, model=Fund)


def test_county_office_sees_only_its_county(small_programme, funds):
    scope = _scope(small_programme, Role.COUNTY_OFFICE, "130723")
    assert list(ledger_records(access=scope, model=Fund)) == [funds["110105→130723"]]


def test_helper_office_sees_its_pairings(small_programme, funds):
    scope = _scope(small_programme, Role.HELPER_OFFICE, "110116")
    found = set(ledger_records(access=scope, model=Fund))
    assert found == {funds["110116→130728"], funds["110116→130826"]}


@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICE, Role.ASSESSOR])
def test_programme_wide_roles_see_everything(small_programme, funds, role):
    scope = _scope(small_programme, role, "110000")
    assert set(ledger_records(access=scope, model=Fund)) == set(funds.values())


def test_superuser_sees_everything(small_programme, funds):
    root = User.objects.create_superuser("root", password="x")
    access = access_for(user=root, programme=small_programme)
    assert ledger_records(access=access, model=Fund).count() == 3


def test_adding_a_helper_grant_keeps_the_county_offices_pairings(
    small_programme, pairings, make_fund
):
    """The reproduced defect: with a second pairing 怀柔→康保, a user holding 康保's county
    office sees both of 康保's pairings, and still does once given 朝阳's helper office too."""
    second = Pairing.objects.create(
        programme=small_programme,
        helper_id="110116",
        recipient_id="130723",
        start_date=dt.date(2018, 4, 14),
        provenance=Pairing.Provenance.ILLUSTRATIVE,
    )
    chaoyang_kangbao = make_fund(pairings["110105→130723"])
    huairou_kangbao = make_fund(second)
    user = User.objects.create_user("both", password="x")
    grant_give(user=user, role=Role.COUNTY_OFFICE, region_code="130723")
    county = set(
        ledger_records(access=access_for(user=user, programme=small_programme), model=Fund)
    )
    grant_give(user=user, role=Role.HELPER_OFFICE, region_code="110105")
    both = set(ledger_records(access=access_for(user=user, programme=small_programme), model=Fund))

    assert county == {chaoyang_kangbao, huairou_kangbao}
    assert both == county


def test_village_cadre_sees_no_pairing_ledgers(small_programme, funds):
    scope = _scope(small_programme, Role.CADRE, "130723100201")
    assert not ledger_records(access=scope, model=Fund).exists()


def test_helper_office_does_not_see_a_co_helper_of_its_county(small_programme, pairings, make_fund):
    """If 朝阳 also helped 怀安, 怀柔's office would not see 朝阳→怀安, and 怀安's office both."""
    co_helper = Pairing.objects.create(
        programme=small_programme,
        helper_id="110105",
        recipient_id="130728",
        start_date=dt.date(2018, 4, 14),
        provenance=Pairing.Provenance.ILLUSTRATIVE,
    )
    theirs = make_fund(co_helper)
    ours = make_fund(pairings["110116→130728"])
    huairou = _scope(small_programme, Role.HELPER_OFFICE, "110116")
    huaian = _scope(small_programme, Role.COUNTY_OFFICE, "130728")
    assert set(ledger_records(access=huairou, model=Fund)) == {ours}
    assert set(ledger_records(access=huaian, model=Fund)) == {ours, theirs}


def test_region_narrows_to_the_pairings_around_it(small_programme, funds):
    scope = _scope(small_programme, Role.HELPER_OFFICE, "110116")
    found = ledger_records(access=scope, model=Fund, region="130826100201")
    assert list(found) == [funds["110116→130826"]]


def test_region_outside_the_scope_is_refused(small_programme, funds):
    scope = _scope(small_programme, Role.COUNTY_OFFICE, "130723")
    with pytest.raises(ScopeError, match="130728"):
        ledger_records(access=scope, model=Fund, region="130728")


def test_year_keeps_the_records_of_that_year(small_programme, pairings, make_fund):
    kangbao = pairings["110105→130723"]
    in_2019 = make_fund(kangbao, year=2019)
    make_fund(kangbao, year=2020)
    scope = _scope(small_programme, Role.COUNTY_OFFICE, "130723")
    assert list(ledger_records(access=scope, model=Fund, year=2019)) == [in_2019]


def test_spells_count_in_every_year_they_run(small_programme, pairings, make_secondment):
    kangbao = pairings["110105→130723"]
    closed = make_secondment(kangbao, dt.date(2018, 7, 1), dt.date(2019, 6, 30))
    running = make_secondment(kangbao, dt.date(2019, 12, 1), None)
    scope = _scope(small_programme, Role.COUNTY_OFFICE, "130723")

    def in_year(year):
        return set(ledger_records(access=scope, model=Secondment, year=year))

    assert in_year(2018) == {closed}
    assert in_year(2019) == {closed, running}
    assert in_year(2021) == {running}


def test_visits_from_hebei_are_seen_by_the_helper(small_programme, pairings, make_visit):
    kangbao = pairings["110105→130723"]
    visit = make_visit(kangbao, dt.date(2019, 5, 20), origin_id="130723", destination_id="110105")
    scope = _scope(small_programme, Role.HELPER_OFFICE, "110105")
    assert list(ledger_records(access=scope, model=Visit, year=2019)) == [visit]


def test_records_are_read_in_a_fixed_number_of_queries(
    small_programme, funds, django_assert_num_queries
):
    scope = _scope(small_programme, Role.HELPER_OFFICE, "110116")
    with django_assert_num_queries(1):  # the records: the access holds the pairings
        list(ledger_records(access=scope, model=Fund))
