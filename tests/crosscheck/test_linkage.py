"""Linkage: exact by normalised ID number, fuzzy by name, birth date and place."""

import datetime as dt

import polars as pl
import pytest

from xiezuo.access import Access
from xiezuo.core.ids import make_id
from xiezuo.crosscheck import linkage
from xiezuo.crosscheck.checks import flags_for

BORN = dt.date(1970, 5, 6)
VILLAGE = "130723100201"
ID = make_id("130723", BORN, 31)  # a man's number; the check character may be X or a digit
ID_X = next(
    make_id("130723", BORN, s) for s in range(1, 999) if make_id("130723", BORN, s)[-1] == "X"
)


def _people(*rows):
    return pl.DataFrame(
        [dict(zip(("pid", "id_number", "name", "birth", "region"), r, strict=True)) for r in rows],
        schema={
            "pid": pl.Int64,
            "id_number": pl.String,
            "name": pl.String,
            "birth": pl.Date,
            "region": pl.String,
        },
    )


def _records(*rows):
    return _people(*rows).rename({"pid": "rid"})


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isdigit() else c for c in text)


@pytest.mark.parametrize(
    "messy",
    [
        ID_X.lower(),  # lower-case x
        _full_width(ID_X[:-1]) + "ｘ",  # full-width digits and x
        _full_width(ID),  # full-width digits only (Unicode digits are not ASCII digits)
        f" {ID_X[:6]} {ID_X[6:14]} {ID_X[14:]} ",  # spaces
        "'" + ID_X,  # Excel's text apostrophe
    ],
)
def test_exact_match_with_messy_id_numbers(messy):
    people = _people((1, ID_X, "张伟", BORN, VILLAGE), (2, ID, "李四", BORN, VILLAGE))
    records = _records((10, messy, "张伟", BORN, "130723"))
    expected = 2 if messy == _full_width(ID) else 1
    assert linkage.exact(people, records).rows() == [(expected, 10)]


def test_exact_match_finds_the_holder_of_a_disability_certificate_number():
    people = _people((1, ID, "张伟", BORN, VILLAGE))
    records = _records((10, ID + "11", "张伟", BORN, "130723"))
    assert linkage.exact(people, records).rows() == [(1, 10)]


def test_empty_and_malformed_ids_never_match_exactly():
    people = _people((1, None, "张伟", BORN, VILLAGE), (2, "", "李四", BORN, VILLAGE))
    records = _records((10, None, "张伟", BORN, VILLAGE), (11, "", "李四", BORN, VILLAGE))
    assert linkage.exact(people, records).is_empty()


def test_fuzzy_matches_a_homophone_name_with_the_same_birth_date_and_place():
    people = _people((1, ID, "张伟", BORN, VILLAGE))
    records = _records((10, None, "章伟", BORN, VILLAGE))
    pairs = linkage.fuzzy(people, records)
    (pair,) = pairs.iter_rows(named=True)
    assert pair["matched"]
    assert pair["score"] >= linkage.settings().threshold
    evidence = linkage.pair_evidence(pair)
    assert evidence["agreed"] == ["出生日期", "区划代码"]
    assert evidence["differed"] == [
        {"field": "姓名", "registry": "张伟", "list": "章伟", "note": "同音"}
    ]


def test_a_different_birth_day_is_a_near_miss_below_the_threshold():
    people = _people((1, ID, "张伟", BORN, VILLAGE))
    records = _records((10, None, "张伟", BORN + dt.timedelta(days=1), VILLAGE))
    pairs = linkage.fuzzy(people, records)
    assert pairs.get_column("matched").to_list() in ([], [False])
    assert linkage.link(people, records).is_empty()


def test_a_different_name_that_sounds_different_is_not_matched():
    people = _people((1, ID, "张伟", BORN, VILLAGE))
    records = _records((10, None, "张强", BORN, VILLAGE))
    assert linkage.link(people, records).is_empty()


def test_transposed_id_digits_match_by_name_birth_and_place_with_the_slip_in_evidence():
    transposed = ID[:14] + ID[15] + ID[14] + ID[16:]
    assert transposed != ID
    people = _people((1, ID, "张伟", BORN, VILLAGE))
    records = _records((10, transposed, "张伟", BORN, VILLAGE))
    found = linkage.link(people, records)
    assert found.select("pid", "rid", "match").rows() == [(1, 10, "fuzzy")]
    evidence = linkage.pair_evidence(found.row(0, named=True))
    assert evidence["differed"][0]["field"] == "证件号码"
    assert "相差 1 处" in evidence["differed"][0]["note"]


def test_another_persons_id_number_rules_out_the_pair():
    other = make_id("130723", BORN, 501)
    people = _people((1, ID, "张伟", BORN, VILLAGE))
    records = _records((10, other, "张伟", BORN, VILLAGE))
    assert linkage.link(people, records).is_empty()


def test_rows_matched_exactly_are_not_linked_again_by_name():
    people = _people((1, ID, "张伟", BORN, VILLAGE), (2, None, "张伟", BORN, VILLAGE))
    records = _records((10, ID, "张伟", BORN, VILLAGE))
    assert linkage.link(people, records).select("pid", "rid", "match").rows() == [(1, 10, "exact")]


def test_without_place_a_property_elsewhere_still_links_by_name_and_birth():
    people = _people((1, ID, "张伟", BORN, VILLAGE))
    records = _records((10, None, "章伟", BORN, "130826"))
    assert linkage.link(people, records, place=True).is_empty()
    assert linkage.link(people, records, place=False).get_column("rid").to_list() == [10]


@pytest.mark.django_db
def test_flags_carry_fuzzy_matches_unless_fuzzy_is_off(small_programme, register, listed):
    甲 = register["甲"]
    listed(
        "deaths",
        None,
        id_number="",
        name="章伟",
        birth_date=甲.birth_date,
        region_id=甲.household.village_id,
    )
    access = Access.operator(small_programme)
    (flag,) = flags_for(access=access, year=2020)
    assert (flag.person, flag.rule, flag.match) == (甲.id_number, "deceased", "fuzzy")
    assert flag.score >= linkage.settings().threshold
    assert flag.evidence["differed"][0]["note"] == "同音"
    assert flags_for(access=access, year=2020, fuzzy=False) == []
