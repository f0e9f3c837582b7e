"""Edits one record at a time (the admin) keep field-level history, shown on the household page
and masked there like the rest; the yearly status follows the edit."""

import datetime as dt

import pytest
from django.contrib.auth.models import User
from django.urls import reverse

from xiezuo.access import Role
from xiezuo.access.services import grant_give
from xiezuo.core.ids import make_id, mask_id
from xiezuo.registry.models import HouseholdYear


@pytest.fixture
def admin_client(client, db):
    user = User.objects.create_superuser("admin", password="长城 2020 康保 帮扶")
    client.force_login(user)
    return client


def _edit_in_admin(client, household, **changes):
    """Post the household's admin change form with `changes` (inlines left as they are)."""
    url = reverse("admin:registry_household_change", args=[household.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields}
    data = {k: ("" if v is None else v) for k, v in data.items()}
    data.update(changes)
    for prefix, count in (("members", household.members.count()), ("incomes", 0)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": str(count) if prefix == "incomes" else "0",
                f"{prefix}-INITIAL_FORMS": "0",
            }
        )
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    return response


def test_an_admin_edit_is_recorded_with_old_and_new_values(
    admin_client, small_programme, settings, make_household, client
):
    settings.XIEZUO_DEFAULT_PROGRAMME = small_programme.key
    household = make_household("130723100201", people=2, exit_year=None)
    _edit_in_admin(admin_client, household, exit_year="2020", status="已脱贫(享受政策)")
    # The yearly status follows: the household now exits in 2020.
    assert HouseholdYear.objects.get(household=household, year=2020).exited

    office = User.objects.create_user("kangbao")
    grant_give(user=office, role=Role.COUNTY_OFFICE, region_code="130723")
    client.force_login(office)
    html = client.get(reverse("web:household", args=[household.household_no])).content.decode()
    assert "修改记录" in html
    assert "admin 修改 户" in html
    assert "<del>未脱贫</del> → <ins>已脱贫(享受政策)</ins>" in html
    assert "<del>—</del> → <ins>2020</ins>" in html


def test_an_edited_id_number_is_masked_in_the_history_for_a_helper(
    admin_client, small_programme, settings, make_household, client
):
    settings.XIEZUO_DEFAULT_PROGRAMME = small_programme.key
    household = make_household("130723100201", people=1)
    old = household.householder_id_number
    new = make_id("130723", dt.date(1975, 3, 3), 77)
    assert mask_id(new) != mask_id(old)
    _edit_in_admin(admin_client, household, householder_id_number=new)
    helper = User.objects.create_user("chaoyang")
    grant_give(user=helper, role=Role.HELPER_OFFICE, region_code="110105")
    client.force_login(helper)
    html = client.get(reverse("web:household", args=[household.household_no])).content.decode()
    assert old not in html
    assert new not in html
    assert f"<del>{mask_id(old)}</del> → <ins>{mask_id(new)}</ins>" in html
