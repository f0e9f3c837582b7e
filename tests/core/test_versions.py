"""Data versions: every bump gives a new key, in the writer's transaction."""

import pytest
from django.db import transaction

from xiezuo.core.models import DataVersion
from xiezuo.core.versions import REGISTRY, version_bump, version_key


@pytest.mark.django_db
def test_each_bump_gives_a_new_key():
    keys = {version_key(REGISTRY)}
    for _ in range(3):
        version_bump(REGISTRY)
        keys.add(version_key(REGISTRY))
    assert len(keys) == 4


@pytest.mark.django_db
def test_a_counter_starts_on_its_first_bump():
    assert version_key("elsewhere") is None
    version_bump("elsewhere")
    assert DataVersion.objects.get(name="elsewhere").number == 1
    assert version_key("elsewhere") is not None


@pytest.mark.django_db
def test_a_rolled_back_bump_never_comes_back_with_another_key():
    """The number repeats after a rollback; the key does not, so no stale cache returns."""
    before = version_key(REGISTRY)
    seen = []

    def bump_then_fail():
        with transaction.atomic():
            version_bump(REGISTRY)
            seen.append(version_key(REGISTRY))
            raise RuntimeError

    with pytest.raises(RuntimeError):
        bump_then_fail()
    (inside,) = seen
    assert version_key(REGISTRY) == before
    version_bump(REGISTRY)
    after = version_key(REGISTRY)
    assert after.split("-")[0] == inside.split("-")[0]
    assert after != inside
