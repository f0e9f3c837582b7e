"""Attribution of records to pairings, without a database."""

import itertools
from dataclasses import dataclass

import pytest

from xiezuo.core import codes
from xiezuo.ledgers.calculations import (
    AttributionError,
    PairingIndex,
    containing_regions,
    pairing_for,
)

# 朝阳→康保, 怀柔→怀安, 怀柔→丰宁 (DOMAIN.md §2), by id.
CHAOYANG_KANGBAO, HUAIROU_HUAIAN, HUAIROU_FENGNING = 1, 2, 3
PAIRINGS = [
    (CHAOYANG_KANGBAO, "110105", "130723"),
    (HUAIROU_HUAIAN, "110116", "130728"),
    (HUAIROU_FENGNING, "110116", "130826"),
]


@dataclass(frozen=True)
class FakePairing:
    pk: int
    helper_id: str
    recipient_id: str


@pytest.fixture
def index():
    return PairingIndex(PAIRINGS)


CODES = [
    "110000",
    "110100",
    "110105",
    "110105039",
    "110105039201",
    "110116",
    "130000",
    "130700",
    "130723",
    "130723100",
    "130723100201",
    "130723101201",
    "130728100201",
    "130800",
    "130826",
]


@pytest.mark.parametrize(("outer", "inner"), list(itertools.product(CODES, CODES)))
def test_containing_regions_agree_with_contains(outer, inner):
    """A code's containing regions are exactly the regions `codes.contains` puts it in."""
    assert (outer in containing_regions(inner)) == codes.contains(outer, inner)


def test_village_record_is_counted_for_its_county(index):
    assert index.find("110105", "130723100201") == CHAOYANG_KANGBAO


def test_beijing_township_record_is_counted_for_its_district(index):
    assert index.find("110105039", "130723") == CHAOYANG_KANGBAO
    assert index.find("110105039201", "130723100") == CHAOYANG_KANGBAO


def test_helper_with_two_pairings_is_told_apart_by_recipient(index):
    """怀柔 helps 怀安 and 丰宁: the recipient code picks the pairing."""
    assert index.find("110116", "130728") == HUAIROU_HUAIAN
    assert index.find("110116", "130826100201") == HUAIROU_FENGNING


@pytest.mark.parametrize(
    ("helper", "recipient", "message"),
    [
        ("110105", "130728", "帮扶方代码 110105 与受援方代码 130728 不属于本项目同一个结对"),
        ("110101", "130723", "帮扶方代码 110101 不属于本项目任何结对的帮扶方"),
        ("110105", "130722", "受援方代码 130722 不属于本项目任何结对的受援方"),
        ("110105", "130700", "受援方代码 130700 不属于本项目任何结对的受援方"),
        ("130723", "110105", "帮扶方代码 130723 不属于本项目任何结对的帮扶方"),
        ("110105", "", "受援方代码为空"),
        ("11010", "130723", "帮扶方代码 '11010' 不是有效的区划代码"),
    ],
)
def test_record_outside_every_pairing_is_an_error(index, helper, recipient, message):
    with pytest.raises(AttributionError, match=message):
        index.find(helper, recipient)


def test_a_column_keeps_every_row_and_reports_the_strays(index):
    """Rows no pairing contains stay in place as None with a message; none is dropped."""
    found = index.attribute(
        ["110105", "110105", "110116", None],
        ["130723100201", "130728", "130728", "130723"],
        helper_label="购买方代码",
        recipient_label="产地代码",
    )
    assert found.pairing_ids == [CHAOYANG_KANGBAO, None, HUAIROU_HUAIAN, None]
    assert set(found.errors) == {1, 3}
    assert "购买方代码 110105 与产地代码 130728" in found.errors[1]
    assert "购买方代码为空" in found.errors[3]
    assert not found.ok


def test_columns_of_different_lengths_are_refused(index):
    with pytest.raises(ValueError, match=r"shorter|longer"):
        index.attribute(["110105"], ["130723", "130723"])


def test_a_record_inside_two_pairings_is_an_error():
    """Nested pairings would count a record twice: attribution refuses to choose."""
    index = PairingIndex([*PAIRINGS, (9, "110100", "130700")])
    with pytest.raises(AttributionError, match="同时属于多个结对：110105→130723、110100→130700"):
        index.find("110105", "130723")


def test_visit_from_hebei_to_beijing_belongs_to_the_pairing(index):
    """A county delegation visiting its helper district counts for their pairing."""
    assert index.find_visit("130723", "110105") == CHAOYANG_KANGBAO
    assert index.find_visit("130728100201", "110116") == HUAIROU_HUAIAN


def test_visit_from_beijing_to_hebei_belongs_to_the_pairing(index):
    assert index.find_visit("110105", "130723100201") == CHAOYANG_KANGBAO


@pytest.mark.parametrize(
    ("origin", "destination"),
    [("130723", "130728"), ("110105", "110116"), ("130723", "110116"), ("110105", "130826")],
)
def test_visit_between_regions_of_no_pairing_is_an_error(index, origin, destination):
    found = index.attribute_visits([origin], [destination])
    assert found.pairing_ids == [None]
    assert "不是本项目同一个结对的两方" in found.errors[0]


def test_labour_is_attributed_by_the_household_county(index):
    found = index.attribute_by_recipient(["130723", "130728100201", "130826"])
    assert found.pairing_ids == [CHAOYANG_KANGBAO, HUAIROU_HUAIAN, HUAIROU_FENGNING]


def test_labour_in_a_county_of_no_pairing_is_an_error(index):
    found = index.attribute_by_recipient(["130722"], recipient_label="户编号所在县")
    assert found.errors == {0: "户编号所在县 130722 不属于本项目任何结对的受援方"}


def test_labour_in_a_county_with_two_helpers_is_picked_by_the_helper_code():
    """If 怀安 had two helpers, the workplace in one helper's district decides."""
    index = PairingIndex([*PAIRINGS, (4, "110105", "130728")])
    found = index.attribute_by_recipient(
        ["130728", "130728", "130728", "130728"],
        ["110105001", "110116", "130728", None],
    )
    assert found.pairing_ids == [4, HUAIROU_HUAIAN, None, None]
    assert "有多个帮扶方（110116→130728、110105→130728）" in found.errors[2]
    assert "就业地代码 130728" in found.errors[2]
    assert "就业地代码 为空" in found.errors[3]


def test_many_rows_are_looked_up_once_per_distinct_couple(index):
    """A large column costs one containment lookup per distinct (helper, recipient)."""
    helpers = ["110105", "110116", "110116"] * 20_000
    recipients = ["130723100201", "130728", "130826"] * 20_000
    found = index.attribute(helpers, recipients)
    assert found.ok
    assert found.pairing_ids[:3] == [CHAOYANG_KANGBAO, HUAIROU_HUAIAN, HUAIROU_FENGNING]
    assert len(index._found) == 3


def test_pairing_for_returns_the_pairing_object():
    pairings = [FakePairing(*p) for p in PAIRINGS]
    found = pairing_for(pairings=pairings, helper_code="110116", recipient_code="130826100201")
    assert found == pairings[2]


def test_pairing_for_returns_none_outside_every_pairing():
    pairings = [FakePairing(*p) for p in PAIRINGS]
    assert pairing_for(pairings=pairings, helper_code="110105", recipient_code="130728") is None


def test_pairing_for_refuses_a_record_inside_two_pairings():
    pairings = [FakePairing(*p) for p in [*PAIRINGS, (9, "110000", "130000")]]
    with pytest.raises(AttributionError, match="多个结对"):
        pairing_for(pairings=pairings, helper_code="110105", recipient_code="130723")
