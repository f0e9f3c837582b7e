import pytest
from django.contrib.auth.models import AnonymousUser, User

from xiezuo.core.models import Grant
from xiezuo.core.scope import Role
from xiezuo.programs.selectors import scope_for


def _user(name, role, region):
    user = User.objects.create_user(name, password="x")
    Grant.objects.create(user=user, role=role, region_code=region)
    return user


def test_anonymous_scope_reads_no_households(small_programme):
    scope = scope_for(user=AnonymousUser(), programme=small_programme)
    assert not scope.may_read_households
    assert not scope.covers("130723")


def test_helper_office_reads_its_paired_counties_masked(small_programme):
    """怀柔 is paired with 怀安 and 丰宁: it reads both, not 康保, and sees no ID numbers."""
    scope = scope_for(user=_user("hr", Role.HELPER_OFFICE, "110116"), programme=small_programme)
    assert scope.covers("130728100201")
    assert scope.covers("130826")
    assert not scope.covers("130723")
    assert not scope.shows_personal_data("130728100201")


def test_county_office_reads_own_county_with_personal_data(small_programme):
    scope = scope_for(user=_user("kb", Role.COUNTY_OFFICE, "130723"), programme=small_programme)
    assert scope.covers("130723100201")
    assert not scope.covers("130728")
    assert scope.shows_personal_data("130723100202")


@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICE, Role.ASSESSOR])
def test_programme_wide_roles_read_both_provinces_masked(small_programme, role):
    scope = scope_for(user=_user("po", role, "110000"), programme=small_programme)
    assert scope.covers("130826100201")
    assert scope.covers("110105")
    assert not scope.covers("120000")
    assert not scope.shows_personal_data("130723")


def test_cadre_reads_only_their_village(small_programme):
    scope = scope_for(user=_user("cadre", Role.CADRE, "130723100201"), programme=small_programme)
    assert scope.covers("130723100201")
    assert not scope.covers("130723100202")
    assert scope.shows_personal_data("130723100201")
