"""The match the 匹配 page queues, run by the task worker; progress goes to the run's row."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.tasks import task

from xiezuo.access.selectors import access_for
from xiezuo.labour.models import MatchRun
from xiezuo.labour.services import match_run


@task()
def run_match(run_id: int, user_id: int | None) -> int:
    """Fill in the queued run `run_id` as its user's access allows; return its id."""
    run = MatchRun.objects.select_related("programme").get(pk=run_id)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    match_run(
        access=access_for(user=user or AnonymousUser(), programme=run.programme),
        programme=run.programme,
        region=run.region or None,
        user=user,
        run=run,
    )
    return run.pk
