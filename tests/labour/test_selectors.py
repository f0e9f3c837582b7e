"""Scope of the labour reads: who sees which posts, candidates and proposals."""

import pytest

from xiezuo.access import Access, Role
from xiezuo.core.errors import ScopeError
from xiezuo.labour import selectors, services

pytestmark = pytest.mark.django_db


def test_a_county_office_sees_only_its_countys_candidates(
    labourers, posts, small_programme, access_as
):
    county = access_as(small_programme, (Role.COUNTY_OFFICE, "130728"))
    people = selectors.labour_pool(access=county)
    assert people.names == ["丁"]
    with pytest.raises(ScopeError):
        selectors.labour_pool(access=county, region="130723")


def test_the_pool_keeps_rules_one_and_two(labourers, small_programme):
    people = selectors.labour_pool(access=Access.operator(small_programme))
    assert sorted(people.names) == ["丁", "乙", "戊", "甲"]  # not 丙 (不再享受政策), not 己 (弱)


def test_a_helper_sees_its_posts(posts, small_programme, access_as):
    chaoyang = access_as(small_programme, (Role.HELPER_OFFICE, "110105"))
    huairou = access_as(small_programme, (Role.HELPER_OFFICE, "110116"))
    # 朝阳's own post and the local posts of 康保, the county it helps.
    assert {p.post_no for p in selectors.post_list(access=chaoyang)} == {"GW1", "GW3"}
    assert {p.post_no for p in selectors.post_list(access=huairou)} == {"GW2"}


def test_a_county_office_sees_the_posts_in_reach(posts, small_programme, access_as):
    kangbao = access_as(small_programme, (Role.COUNTY_OFFICE, "130723"))
    fengning = access_as(small_programme, (Role.COUNTY_OFFICE, "130826"))
    assert {p.post_no for p in selectors.post_list(access=kangbao)} == {"GW1", "GW3"}
    assert {p.post_no for p in selectors.post_list(access=fengning)} == {"GW2"}


def test_a_cadre_may_not_see_posts(posts, small_programme, access_as):
    cadre = access_as(small_programme, (Role.CADRE, "130723100201"))
    with pytest.raises(ScopeError):
        selectors.post_list(access=cadre)


def test_proposals_are_shown_masked_to_the_helper(labourers, posts, small_programme, access_as):
    run = services.match_run(access=Access.operator(small_programme), programme=small_programme)
    helper = access_as(small_programme, (Role.HELPER_OFFICE, "110116"))
    mine = list(selectors.proposal_list(access=helper, run=run))
    assert {p.post.post_no for p in mine} == {"GW2"}
    shown = selectors.shown_proposal(helper, mine[0])
    assert shown["id_number"] != mine[0].id_number
    assert shown["id_number"].startswith(mine[0].id_number[:6])
    county = access_as(small_programme, (Role.COUNTY_OFFICE, "130728"))
    own = selectors.proposal_list(access=county, run=run).get()
    assert selectors.shown_proposal(county, own)["id_number"] == own.id_number


def test_a_monitored_household_outside_the_register_is_not_in_the_pool(labourers, small_programme):
    household = labourers["丁"].household
    household.registered = False
    household.save()
    people = selectors.labour_pool(access=Access.operator(small_programme))
    assert "丁" not in people.names


def test_runs_are_followed_by_their_region_and_the_whole_programme(
    labourers, posts, small_programme, access_as
):
    operator = Access.operator(small_programme)
    kangbao = services.match_run(access=operator, programme=small_programme, region="130723")
    huaian = services.match_run(access=operator, programme=small_programme, region="130728")
    county = access_as(small_programme, (Role.COUNTY_OFFICE, "130723"))
    assessor = access_as(small_programme, (Role.ASSESSOR, "110000"))
    assert list(selectors.run_list(access=county)) == [kangbao]
    assert set(selectors.run_list(access=assessor)) == {kangbao, huaian}
    with pytest.raises(ScopeError):
        selectors.run_get(access=county, pk=huaian.pk)
    whole = services.match_run(access=operator, programme=small_programme)
    assert set(selectors.run_list(access=county)) == {kangbao, whole}
    names = {p.name for p in selectors.proposal_list(access=county, run=whole)}
    assert names == {"甲", "乙"}  # 康保's people only
