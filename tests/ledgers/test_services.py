"""The database side of attribution: one query per sheet, labour through the household."""

import pytest

from xiezuo.core.errors import XiezuoError
from xiezuo.ledgers.calculations import pairing_for
from xiezuo.ledgers.services import attribute, household_counties, pairing_index
from xiezuo.programs.models import Pairing

pytestmark = pytest.mark.django_db


def test_pairing_index_is_built_in_one_query(small_programme, pairings, django_assert_num_queries):
    with django_assert_num_queries(1):
        index = pairing_index(programme=small_programme)
    assert index.find("110116", "130826100201") == pairings["110116→130826"].pk


def test_attribute_by_helper_and_recipient_columns(small_programme, pairings):
    found = attribute(
        programme=small_programme,
        method="pairing",
        columns={"派出方代码": ["110105", "110116"], "挂职地代码": ["130723100", "130723"]},
    )
    assert found.pairing_ids == [pairings["110105→130723"].pk, None]
    assert found.errors == {1: "派出方代码 110116 与挂职地代码 130723 不属于本项目同一个结对"}


def test_attribute_visits_either_way(small_programme, pairings):
    found = attribute(
        programme=small_programme,
        method="either_direction",
        columns={"出访方代码": ["110105", "130728"], "到访地代码": ["130723", "110116"]},
    )
    assert found.pairing_ids == [pairings["110105→130723"].pk, pairings["110116→130728"].pk]


def test_labour_is_attributed_through_the_worker_household(
    small_programme, pairings, make_household, django_assert_num_queries
):
    """The household's county decides, wherever the worker is employed."""
    kangbao = make_household("130723100201")
    huaian = make_household("130728100201")
    with django_assert_num_queries(2):  # the pairings, then the households
        found = attribute(
            programme=small_programme,
            method="household",
            columns={
                "户编号": [kangbao.household_no, huaian.household_no, "999", None],
                "就业地代码": ["110105", "130728", "120101", "110105"],
            },
        )
    assert found.pairing_ids[:2] == [pairings["110105→130723"].pk, pairings["110116→130728"].pk]
    assert found.errors == {
        2: "户编号 999 未在系统中登记，无法确定所属结对",
        3: "户编号为空，无法确定所属结对",
    }


def test_labour_in_a_county_with_two_helpers_needs_the_workplace(
    small_programme, pairings, make_household
):
    second = Pairing.objects.create(
        programme=small_programme,
        helper_id="110105",
        recipient_id="130728",
        start_date=pairings["110116→130728"].start_date,
        provenance=Pairing.Provenance.ILLUSTRATIVE,
    )
    household = make_household("130728100201")
    found = attribute(
        programme=small_programme,
        method="household",
        columns={"户编号": [household.household_no] * 2, "就业地代码": ["110105", "130000"]},
    )
    assert found.pairing_ids == [second.pk, None]
    assert "户编号所在县 130728 有多个帮扶方" in found.errors[1]


def test_household_counties_maps_registered_numbers_only(small_programme, make_household):
    household = make_household("130826100201")
    assert household_counties(household_nos=[household.household_no, "x", None]) == {
        household.household_no: "130826"
    }


def test_unknown_method_is_refused(small_programme):
    with pytest.raises(XiezuoError, match="未知的归属方式"):
        attribute(programme=small_programme, method="guess", columns={"a": [], "b": []})


def test_pairing_for_takes_the_programme_pairings(small_programme, pairings):
    found = pairing_for(
        pairings=small_programme.pairings.all(), helper_code="110105039", recipient_code="130723"
    )
    assert found == pairings["110105→130723"]
