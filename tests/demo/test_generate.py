import datetime as dt

import numpy as np
import pytest

from xiezuo.core.errors import XiezuoError
from xiezuo.core.ids import parse_id
from xiezuo.demo.generate import draw, entities, members
from xiezuo.demo.profile import load_names


def _rng(seed: int = 1) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64(seed))


def test_id_numbers_of_people_born_the_same_day_in_one_county_never_collide():
    """499 men and 499 women of one county and birth date all get distinct, valid numbers."""
    n = 998
    counties = np.full(n, 130723)
    birth = np.full(n, np.datetime64("1970-03-01"))
    male = np.arange(n) % 2 == 0
    ids = members.id_numbers(_rng(), counties, birth, male, frozenset())
    assert len(set(ids)) == n
    for number, is_male in zip(ids, male, strict=True):
        parsed = parse_id(number)
        assert parsed.region_code == "130723"
        assert parsed.birth_date == dt.date(1970, 3, 1)
        assert parsed.sex == ("男" if is_male else "女")


def test_more_people_than_sequences_is_refused_rather_than_collided():
    n = members.MAX_PER_BIRTH_GROUP + 1
    with pytest.raises(XiezuoError):
        members.id_numbers(
            _rng(), np.full(n, 130723), np.full(n, np.datetime64("1970-03-01")),
            np.ones(n, dtype=bool), frozenset(),
        )  # fmt: skip


def test_taken_id_numbers_are_moved_to_a_free_sequence_of_the_same_sex():
    counties = np.full(3, 130723)
    birth = np.full(3, np.datetime64("1980-07-01"))
    male = np.array([True, True, False])
    first = members.id_numbers(_rng(5), counties, birth, male, frozenset())
    again = members.id_numbers(_rng(5), counties, birth, male, frozenset(first[:2]))
    assert again[2] == first[2]
    assert not set(again[:2]) & set(first[:2])
    assert len(set(again)) == 3
    assert [parse_id(n).sex for n in again] == ["男", "男", "女"]


def test_names_are_a_weighted_surname_and_one_or_two_given_characters():
    names = load_names()
    n = 5000
    drawn = draw.make_names(_rng(), names, male=np.arange(n) % 2 == 0, birth_year=np.full(n, 1960))
    assert {len(name) for name in drawn} <= {2, 3}
    surnames = [name[0] for name in drawn]
    assert set(surnames) <= set(names.surnames)
    # 王, 李 and 张 are the most common surnames of Hebei.
    top = {s for s, _ in sorted(((s, surnames.count(s)) for s in set(surnames)),
                                key=lambda item: -item[1])[:3]}  # fmt: skip
    assert top == {"王", "李", "张"}


def test_pick_top_takes_exactly_the_count_and_never_a_zero_weight():
    weights = np.array([0.0, 1.0, 2.0, 0.0, 5.0, 1.0])
    mask = draw.pick_top(_rng(), weights, 3)
    assert mask.sum() == 3
    assert not mask[[0, 3]].any()
    assert draw.pick_top(_rng(), weights, 10).sum() == 4


def test_apportion_adds_up_exactly_in_whole_units_with_a_minimum():
    shares = draw.apportion(262_100_00, np.array([3.0, 1.0, 2.5, 0.01]), unit=1000, minimum=1)
    assert shares.sum() == 262_100_00
    assert (shares % 1000 == 0).all()
    assert shares.min() >= 1000
    odd = draw.apportion(1001, np.array([1.0, 1.0, 1.0]), unit=100)
    assert odd.sum() == 1001
    assert sorted(odd.tolist()) == [300, 300, 401]


def test_distinct_days_are_distinct_inside_the_bounds_and_avoid_taken_days():
    first, last = np.datetime64("2019-01-01"), np.datetime64("2019-01-10")
    days = draw.distinct_days(_rng(), first, last, 20, taken=[dt.date(2019, 1, 5)])
    assert days.size == 9
    assert len(set(days.tolist())) == 9
    assert np.datetime64("2019-01-05") not in days
    assert (days >= first).all()
    assert (days <= last).all()


def test_short_village_names_are_what_people_call_the_village():
    assert draw.short_village_name("城根营村民委员会") == "城根营村"
    assert draw.short_village_name("窑沟台村村民委员会") == "窑沟台村"
    assert draw.short_village_name("鼓楼社区居民委员会") == "鼓楼社区"


def test_credit_codes_are_valid_distinct_and_carry_kind_and_region():
    """The check characters of GB 32100 and of the embedded GB 11714 organisation code hold."""
    kinds = [entities.ENTERPRISE] * 300 + [entities.FOUNDATION] * 300
    codes = entities.credit_codes(_rng(), kinds, ["110105"] * 600, taken=set())
    assert len(set(codes)) == 600
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    for code, kind in zip(codes, kinds, strict=True):
        assert code[:2] == kind
        assert code[2:8] == "110105"
        assert entities.credit_check(code[:17]) == code[17]
        body = sum(int(c) * w for c, w in zip(code[8:16], weights, strict=True))
        assert code[16] == {10: "X", 11: "0"}.get(11 - body % 11, str(11 - body % 11))
    assert entities.credit_check("91350100M000100Y4") == "3"  # a widely cited example code
