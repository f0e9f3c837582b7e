"""The programme overview, cached until the registry changes.

The overview aggregates every household and member of the programme (`cohort_rows`), which
costs far more than the page's 200 ms budget at full scale. Its figures are public and the
same for every reader, so they are cached per programme under the registry's data version
(`core.versions`): every write path to households, members, incomes, status history, rural
population and pairings bumps it in its own transaction (the importer and its undo, the demo
build, the programme load, admin saves), so a load, an undo or an in-place edit shows at once.
The timeout bounds only writes that bypass those paths.
"""

from collections.abc import Iterable

from django.core.cache import cache
from django.db.models import Model

from xiezuo.access import Access
from xiezuo.core.versions import REGISTRY, version_bump, version_key
from xiezuo.programs.models import Programme
from xiezuo.registry.selectors import Overview, programme_overview

__all__ = ["OVERVIEW_MODELS", "TIMEOUT_SECONDS", "cached_programme_overview", "registry_changed"]

TIMEOUT_SECONDS = 300
# What the overview is computed from (incomes: the household pages read them beside it).
OVERVIEW_MODELS = frozenset(
    {
        "registry.Household",
        "registry.Member",
        "registry.Income",
        "registry.StatusChange",
        "regions.RuralPopulation",
        "regions.Region",
        "programs.Pairing",
    }
)


def registry_changed(models: Iterable[type[Model]]) -> None:
    """Bump the registry version if a write touched any table the overview reads.

    Call it once, at the end of the write's transaction (see `core.versions.version_bump`).
    """
    if any(model._meta.label in OVERVIEW_MODELS for model in models):
        version_bump(REGISTRY)


def cached_programme_overview(*, access: Access, programme: Programme) -> Overview:
    """Return `programme_overview`, computed once per programme and registry version.

    Without a version (a database no write path has touched) nothing is cached.
    """
    version = version_key(REGISTRY)
    if version is None:
        return programme_overview(access=access, programme=programme)
    key = f"xiezuo:overview:{programme.pk}:{programme.start_year}-{programme.end_year}:{version}"
    overview = cache.get(key)
    if overview is None:
        overview = programme_overview(access=access, programme=programme)
        cache.set(key, overview, TIMEOUT_SECONDS)
    return overview
