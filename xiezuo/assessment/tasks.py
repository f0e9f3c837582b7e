"""The assessment run the scorecard's button queues, run by `xiezuo db_worker`.

A run of the demo programme takes one to two seconds warm and several cold (Ibis builds and
compiles the queries in Python), too long to hold a request; the page polls the task instead.
"""

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.tasks import task

from xiezuo.access.selectors import access_for
from xiezuo.assessment.services import assessment_run
from xiezuo.programs.models import Programme


@task()
def run_assessment(programme_key: str, year: int, as_of: str | None, user_id: int | None) -> int:
    """Run and store the assessment of a programme-year as of `as_of` (ISO date); return the
    run's id. The run is checked against the user's access when it runs."""
    programme = Programme.objects.get(key=programme_key)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    run = assessment_run(
        access=access_for(user=user or AnonymousUser(), programme=programme),
        programme=programme,
        year=year,
        as_of=dt.date.fromisoformat(as_of) if as_of else None,
        user=user,
        who=f"web:{user.get_username()}" if user else "web",
    )
    return run.pk
