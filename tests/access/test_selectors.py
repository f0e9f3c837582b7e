"""`access_for`: a user's grants resolved into what they may read in a programme."""

import pytest
from django.contrib.auth.models import AnonymousUser, User

from xiezuo.access import Role, Verb
from xiezuo.access.selectors import access_for


def test_anonymous_access_reads_no_households(small_programme):
    access = access_for(user=AnonymousUser(), programme=small_programme)
    assert not access.may(Verb.VIEW_HOUSEHOLDS)
    assert not access.covers("130723")
    assert access.pairing_ids == frozenset()


def test_helper_office_reads_its_paired_counties_masked(small_programme, access_as):
    access = access_as(small_programme, (Role.HELPER_OFFICE, "110116"))
    assert access.covers("130728100201")
    assert access.covers("130826")
    assert not access.covers("130723")
    assert not access.shows_personal("130728100201")


def test_county_office_reads_and_sees_its_county(small_programme, access_as):
    access = access_as(small_programme, (Role.COUNTY_OFFICE, "130723"))
    assert access.covers("130723100201")
    assert not access.covers("130728")
    assert access.shows_personal("130723100202")
    assert not access.shows_personal("130728100201")


@pytest.mark.parametrize("role", [Role.PROGRAMME_OFFICE, Role.ASSESSOR])
def test_programme_wide_roles_read_both_provinces_masked(small_programme, access_as, role):
    access = access_as(small_programme, (role, "110000"))
    assert access.covers("130826100201")
    assert access.covers("110105")
    assert not access.covers("120000")
    assert not access.shows_personal("130723")


def test_cadre_reads_their_village(small_programme, access_as):
    access = access_as(small_programme, (Role.CADRE, "130723100201"))
    assert access.covers("130723100201")
    assert not access.covers("130723100202")
    assert access.shows_personal("130723100201")


def test_superuser_holds_everything(small_programme):
    user = User.objects.create_superuser("root", password="x")
    access = access_for(user=user, programme=small_programme)
    assert all(access.may(verb) for verb in Verb)
    assert access.covers("130826100201")
    assert access.shows_personal("130723100201")
    assert len(access.pairing_ids) == 3


def test_access_for_costs_two_queries(small_programme, django_assert_num_queries, access_as):
    """Grants and pairings, once: every later question is answered from them."""
    user = User.objects.create_user("kb", password="x")
    with django_assert_num_queries(2):
        access = access_for(user=user, programme=small_programme)
        access.covers("130723")
        access.reaches(("recipient", "130723"))
        access.may(Verb.VIEW_ASSESSMENT)
