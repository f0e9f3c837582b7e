"""Containment of division codes (xiezuo.core.codes), as the region app relies on it."""

import pytest

from xiezuo.core.codes import contains


def test_a_village_lies_in_its_county():
    assert contains("130723", "130723100201")


def test_a_township_lies_in_its_city():
    assert contains("130700", "130723100")


def test_a_county_is_not_in_another_county():
    assert not contains("130722", "130723")
    assert not contains("130722", "130723100201")


def test_a_county_is_not_in_a_city_of_another_prefix():
    assert not contains("130800", "130723")


@pytest.mark.parametrize(
    "inner", ["130000", "130700", "130723", "130723100", "130723100201", "131100"]
)
def test_a_province_contains_every_code_of_its_province(inner):
    assert contains("130000", inner)


def test_a_province_does_not_contain_another_province():
    assert not contains("130000", "110105")


@pytest.mark.parametrize("code", ["110000", "130700", "130723", "130723100", "130723100201"])
def test_a_code_contains_itself(code):
    assert contains(code, code)


def test_a_smaller_region_does_not_contain_a_larger_one():
    assert not contains("130723", "130700")
    assert not contains("130723100201", "130723")


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "13072",
        "1307231",
        "13072310",
        "abcdef",
        "130723 ",
        "１３０７２３",  # full-width digits are digits to str.isdigit, not to a code
    ],
)
def test_malformed_codes_raise(bad):
    with pytest.raises(ValueError, match="区划代码"):
        contains("130000", bad)
    with pytest.raises(ValueError, match="区划代码"):
        contains(bad, "130723")
