"""The demo's outside lists: every rule hit in each year, many rows hitting nothing, the same
rows for the same seed."""

import pytest

from tests.demo.conftest import demo_programme  # noqa: F401  (the demo's regions)
from xiezuo.access import Access
from xiezuo.crosscheck.checks import flags_for
from xiezuo.crosscheck.models import LISTS
from xiezuo.crosscheck.rules import KEYS
from xiezuo.demo.services import demo_build

pytestmark = pytest.mark.django_db


def test_the_demo_plants_every_rule_among_many_rows_that_hit_nothing(demo_programme):  # noqa: F811
    demo_build(programme=demo_programme.key, scale=0.02)
    access = Access.operator(demo_programme)
    flags = flags_for(access=access, year=2020)
    assert {f.rule for f in flags} == set(KEYS)
    assert any(f.match == "fuzzy" for f in flags)
    rows = sum(model.objects.count() for model in LISTS.values())
    assert len(flags) < rows / 10
    counties = {f.household[:6] for f in flags}
    assert len(flags) <= 50 * len(counties)
    first = sorted(LISTS["vehicles"].objects.values_list("plate", "id_number", "price"))
    demo_build(programme=demo_programme.key, scale=0.02)
    again = sorted(LISTS["vehicles"].objects.values_list("plate", "id_number", "price"))
    assert first == again
