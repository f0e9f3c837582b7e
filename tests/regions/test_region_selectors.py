"""Reads of the region tables."""

import pytest

from xiezuo.regions.errors import RegionDataError
from xiezuo.regions.models import Region, RuralPopulation
from xiezuo.regions.selectors import (
    counties_in,
    names_for,
    poor_counties_in,
    population_for,
    region_children,
    region_get,
    regions_in,
)


@pytest.fixture
def regions(db):
    for code, name, level, parent in [
        ("130000", "河北省", 1, None),
        ("130700", "张家口市", 2, "130000"),
        ("130800", "承德市", 2, "130000"),
        ("130722", "张北县", 3, "130700"),
        ("130723", "康保县", 3, "130700"),
        ("130826", "丰宁满族自治县", 3, "130800"),
        ("130723100", "康保镇", 4, "130723"),
    ]:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    Region.objects.filter(code="130723").update(poor_county=True)


def test_region_get_returns_the_region(regions):
    assert region_get("130723").name == "康保县"


def test_region_get_of_an_unknown_code_raises_a_region_error(regions):
    with pytest.raises(RegionDataError, match="139999"):
        region_get("139999")


def test_counties_in_a_city_are_its_counties_only(regions):
    assert [r.code for r in counties_in("130700")] == ["130722", "130723"]


def test_counties_in_a_province_cover_every_city(regions):
    assert [r.code for r in counties_in("130000")] == ["130722", "130723", "130826"]


def test_a_county_is_the_only_county_in_itself(regions):
    assert [r.code for r in counties_in("130723")] == ["130723"]


def test_regions_in_by_level(regions):
    assert [r.code for r in regions_in("130000", level=4)] == ["130723100"]


def test_region_children_are_one_level_down(regions):
    assert [r.code for r in region_children("130700")] == ["130722", "130723"]


def test_poor_counties_in_follow_the_flag(regions):
    assert [r.code for r in poor_counties_in("130000")] == ["130723"]


def test_names_for_answers_in_one_query(regions, django_assert_num_queries):
    with django_assert_num_queries(1):
        names = names_for(["130723", "130826", "139999"])
    assert names == {"130723": "康保县", "130826": "丰宁满族自治县"}


def test_names_for_nothing_asks_nothing(regions, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert names_for([]) == {}


def test_population_for_a_year(regions):
    RuralPopulation.objects.create(region_id="130723", year=2019, population=250000)
    RuralPopulation.objects.create(region_id="130723", year=2020, population=248000)
    assert population_for(["130723", "130722"], year=2019) == {"130723": 250000}
