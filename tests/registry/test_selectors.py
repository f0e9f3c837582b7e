"""Reads of the registry: households and members through the caller's access, masked."""

import pytest
from django.contrib.auth.models import User

from xiezuo.access import Access, Role
from xiezuo.access.selectors import access_for
from xiezuo.access.services import grant_give
from xiezuo.core.errors import ScopeError
from xiezuo.programs.models import Programme
from xiezuo.registry.selectors import (
    household_get,
    household_list,
    member_list,
    programme_overview,
)


def _scope(programme, role, region):
    user = User.objects.create_user(f"{role}-{region}", password="x")
    grant_give(user=user, role=role, region_code=region)
    return access_for(user=user, programme=programme)


def test_county_office_lists_only_its_county(small_programme, make_household):
    own = make_household("130723100201")
    other = make_household("130728100201")
    scope = _scope(small_programme, Role.COUNTY_OFFICE, "130723")
    listed = set(household_list(access=scope).values_list("household_no", flat=True))
    assert own.household_no in listed
    assert other.household_no not in listed
    with pytest.raises(ScopeError):
        household_get(access=scope, household_no=other.household_no)
    with pytest.raises(ScopeError):
        household_list(access=scope, region="130728")


def test_cadre_lists_only_their_village(small_programme, make_household):
    mine = make_household("130723100201")
    neighbour = make_household("130723100202")
    scope = _scope(small_programme, Role.CADRE, "130723100201")
    listed = list(household_list(access=scope).values_list("household_no", flat=True))
    assert listed == [mine.household_no]
    assert neighbour.household_no not in listed


def test_public_scope_reads_no_household(small_programme, make_household):
    make_household("130723100201")
    with pytest.raises(ScopeError):
        household_list(access=Access.public(small_programme))


def test_members_masked_for_helper_office_and_shown_to_county_office(
    small_programme, make_household
):
    household = make_household("130723100201", people=2)
    full_ids = set(household.members.values_list("id_number", flat=True))
    helper = _scope(small_programme, Role.HELPER_OFFICE, "110105")
    county = _scope(small_programme, Role.COUNTY_OFFICE, "130723")

    masked = member_list(access=helper, household=household)
    shown = member_list(access=county, household=household)

    assert {m.id_number for m in shown} == full_ids
    assert not {m.id_number for m in masked} & full_ids
    assert all(m.id_number[6:14] == "********" for m in masked)
    assert {m.health for m in masked} == {"***"}
    assert {m.health for m in shown} == {"长期慢性病"}


@pytest.mark.parametrize(
    ("role", "region"),
    [
        (Role.HELPER_OFFICE, "110105"),
        (Role.PROGRAMME_OFFICE, "110000"),
        (Role.ASSESSOR, "110000"),
    ],
)
def test_a_masked_id_cannot_be_rebuilt_from_the_birth_date(
    small_programme, make_household, access_as, role, region
):
    """Leak 1: where ID numbers are masked the birth date is too (the age is shown), and the
    masked number keeps no more than its first 6 and last 4 characters."""
    household = make_household("130723100201", people=3)
    members = {m.name: m for m in household.members.all()}

    for view in member_list(access=access_as(small_programme, (role, region)), household=household):
        member = members[view.name]
        assert view.masked
        assert view.birth_date is None
        assert view.age > 0
        assert view.id_number == member.id_number[:6] + "*" * 8 + member.id_number[-4:]
        assert member.birth_date.strftime("%Y%m%d") not in view.id_number


def test_the_county_office_sees_its_own_birth_dates(small_programme, make_household, access_as):
    household = make_household("130723100201", people=2)
    views = member_list(
        access=access_as(small_programme, (Role.COUNTY_OFFICE, "130723")), household=household
    )
    assert {v.birth_date for v in views} == set(
        household.members.values_list("birth_date", flat=True)
    )


def test_member_list_refuses_a_household_outside_scope(small_programme, make_household):
    household = make_household("130728100201")
    scope = _scope(small_programme, Role.COUNTY_OFFICE, "130723")
    with pytest.raises(ScopeError):
        member_list(access=scope, household=household)


def test_overview_counts_people_from_members_per_county_and_year(small_programme, make_household):
    """康保: 3 people exit in 2019 and 2 stay poor; 怀安: a household of 4 falls back in 2020."""
    from xiezuo.regions.models import RuralPopulation

    make_household("130723100201", people=3, exit_year=2019)
    make_household("130723100202", people=2)
    make_household("130728100201", people=4, exit_year=2018, fallback_year=2020)
    RuralPopulation.objects.create(region_id="130723", year=2020, population=1000)
    RuralPopulation.objects.create(region_id="130728", year=2020, population=3000)

    overview = programme_overview(access=Access.public(small_programme))

    counties = {c.code: c for c in overview.counties}
    kangbao_2019 = counties["130723"].figures[2019]
    assert (kangbao_2019.exited_people, kangbao_2019.poor_people) == (3, 2)
    huaian_2019 = counties["130728"].figures[2019]
    assert huaian_2019.poor_people == 0
    huaian_2020 = counties["130728"].figures[2020]
    assert (huaian_2020.poor_people, huaian_2020.fell_back_people) == (4, 4)
    assert huaian_2020.incidence == pytest.approx(4 / 3000 * 100)
    assert counties["130728"].helpers == [("110116", "怀柔区")]
    assert counties["130826"].illustrative
    total_2020 = overview.totals[2020]
    assert total_2020.people == 9
    assert total_2020.poor_people == 6
    # 丰宁 has no rural population: the programme total has no incidence rather than a wrong one.
    assert total_2020.incidence is None


def test_overview_keeps_to_the_access_programme(small_programme):
    """The overview honours its access: another programme's figures are refused."""
    other = Programme.objects.create(
        key="other",
        name="另一个项目",
        start_year=2018,
        end_year=2020,
        helper_province_id="110000",
        recipient_province_id="130000",
        fund_envelope=0,
    )
    with pytest.raises(ScopeError):
        programme_overview(access=Access.public(small_programme), programme=other)
    with pytest.raises(ScopeError):
        programme_overview(access=Access.public())
