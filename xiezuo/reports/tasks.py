"""The zip of a year's reports the programme office asks for on `/reports/<year>/zip/`,
written by the task worker (`xiezuo worker`): 39 PDFs take too long to hold a request."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.tasks import task

from xiezuo.access.selectors import access_for
from xiezuo.programs.models import Programme
from xiezuo.reports.services import reports_zip_write


@task()
def build_reports_zip(programme_key: str, year: int, user_id: int | None) -> str:
    """Write every report of a programme-year as PDF into one zip in the data directory;
    return the zip's file name. The caller's access is checked when the task runs."""
    programme = Programme.objects.get(key=programme_key)
    user = get_user_model().objects.filter(pk=user_id).first() if user_id else None
    access = access_for(user=user or AnonymousUser(), programme=programme)
    return reports_zip_write(access=access, year=year).name
