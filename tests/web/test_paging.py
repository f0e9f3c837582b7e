"""Keyset pages over a unique key."""

from xiezuo.regions.models import Region
from xiezuo.web.paging import keyset_page


def _regions(n):
    Region.objects.bulk_create(
        Region(code=f"1301{i:02d}", name=f"县{i}", level=3) for i in range(1, n + 1)
    )
    return Region.objects.all()


def test_empty_table_is_one_first_and_last_page(db):
    page = keyset_page(Region.objects.all(), key="code", size=3)
    assert page.items == []
    assert page.is_first
    assert page.is_last
    assert page.after is None
    assert page.before is None


def test_pages_walk_forward_and_back(db):
    """Seven rows in pages of three: 3, 3, 1; going back from the last page gives the middle."""
    rows = _regions(7)
    first = keyset_page(rows, key="code", size=3)
    assert [r.code for r in first.items] == ["130101", "130102", "130103"]
    assert first.is_first
    assert not first.is_last
    assert first.before is None
    second = keyset_page(rows, key="code", size=3, after=first.after)
    third = keyset_page(rows, key="code", size=3, after=second.after)
    assert [r.code for r in third.items] == ["130107"]
    assert third.is_last
    assert third.after is None
    back = keyset_page(rows, key="code", size=3, before=third.before)
    assert [r.code for r in back.items] == [r.code for r in second.items]
    assert not back.is_first
    assert not back.is_last


def test_last_page_holds_the_final_rows(db):
    rows = _regions(7)
    last = keyset_page(rows, key="code", size=3, last=True)
    assert [r.code for r in last.items] == ["130105", "130106", "130107"]
    assert last.is_last
    assert not last.is_first
