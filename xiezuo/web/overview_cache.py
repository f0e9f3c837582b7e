"""The overview page's cache: the programme overview kept until the registry changes.

The overview aggregates every household and member of the programme (`cohort_rows`), which
costs far more than the page's 200 ms budget at full scale. Its figures are public and the
same for every reader, so they are cached per programme under a *revision* of the data
they derive from: the highest id and the row count of the registry tables, the pairings and
the rural populations. A load, an import or a deletion changes the revision and so the key;
an in-place edit of a household without a status change does not, which the timeout bounds.
"""

from django.core.cache import cache
from django.db.models import Max

from xiezuo.access import Access
from xiezuo.programs.models import Pairing, Programme
from xiezuo.regions.models import RuralPopulation
from xiezuo.registry.models import Household, Member, StatusChange
from xiezuo.registry.selectors import Overview, programme_overview

TIMEOUT_SECONDS = 300
_REVISION_MODELS = (Household, Member, StatusChange, Pairing, RuralPopulation)


def registry_revision() -> tuple[int, ...]:
    """Return (max id, row count) of every table the overview reads.

    Two plain queries a table: a bare `COUNT(*)` and `MAX(id)` each take SQLite's fast path
    (the smallest index, the end of the primary key), which a combined aggregate loses.
    """
    revision: list[int] = []
    for model in _REVISION_MODELS:
        rows = model.objects.order_by()
        revision += [rows.aggregate(last=Max("id"))["last"] or 0, rows.count()]
    return tuple(revision)


def cached_programme_overview(*, access: Access, programme: Programme) -> Overview:
    """Return `programme_overview`, computed once per programme and registry revision."""
    revision = "-".join(str(n) for n in registry_revision())
    key = f"xiezuo:overview:{programme.pk}:{programme.start_year}-{programme.end_year}:{revision}"
    overview = cache.get(key)
    if overview is None:
        overview = programme_overview(access=access, programme=programme)
        cache.set(key, overview, TIMEOUT_SECONDS)
    return overview
