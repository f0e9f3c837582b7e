"""Junk in a page's query string or path is the caller's error (400) or a missing thing (404).

Every page is asked with non-numbers, wrong ids, ids of another kind of task, very long text,
NUL characters, unknown years, ledgers and units, with DEBUG off and exceptions answered as
they would be in production (a 500 fails the test; it is never re-raised into it).
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from tests.assessment.conftest import BEIJING_TARGETS, assessment_data  # noqa: F401  (a fixture)
from xiezuo.access import Access, Role
from xiezuo.access.selectors import access_for
from xiezuo.assessment.rectification.services import rectification_draft
from xiezuo.assessment.services import assessment_run, targets_load
from xiezuo.assessment.tasks import run_assessment
from xiezuo.ingest.jobs import import_job_start

LONG = "9" * 5000
HUGE = "9" * 30  # beyond any database integer
NUL = "a\x00b"
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


@pytest.fixture
def site(programme, assessment_data, make_user, settings, tmp_path):  # noqa: F811
    """The small programme assessed for 2019 with a rectification item, and an import job
    queued (not run) beside an assessment run, both in the database task queue."""
    settings.TASKS = DB_TASKS
    settings.DATA_DIR = tmp_path / "data"
    targets_load(programme=programme, years=[2019], path=BEIJING_TARGETS)
    operator = Access.operator(programme)
    as_of = dt.date(2019, 6, 30)
    run = assessment_run(access=operator, programme=programme, year=2019, as_of=as_of)
    rectification_draft(access=operator, run=run, deadline=dt.date(2019, 7, 31))
    office = make_user("office", Role.PROGRAMME_OFFICE, "110000")
    job = import_job_start(
        access=access_for(user=office, programme=programme),
        user=office,
        ledger_key="households",
        upload=SimpleUploadedFile("households.csv", "户编号\n".encode()),
    )
    queued = run_assessment.enqueue(programme.key, 2019, None, office.pk)
    return {
        "run": run,
        "item": run.rectification_items.first(),
        "job": job,
        "import_task": job.task_id,
        "assessment_task": queued.id,
        "office": office,
    }


@pytest.fixture
def office(site) -> Client:
    """A client signed in as the programme office, answering 500s as production does."""
    client = Client(raise_request_exception=False)
    client.force_login(site["office"])
    return client


def _status(client: Client, url: str, params: dict | None = None, method: str = "get") -> int:
    response = getattr(client, method)(url, params or {})
    return response.status_code


# --- query strings ---------------------------------------------------------------------------

BAD_QUERIES = [
    # (url name, parameter, junk value, expected status)
    ("web:overview", "year", "abc", 400),
    ("web:overview", "year", LONG, 400),
    ("web:overview", "year", "1999", 404),
    ("web:households", "county", "999999", 400),
    ("web:households", "village", "abc", 400),
    ("web:households", "status", "x", 400),
    ("web:households", "after", NUL, 400),
    ("web:households", "before", LONG, 400),
    ("web:households", "last", "maybe", 400),
    ("web:import", "page", "abc", 400),
    ("web:import", "page", "999", 404),
    ("web:assessment", "year", "abc", 400),
    ("web:assessment", "year", "1999", 404),
    ("web:assessment", "run", "abc", 400),
    ("web:assessment", "run", HUGE, 404),
    ("web:assessment", "run", "999999", 404),
    ("web:assessment", "side", "nonsense", 400),
    ("web:assessment", "area", LONG, 400),
    ("web:assessment", "task", "a/b", 400),
    ("web:assessment", "task", NUL, 400),
    ("web:assessment", "task", LONG, 400),
    ("web:rectification", "run", "abc", 400),
    ("web:rectification", "run", "999999", 404),
    ("web:rectification", "status", "nonsense", 400),
    ("web:rectification", "overdue", "x", 400),
    ("web:rectification", "unit_type", "x", 400),
    ("web:rectification", "page", "abc", 400),
    ("web:rectification", "page", "999", 404),
]


@pytest.mark.parametrize(("name", "param", "junk", "expected"), BAD_QUERIES)
def test_junk_in_a_query_string_is_refused(office, name, param, junk, expected):
    assert _status(office, reverse(name), {param: junk}) == expected


@pytest.mark.parametrize(("param", "unknown"), [("year", "1999"), ("run", "999999"), ("run", HUGE)])
def test_junk_in_the_unit_page_query_string_is_refused(office, param, unknown):
    url = reverse("web:assessment-unit", args=["helper", "110105"])
    assert _status(office, url, {param: "abc"}) == 400
    assert _status(office, url, {param: unknown}) == 404


def test_junk_page_of_a_drill_down_table_is_refused(office, site):
    url = reverse("web:assessment-drill", args=[site["run"].pk, "I08", "helper", "110105"])
    assert _status(office, url) == 200
    assert _status(office, url, {"page-fund": "abc"}) == 400
    assert _status(office, url, {"page-fund": "999"}) == 404


def test_the_good_queries_still_answer(office, site):
    """The probes above fail for their junk, not for the page."""
    run = site["run"]
    assert _status(office, reverse("web:overview"), {"year": "2019"}) == 200
    assert _status(office, reverse("web:households"), {"after": "13072310020100001"}) == 200
    assert _status(office, reverse("web:import"), {"page": "1"}) == 200
    assert _status(office, reverse("web:assessment"), {"year": 2019, "run": run.pk}) == 200
    task = site["assessment_task"]
    assert _status(office, reverse("web:assessment"), {"task": task}) == 200
    assert _status(office, reverse("web:rectification"), {"run": run.pk, "page": "1"}) == 200


# --- path ids --------------------------------------------------------------------------------


def _paths(site) -> list[tuple[str, str]]:
    run, item, job = site["run"], site["item"], site["job"]
    return [
        ("get", f"/households/{LONG}/"),
        ("get", "/households/a%00b/"),
        ("get", "/households/%E2%80%AE/"),
        ("get", f"/import/template/{LONG}/"),
        ("get", "/import/template/a%00b/"),
        ("get", f"/import/jobs/{HUGE}/"),
        ("get", f"/import/jobs/{HUGE}/annotated.xlsx"),
        ("get", f"/import/jobs/{job.pk + 1000}/"),
        ("post", f"/import/batches/{HUGE}/undo/"),
        ("get", "/assessment/run/abc/"),
        ("get", "/assessment/run/00000000-0000-0000-0000-000000000000/"),
        ("get", f"/assessment/run/{site['import_task']}/"),
        ("get", f"/assessment/run/{LONG}/"),
        ("get", "/assessment/run/a%00b/"),
        ("post", f"/assessment/runs/{HUGE}/rectification/"),
        ("get", f"/assessment/rectification/{HUGE}/evidence/"),
        ("post", f"/assessment/rectification/{HUGE}/"),
        ("get", f"/assessment/rectification/{item.pk + 1000}/evidence/"),
        ("get", f"/assessment/drill/{HUGE}/I08/helper/110105/"),
        ("get", f"/assessment/drill/{run.pk + 1000}/I08/helper/110105/"),
        ("get", f"/assessment/drill/{run.pk}/NOPE/helper/110105/"),
        ("get", f"/assessment/drill/{run.pk}/{LONG}/helper/110105/"),
        ("get", f"/assessment/drill/{run.pk}/I08/nonsense/110105/"),
        ("get", f"/assessment/drill/{run.pk}/I08/helper/999999/"),
        ("get", f"/assessment/drill/{run.pk}/I08/helper/{LONG}/"),
        ("get", f"/assessment/drill/{run.pk}/I08/helper/a%00b/"),
        ("get", f"/assessment/drill/{run.pk}/I08/a%00b/110105/"),
        ("get", f"/assessment/drill/{run.pk}/a%00b/helper/110105/"),
        ("get", "/assessment/nonsense/110105/"),
        ("get", "/assessment/helper/999999/"),
        ("get", f"/assessment/helper/{LONG}/"),
        ("get", "/assessment/helper/a%00b/"),
        ("get", "/assessment/pairing/110105%E2%86%92999999/"),
    ]


def test_junk_in_a_path_is_not_found(office, site):
    found = {
        (method, path[:80]): _status(office, path, method=method) for method, path in _paths(site)
    }
    assert {key: status for key, status in found.items() if status != 404} == {}


def test_an_import_task_is_not_an_assessment_run(office, site):
    """The run-status page answers for assessment tasks only."""
    assert (
        _status(office, reverse("web:assessment-run-status", args=[site["assessment_task"]])) == 200
    )
    assert _status(office, reverse("web:assessment-run-status", args=[site["import_task"]])) == 404
