"""The candidate rule, the grouping and the exact assignment, on hand-made columns."""

import datetime as dt
from decimal import Decimal

import numpy as np
import pytest

from xiezuo.labour import calculations as calc

PAIRINGS = [("110105", "130723"), ("110116", "130728"), ("110116", "130826")]


def post(number, *, helper=None, workplace="130723", wage=3000, places=1, skilled=False,
         ages=(16, 60), start=dt.date(2019, 3, 1)):  # fmt: skip
    return calc.PostRow(
        number=number,
        helper=helper,
        workplace=workplace,
        wage=Decimal(wage),
        places=places,
        skilled_only=skilled,
        age_min=ages[0],
        age_max=ages[1],
        start=start,
    )


def pool(*people):
    """people: (id number, county, skilled, birth yyyymmdd)."""
    return calc.Pool(
        id_numbers=[p[0] for p in people],
        households=[f"H{p[0]}" for p in people],
        villages=[p[1] + "100201" for p in people],
        counties=[p[1] for p in people],
        skilled=np.array([p[2] for p in people], dtype=bool),
        births=np.array([p[3] for p in people], dtype=np.int64),
    )


def test_greedy_by_wage_is_worse_than_the_optimum_on_people_and_wage():
    """Alice may take X (5000) or Y (4800), Bob only X. Greedy gives X to Alice (first in
    order) and leaves Y empty: 1 person, 5000. The optimum: Bob on X, Alice on Y: 2, 9800."""
    posts = [
        post("X", wage=5000),
        post("Y", wage=4800, skilled=True),
    ]
    people = pool(("A", "130723", True, 19900101), ("B", "130723", False, 19900101))
    exact = calc.match(posts, people, calc.Spells.empty(), PAIRINGS)
    greedy = calc.match(posts, people, calc.Spells.empty(), PAIRINGS, method="greedy")
    assert (greedy.placed, greedy.wage_total) == (1, Decimal(5000))
    assert (exact.placed, exact.wage_total) == (2, Decimal(9800))
    placed = {(posts[p.post].number, people.id_numbers[p.person]) for p in exact.placements}
    assert placed == {("X", "B"), ("Y", "A")}


def test_more_people_come_before_more_wage():
    """People first: a post paying nothing (a 公益性岗位 paid elsewhere) is still filled, where a
    wage-only objective would gain nothing by it."""
    posts = [post("X", wage=5000), post("Y", wage=0)]
    people = pool(("A", "130723", False, 19900101), ("B", "130723", False, 19900101))
    exact = calc.match(posts, people, calc.Spells.empty(), PAIRINGS)
    assert (exact.placed, exact.wage_total) == (2, Decimal(5000))


def test_among_equal_people_the_wage_is_highest():
    posts = [post("X", wage=4000, places=2), post("Y", wage=4500)]
    people = pool(("A", "130723", False, 19900101), ("B", "130723", False, 19900101))
    exact = calc.match(posts, people, calc.Spells.empty(), PAIRINGS)
    assert (exact.placed, exact.wage_total) == (2, Decimal(8500))
    assert exact.unfilled == [(0, 1)]


@pytest.mark.parametrize(
    ("birth", "eligible"),
    [
        (dt.date(2001, 3, 1), True),  # 18 on the very day the post starts
        (dt.date(2001, 3, 2), False),  # 18 the day after: still 17
        (dt.date(1963, 3, 2), True),  # 55, turning 56 the next day
        (dt.date(1963, 3, 1), False),  # 56 on the start day
    ],
)
def test_age_in_full_years_on_the_start_day(birth, eligible):
    job = post("X", ages=(18, 55), start=dt.date(2019, 3, 1))
    rule = calc.is_candidate(
        registered=True,
        status="未脱贫",
        skill=calc.ORDINARY,
        birth=birth,
        county="130723",
        spells=[],
        post=job,
        pairings=PAIRINGS,
    )
    people = pool(("A", "130723", False, calc.day_number(birth)))
    result = calc.match([job], people, calc.Spells.empty(), PAIRINGS)
    assert rule is eligible
    assert result.placed == (1 if eligible else 0)
    if not eligible:
        assert result.unplaced == {0: calc.AGE}


def test_a_spell_ending_the_day_before_the_start_leaves_the_person_free():
    job = post("X", start=dt.date(2019, 3, 1))
    people = pool(("A", "130723", False, 19900101), ("B", "130723", False, 19900101))
    spells = calc.Spells(
        person=np.array([0, 1]),
        start=np.array([20180101, 20180101]),
        end=np.array([20190228, 20190301]),  # A ends the day before; B's covers the start
    )
    result = calc.match([job], people, spells, PAIRINGS)
    assert [people.id_numbers[p.person] for p in result.placements] == ["A"]
    assert result.unplaced == {1: calc.EMPLOYED}


def test_a_running_spell_covers_every_later_start():
    job = post("X", start=dt.date(2020, 6, 1))
    people = pool(("A", "130723", False, 19900101))
    spells = calc.Spells(np.array([0]), np.array([20180101]), np.array([calc.OPEN_END]))
    assert calc.match([job], people, spells, PAIRINGS).placed == 0


def test_a_helper_paired_with_two_counties_reaches_both():
    """怀柔 helps 怀安 and 丰宁: its post in 怀柔 takes people of both, not of 康保."""
    job = post("H", helper="110116", workplace="110116", wage=5000, places=3)
    people = pool(
        ("A", "130728", False, 19900101),
        ("B", "130826", False, 19900101),
        ("C", "130723", False, 19900101),
    )
    result = calc.match([job], people, calc.Spells.empty(), PAIRINGS)
    assert {people.id_numbers[p.person] for p in result.placements} == {"A", "B"}
    assert {p.kind for p in result.placements} == {calc.TRANSFER}
    assert result.unplaced == {2: calc.NO_POST_IN_REACH}
    assert result.unfilled == [(0, 1)]


def test_a_local_post_is_local_whoever_posted_it():
    assert calc.reaches("130723", post("X", workplace="130723100"), PAIRINGS) == calc.LOCAL
    assert calc.reaches("130728", post("X", workplace="130723"), PAIRINGS) is None
    assert calc.reaches("130723", post("X", helper="110105", workplace="110105"), PAIRINGS) == (
        calc.TRANSFER
    )


def test_skill_asked_for_keeps_ordinary_labour_out():
    job = post("X", skilled=True)
    people = pool(("A", "130723", False, 19900101), ("B", "130723", True, 19900101))
    result = calc.match([job], people, calc.Spells.empty(), PAIRINGS)
    assert [people.id_numbers[p.person] for p in result.placements] == ["B"]
    assert result.unplaced == {0: calc.SKILL}


def test_all_posts_full_is_said_of_a_candidate_left_over():
    job = post("X", places=1)
    people = pool(("A", "130723", False, 19900101), ("B", "130723", False, 19900101))
    result = calc.match([job], people, calc.Spells.empty(), PAIRINGS)
    assert result.placed == 1
    assert result.candidates == 2
    assert list(result.unplaced.values()) == [calc.ALL_FULL]


def test_interchangeable_people_share_one_group():
    posts = [post("X", places=5), post("Y", ages=(16, 30), places=5)]
    people = pool(
        ("A", "130723", False, 19800101),
        ("B", "130723", False, 19800505),  # same eligibility as A (both over 30 and under 60)
        ("C", "130723", False, 19980101),  # may also take Y
        ("D", "130723", True, 19800101),  # skilled: a group of its own
    )
    groups = calc.group_people(posts, people, calc.Spells.empty(), PAIRINGS)
    assert [m.tolist() for m in groups.members] == [[0, 1], [2], [3]]
    assert [p.tolist() for p in groups.posts] == [[0], [0, 1], [0]]


def test_pool_rule_points_one_and_two():
    assert calc.in_pool(registered=True, status="返贫", skill=calc.SKILLED)
    assert not calc.in_pool(registered=True, status="已脱贫(不再享受政策)", skill=calc.ORDINARY)
    assert not calc.in_pool(registered=True, status="未脱贫", skill="弱劳动力或半劳动力")
    assert not calc.in_pool(registered=False, status="未脱贫", skill=calc.ORDINARY)


def test_birth_dates_come_from_the_id_number():
    numbers = ["130723199003017777", "130723900301777"]
    assert calc.birth_numbers(numbers).tolist() == [19900301, 19900301]


def _brute_force(posts, people):
    """Return (placed, wage) of the best assignment, trying every one (tiny instances)."""
    import itertools

    choices = []
    for person in range(people.size):
        single = calc.Pool(
            id_numbers=[people.id_numbers[person]],
            households=[people.households[person]],
            villages=[people.villages[person]],
            counties=[people.counties[person]],
            skilled=people.skilled[person : person + 1],
            births=people.births[person : person + 1],
        )
        groups = calc.group_people(posts, single, calc.Spells.empty(), PAIRINGS)
        choices.append([None, *(groups.posts[0].tolist() if groups.count else [])])
    best = (0, Decimal(0))
    for pick in itertools.product(*choices):
        taken = [j for j in pick if j is not None]
        if any(taken.count(j) > posts[j].places for j in set(taken)):
            continue
        best = max(best, (len(taken), sum((posts[j].wage for j in taken), Decimal(0))))
    return best


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("factors", [(1,), (16,)])
def test_the_match_is_the_optimum_found_by_trying_everything(seed, factors, monkeypatch):
    """Random small markets: the exact match (through the sparse graph when it proves itself,
    else the whole one) equals the best of all assignments."""
    monkeypatch.setattr(calc, "SPARSE_FACTORS", factors)
    rng = np.random.default_rng(seed)
    posts = [
        post(
            f"P{j}",
            helper="110116" if j % 2 else None,
            workplace="110116" if j % 2 else ["130728", "130826"][j % 4 // 2],
            wage=int(rng.integers(20, 60)) * 100,
            places=int(rng.integers(1, 3)),
            skilled=bool(rng.random() < 0.3),
            ages=[(18, 40), (30, 60), (18, 60)][int(rng.integers(0, 3))],
        )
        for j in range(4)
    ]
    people = pool(
        *(
            (
                f"X{i}",
                ["130728", "130826"][int(rng.integers(0, 2))],
                bool(rng.random() < 0.4),
                int(rng.integers(1960, 2000)) * 10000 + 101,
            )
            for i in range(6)
        )
    )
    exact = calc.match(posts, people, calc.Spells.empty(), PAIRINGS)
    assert (exact.placed, exact.wage_total) == _brute_force(posts, people)


def test_stability_follows_spells_to_ninety_days():
    """As of 2019-06-30: a spell of 3-01 to 5-29 (90 days, Beijing) is stable for I16; one
    running since 4-20 (72 days, in the county) is approaching and will be stable by 31
    December (I17); one of 3-01 to 3-31 ended early."""
    spells = [
        calc.Spell("A", "130723", "110105", "甲", dt.date(2019, 3, 1), dt.date(2019, 5, 29)),
        calc.Spell("B", "130723", "130723", "乙", dt.date(2019, 4, 20), None, "张干部"),
        calc.Spell("C", "130723", "110105", "丙", dt.date(2019, 3, 1), dt.date(2019, 3, 31)),
        calc.Spell("D", "130723", "110105", "丁", dt.date(2018, 3, 1), None),  # another year
    ]
    followed = calc.stability(
        spells, year=2019, as_of=dt.date(2019, 6, 30), helper_province="110000"
    )
    assert followed.reached == {"I16": 1, "I17": 0}
    assert followed.will_reach == {"I16": 1, "I17": 1}
    assert [(s.id_number, days) for s, days in followed.approaching] == [("B", 72)]
    assert [(s.id_number, days) for s, days in followed.ended_early] == [("C", 31)]
