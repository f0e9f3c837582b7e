"""Fixtures of the demo tests: a small programme's recipient counties with more villages."""

import pytest

from xiezuo.regions.models import Region


@pytest.fixture(autouse=True)
def fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def demo_programme(small_programme):
    """Return the small programme (康保, 怀安, 丰宁) with a few more villages and a neighbour.

    沽源 (130724) is not a recipient of this programme: its households are not the demo's.
    """
    extra = [
        ("130723101", "张纪镇", 4, "130723"),
        ("130723101201", "五村", 5, "130723101"),
        ("130723101202", "六村", 5, "130723101"),
        ("130826100202", "七村", 5, "130826100"),
        ("130724", "沽源县", 3, "130700"),
        ("130724100", "平定堡镇", 4, "130724"),
        ("130724100201", "八村", 5, "130724100"),
    ]
    for code, name, level, parent in extra:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    Region.objects.filter(code="130723").update(deep_poverty=True, exit_year=2020)
    Region.objects.filter(code="130728").update(exit_year=2019)
    return small_programme
