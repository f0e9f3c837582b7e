"""Labour through the API: match runs as the labour selectors give them, flows."""

import pytest

from xiezuo.labour.models import MatchRun
from xiezuo.programs.models import Programme

pytestmark = pytest.mark.django_db


def test_match_runs_in_the_callers_reach(households, users, bearer):
    """A county office follows the whole programme's runs and its county's, not another
    county's nor another programme's; a cadre may not see labour at all."""
    whole = MatchRun.objects.create(programme=_small(), region="")
    own = MatchRun.objects.create(programme=_small(), region="130723")
    MatchRun.objects.create(programme=_small(), region="130728")
    MatchRun.objects.create(programme=Programme.objects.get(key="other"))
    client = bearer("county_office")
    listed = [r["id"] for r in client.get("/api/labour/runs").json()["items"]]
    assert listed == [own.pk, whole.pk]
    assert client.get(f"/api/labour/runs/{own.pk}/proposals").json() == {
        "items": [],
        "next": None,
    }
    assert client.get("/api/labour/flows?year=2020").json() == []
    assert bearer("cadre").get("/api/labour/runs").status_code == 404


def _small() -> Programme:
    return Programme.objects.get(key="small")
