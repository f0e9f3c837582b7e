"""The demo's bulletins: a few hundred articles over its own ledgers, and the seed report."""

import datetime as dt

import pytest

from xiezuo.access import Access
from xiezuo.bulletins import selectors
from xiezuo.bulletins.models import Article
from xiezuo.demo.services import demo_build
from xiezuo.ledgers.models import Visit
from xiezuo.regions.models import Region

SCALE = 0.005


@pytest.fixture
def demo(small_programme, settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    for code, name, level, parent in [
        ("130826104", "黄旗镇", 4, "130826"),
        ("130826104201", "城根营村民委员会", 5, "130826104"),
        ("130723101", "张纪镇", 4, "130723"),
        ("130723101201", "五村", 5, "130723101"),
    ]:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    return small_programme


def published():
    return list(Article.objects.filter(status="published").order_by("pk").values_list(
        "title", "published", "channel", "text"))  # fmt: skip


def test_the_demo_writes_bulletins_from_its_ledgers_and_the_seed(demo):
    summary = demo_build(programme=demo.key, scale=SCALE)
    count = Article.objects.count()
    assert summary.rows["bulletins"] == count
    assert count >= 20  # the small programme has 3 pairings; the full demo writes hundreds
    years = {a.published.year for a in Article.objects.all()}
    assert years <= {2018, 2019, 2020}
    seed = Article.objects.get(title="北京市党政代表团到河北省对接扶贫协作工作")
    assert seed.source == "新华网"
    cst = dt.timezone(dt.timedelta(hours=8))
    assert seed.published == dt.datetime(2018, 4, 15, 12, 4, 38, tzinfo=cst)
    assert "130826" in set(seed.regions.values_list("code", flat=True))
    # a visit of the ledger is told with its places and dates
    visit = Visit.objects.order_by("start_date").exclude(destination__code__startswith="11").first()
    if visit is not None:
        county = Region.objects.get(code=visit.destination_id[:6]).name
        assert any(county in a.title for a in Article.objects.filter(channel="工作动态"))
    # the search finds them
    assert selectors.article_search(access=Access.public(), query="扶贫协作")
    assert selectors.article_search(access=Access.public(), query="丰宁")


def test_the_same_demo_writes_the_same_bulletins_and_a_rebuild_replaces_them(demo):
    demo_build(programme=demo.key, scale=SCALE)
    first = published()
    demo_build(programme=demo.key, scale=SCALE)
    assert published() == first
    assert len(first) == Article.objects.count()
