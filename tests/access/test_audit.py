"""The audit log: every export, and every unmasked view of a household by a helper-side user."""

from django.contrib.auth.models import User

from xiezuo.access import Access, Role
from xiezuo.access.models import AuditEvent
from xiezuo.access.selectors import access_for
from xiezuo.access.services import grant_give
from xiezuo.ingest.writing import export_ledger
from xiezuo.registry.selectors import member_list


def _user(name, *grants):
    user = User.objects.create_user(name)
    for role, region in grants:
        grant_give(user=user, role=role, region_code=region)
    return user


def test_an_export_is_recorded_with_who_what_and_how_many_rows(
    small_programme, make_household, tmp_path
):
    make_household("130723100201", people=2)
    make_household("130728100201", people=3)
    user = _user("kangbao", (Role.COUNTY_OFFICE, "130723"))
    access = access_for(user=user, programme=small_programme)
    written = export_ledger(ledger_key="members", access=access, path=tmp_path / "m.xlsx")
    event = AuditEvent.objects.get()
    assert written == 2
    assert (event.username, event.action, event.what, event.rows) == (
        "kangbao",
        "export",
        "members",
        2,
    )
    assert event.detail == {"file": "m.xlsx", "personal": True}


def test_the_operator_at_the_machine_is_recorded_too(small_programme, tmp_path):
    export_ledger(
        ledger_key="visits", access=Access.operator(small_programme), path=tmp_path / "v.csv"
    )
    event = AuditEvent.objects.get()
    assert (event.user_id, event.username, event.rows) == (None, "(server)", 0)


def test_a_helper_side_user_shown_a_household_unmasked_is_recorded(small_programme, make_household):
    household = make_household("130723100201", people=3)
    # A helper office that also holds the county office's grant sees the county unmasked.
    both = _user("both", (Role.HELPER_OFFICE, "110105"), (Role.COUNTY_OFFICE, "130723"))
    views = member_list(
        access=access_for(user=both, programme=small_programme), household=household
    )
    assert not views[0].masked
    event = AuditEvent.objects.get()
    assert (event.action, event.what, event.rows, event.region) == (
        "view_unmasked",
        household.household_no,
        3,
        "130723100201",
    )


def test_masked_views_and_the_county_offices_own_views_are_not_recorded(
    small_programme, make_household
):
    household = make_household("130723100201", people=3)
    helper = _user("chaoyang", (Role.HELPER_OFFICE, "110105"))
    county = _user("kangbao", (Role.COUNTY_OFFICE, "130723"))
    for user in (helper, county):
        member_list(access=access_for(user=user, programme=small_programme), household=household)
    assert not AuditEvent.objects.exists()
