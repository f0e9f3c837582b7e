"""The pairing key: built one way, parsed from the forms people type."""

import pytest

from xiezuo.programs.keys import pairing_key, pairing_sides, unit_codes


def test_a_key_names_helper_then_recipient():
    assert pairing_key("110105", "130723") == "110105→130723"


@pytest.mark.parametrize(
    "typed", ["110105→130723", " 110105 → 130723 ", "110105->130723", "110105－＞130723"]
)
def test_the_forms_people_type_parse_to_the_two_sides(typed):
    assert pairing_sides(typed) == ("110105", "130723")


@pytest.mark.parametrize("typed", ["110105", "110105→", "→130723", "110105→130723→130724"])
def test_anything_else_is_refused(typed):
    with pytest.raises(ValueError, match="结对标识"):
        pairing_sides(typed)


@pytest.mark.parametrize(
    ("unit_type", "unit", "codes"),
    [
        ("pairing", "110105→130723", ["110105", "130723"]),
        ("helper", "110105", ["110105"]),
        ("recipient", "130723", ["130723"]),
        ("programme", "beijing-hebei", []),
    ],
)
def test_the_codes_a_unit_key_names(unit_type, unit, codes):
    assert unit_codes(unit_type, unit) == codes
