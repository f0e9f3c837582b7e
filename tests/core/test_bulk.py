from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from xiezuo.core.bulk import bulk_insert, reset_sequence
from xiezuo.regions.models import Region, RuralPopulation
from xiezuo.registry.models import Household, Income


@pytest.fixture
def counties(db):
    Region.objects.create(code="130000", name="河北省", level=1)
    Region.objects.create(code="130723", name="康保县", level=3, parent_id="130000")
    Region.objects.create(code="130723100201", name="一村", level=5, parent_id="130723")


def test_bulk_insert_loads_rows_readable_through_the_orm(counties):
    count = bulk_insert(
        RuralPopulation,
        ["region_id", "year", "population"],
        ((("130723", year, 1000 + year)) for year in range(2016, 2021)),
    )
    assert count == 5
    assert dict(RuralPopulation.objects.values_list("year", "population")) == {
        y: 1000 + y for y in range(2016, 2021)
    }


def test_bulk_insert_fills_constants_into_every_row(counties):
    """Constants (text with a quote, numbers, booleans, None) land in every row as given."""
    fields = ["id", "household_no", "householder_name"]
    constants = {
        "village_id": "130723100201", "county_id": "130723", "householder_id_number": "x",
        "size": 3, "attribute": "一般贫困户", "standard": "国家标准", "main_cause": "因病",
        "other_causes": "它's", "identified_year": 2015, "status": "未脱贫", "exit_year": None,
        "fallback_year": None, "relocated": True, "dangerous_house": "否", "safe_water": False,
        "responsible_name": "", "responsible_unit": "", "responsible_phone": "",
    }  # fmt: skip
    count = bulk_insert(Household, fields, [(1, "H1", "甲"), (2, "H2", "乙")], constants=constants)
    assert count == 2
    for household in Household.objects.order_by("id"):
        assert household.other_causes == "它's"
        assert (household.size, household.relocated, household.safe_water) == (3, True, False)
        assert household.exit_year is None
    assert list(Household.objects.values_list("householder_name", flat=True)) == ["甲", "乙"]


def test_bulk_insert_takes_decimals_dates_and_explicit_ids(counties):
    """Explicit ids, Decimals and booleans round-trip; the sequence moves past them."""
    household_fields = [
        "id", "household_no", "village_id", "county_id", "householder_name",
        "householder_id_number", "size", "attribute", "standard", "main_cause", "other_causes",
        "identified_year", "status", "exit_year", "fallback_year", "relocated",
        "dangerous_house", "safe_water", "responsible_name", "responsible_unit",
        "responsible_phone",
    ]  # fmt: skip
    row = [
        7, "H1", "130723100201", "130723", "张三", "x", 3, "一般贫困户", "国家标准", "因病", "",
        2015, "未脱贫", None, None, True, "否", True, "", "", "",
    ]  # fmt: skip
    bulk_insert(Household, household_fields, [row])
    bulk_insert(
        Income,
        ["household_id", "year", "wages", "business", "property_income", "transfers", "costs"],
        [(7, 2019, Decimal("1234.56"), Decimal(0), Decimal(0), Decimal("10.01"), Decimal(5))],
    )
    reset_sequence(Household)
    income = Income.objects.get()
    assert income.net == Decimal("1239.57")
    assert Household.objects.get(pk=7).relocated is True
    # The next ORM insert does not collide with the explicit id.
    later = Household.objects.create(
        **{f: v for f, v in zip(household_fields[1:], row[1:], strict=True)}
        | {"household_no": "H2"}
    )
    assert later.pk != 7


def test_a_failed_bulk_insert_inside_a_transaction_leaves_nothing(counties):
    rows = [("130723", 2019, 10), ("130723", 2020, 11), ("130723", 2019, 12)]  # duplicate key
    with pytest.raises(IntegrityError), transaction.atomic():
        bulk_insert(RuralPopulation, ["region_id", "year", "population"], rows)
    assert RuralPopulation.objects.count() == 0
