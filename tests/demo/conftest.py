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


@pytest.fixture
def ledger_programme(demo_programme):
    """Return the demo programme with the places the ledgers name on both sides.

    丰宁's 黄旗镇 and its 城根营村 (the seed report's April 2018 visit), and townships and
    villages of 怀柔 for the sub-pairings.
    """
    extra = [
        ("130826104", "黄旗镇", 4, "130826"),
        ("130826104201", "城根营村民委员会", 5, "130826104"),
        ("110116100", "怀柔镇", 4, "110116"),
        ("110116100001", "青春路社区居民委员会", 5, "110116100"),
        ("110116100201", "卧龙岗村民委员会", 5, "110116100"),
        ("110116101", "雁栖镇", 4, "110116"),
        ("110116101201", "下辛庄村民委员会", 5, "110116101"),
    ]
    for code, name, level, parent in extra:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    return demo_programme
