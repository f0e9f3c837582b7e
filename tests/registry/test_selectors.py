import pytest
from django.contrib.auth.models import User

from xiezuo.core.errors import ScopeError
from xiezuo.core.models import Grant
from xiezuo.core.scope import Role, Scope
from xiezuo.programs.selectors import scope_for
from xiezuo.registry.selectors import (
    household_get,
    household_list,
    member_list,
    programme_overview,
)


def _scope(programme, role, region):
    user = User.objects.create_user(f"{role}-{region}", password="x")
    Grant.objects.create(user=user, role=role, region_code=region)
    return scope_for(user=user, programme=programme)


def test_county_office_lists_only_its_county(small_programme, make_household):
    own = make_household("130723100201")
    other = make_household("130728100201")
    scope = _scope(small_programme, Role.COUNTY_OFFICE, "130723")
    listed = set(household_list(scope=scope).values_list("household_no", flat=True))
    assert own.household_no in listed
    assert other.household_no not in listed
    with pytest.raises(ScopeError):
        household_get(scope=scope, household_no=other.household_no)
    with pytest.raises(ScopeError):
        household_list(scope=scope, region="130728")


def test_cadre_lists_only_their_village(small_programme, make_household):
    mine = make_household("130723100201")
    neighbour = make_household("130723100202")
    scope = _scope(small_programme, Role.CADRE, "130723100201")
    listed = list(household_list(scope=scope).values_list("household_no", flat=True))
    assert listed == [mine.household_no]
    assert neighbour.household_no not in listed


def test_public_scope_reads_no_household(small_programme, make_household):
    make_household("130723100201")
    with pytest.raises(ScopeError):
        household_list(scope=Scope.public())


def test_members_masked_for_helper_office_and_shown_to_county_office(
    small_programme, make_household
):
    household = make_household("130723100201", people=2)
    full_ids = set(household.members.values_list("id_number", flat=True))
    helper = _scope(small_programme, Role.HELPER_OFFICE, "110105")
    county = _scope(small_programme, Role.COUNTY_OFFICE, "130723")

    masked = member_list(scope=helper, household=household)
    shown = member_list(scope=county, household=household)

    assert {m.id_number for m in shown} == full_ids
    assert not {m.id_number for m in masked} & full_ids
    assert all(m.id_number[6:14] == "********" for m in masked)
    assert {m.health for m in masked} == {"***"}
    assert {m.health for m in shown} == {"长期慢性病"}


def test_member_list_refuses_a_household_outside_scope(small_programme, make_household):
    household = make_household("130728100201")
    scope = _scope(small_programme, Role.COUNTY_OFFICE, "130723")
    with pytest.raises(ScopeError):
        member_list(scope=scope, household=household)


def test_overview_counts_people_from_members_per_county_and_year(small_programme, make_household):
    """康保: 3 people exit in 2019 and 2 stay poor; 怀安: a household of 4 falls back in 2020."""
    from xiezuo.regions.models import RuralPopulation

    make_household("130723100201", people=3, exit_year=2019)
    make_household("130723100202", people=2)
    make_household("130728100201", people=4, exit_year=2018, fallback_year=2020)
    RuralPopulation.objects.create(region_id="130723", year=2020, population=1000)
    RuralPopulation.objects.create(region_id="130728", year=2020, population=3000)

    overview = programme_overview(scope=Scope.public(), programme=small_programme)

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
