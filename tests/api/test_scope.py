"""The scope matrix, generated: every API route and every page that takes an object's key,
asked by each role for an object of another area, answers 404 with no personal data of that
area in its body.

Routes are read from the OpenAPI schema and the pages' URL patterns, so a new route with a
key this test does not know fails here until the matrix knows how to fill it.
"""

import datetime as dt
import json
import re
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from xiezuo.api.api import api
from xiezuo.assessment.models import AssessmentRun, RectificationItem
from xiezuo.assessment.tasks import run_assessment
from xiezuo.crosscheck.models import CrossCheckFlag
from xiezuo.ingest.models import Batch, ImportJob
from xiezuo.labour.models import MatchRun
from xiezuo.ledgers.models import Secondment
from xiezuo.programs.models import Programme
from xiezuo.registry.models import Household, Member

from .conftest import ROLES, Role_

pytestmark = pytest.mark.django_db

_PARAM = re.compile(r"\{(\w+)\}")
WIDE = {"programme_office", "assessor"}


# Path parameters that name no object: a year is the same for every area.
NOT_KEYS = {"year"}


def api_routes() -> list[tuple[str, str]]:
    """Return (method, path template) of every API route that takes an object's key in its
    path."""
    paths = api.get_openapi_schema()["paths"]
    return sorted(
        (method.upper(), path)
        for path, operations in paths.items()
        if set(_PARAM.findall(path)) - NOT_KEYS
        for method in operations
    )


def region_routes() -> list[str]:
    """Return every API list route that takes a `region` filter."""
    paths = api.get_openapi_schema()["paths"]
    return sorted(
        path
        for path, operations in paths.items()
        if "get" in operations
        and any(p["name"] == "region" for p in operations["get"].get("parameters", []))
    )


PAGE_KEYS = ("household_no", "county", "village", "region")


def page_routes() -> list[str]:
    """Return the pages' URL patterns (as paths with <name> parts) that take a household or a
    region."""
    found = []

    def walk(patterns: list, prefix: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern) and any(
                f":{key}>" in str(pattern.pattern) for key in PAGE_KEYS
            ):
                found.append("/" + prefix + str(pattern.pattern))

    walk(get_resolver().url_patterns, "")
    return sorted(p for p in found if not p.startswith("/api/"))


@dataclass(frozen=True)
class Foreign:
    """Objects of an area the role must not see, and the personal data living there."""

    values: dict[str, str]
    id_numbers: frozenset[str]


@pytest.fixture
def foreign(programme, households, ledger_rows, users):
    """Return, per role name, the keys of objects outside it and the ID numbers there."""
    other = Programme.objects.get(key="other")
    stranger = User.objects.create_user("huaian-office")
    own_run = AssessmentRun.objects.create(
        programme=programme,
        year=2019,
        as_of=dt.date(2019, 12, 31),
        engine="db",
        duration=dt.timedelta(seconds=1),
    )
    other_run = AssessmentRun.objects.create(
        programme=other,
        year=2019,
        as_of=dt.date(2019, 12, 31),
        engine="db",
        duration=dt.timedelta(seconds=1),
    )

    def item(run: AssessmentRun, unit: str) -> int:
        return RectificationItem.objects.get_or_create(
            run=run,
            unit_type="recipient",
            unit=unit,
            indicator="A1",
            defaults={
                "finding": "资金未到位",
                "responsible_office": "县扶贫办",
                "deadline": dt.date(2020, 6, 30),
            },
        )[0].pk

    def job(owner: User, on: Programme) -> tuple[int, int]:
        batch = Batch.objects.create(
            user=owner,
            programme=on,
            ledger="households",
            file_name="f.csv",
            sha256="0" * 64,
            status=Batch.Status.LOADED,
        )
        made = ImportJob.objects.create(
            user=owner,
            programme=on,
            ledger="households",
            original_name="f.csv",
            status=ImportJob.Status.FAILED,
            batch=batch,
        )
        return made.pk, batch.pk

    def flag(household: Household) -> int:
        """A cross-check flag on `household`, naming its householder's ID number."""
        now = timezone.now()
        return CrossCheckFlag.objects.get_or_create(
            fingerprint=f"scope-{household.pk}",
            defaults={
                "year": 2020,
                "household": household,
                "person": household.householder_id_number,
                "rule": "vehicle",
                "source": "vehicles",
                "match": CrossCheckFlag.Match.EXACT,
                "score": 1.0,
                "first_seen": now,
                "last_seen": now,
            },
        )[0].pk

    inside_job, inside_batch = job(stranger, programme)
    outside_match = MatchRun.objects.create(programme=other, user=stranger).pk
    outside_job, outside_batch = job(stranger, other)
    task = str(run_assessment.enqueue("other", 2019, None, None).id)
    result = {}
    for role in ROLES:
        wide = role.name in WIDE
        household = households[role.foreign_household]
        job_id, batch_id = (outside_job, outside_batch) if wide else (inside_job, inside_batch)
        ids = set(
            Member.objects.filter(household__county_id=role.foreign_region).values_list(
                "id_number", flat=True
            )
        ) | set(
            Household.objects.filter(county_id=role.foreign_region).values_list(
                "householder_id_number", flat=True
            )
        )
        ids |= set(
            Secondment.objects.filter(posting_id=role.foreign_region).values_list(
                "id_number", flat=True
            )
        )
        result[role.name] = Foreign(
            values={
                "household_no": household.household_no,
                "code": role.foreign_region,
                "pairing_key": role.foreign_pairing,
                "programme_key": "other",
                "job_id": str(job_id),
                "batch_id": str(batch_id),
                "run_id": str(other_run.pk),
                "item_id": str(item(other_run if wide else own_run, role.foreign_region)),
                "task_id": task,
                "flag_id": str(flag(household)),
                "match_id": str(
                    outside_match
                    if wide
                    else MatchRun.objects.create(
                        programme=programme, region=role.foreign_region, user=stranger
                    ).pk
                ),
                # pages
                "county": role.foreign_region,
                "village": household.village_id,
                "year": "2020",
                "step": "confirm",
            },
            id_numbers=frozenset(ids),
        )
    return result


def _fill(path: str, values: dict[str, str]) -> str:
    def value(match: re.Match) -> str:
        name = match.group(1)
        if name == "key":  # /programmes/{key} or /pairings/{key}
            name = "programme_key" if path.startswith("/api/programmes") else "pairing_key"
        if name not in values:
            raise AssertionError(f"the scope matrix does not know how to fill {{{name}}} in {path}")
        return values[name]

    return _PARAM.sub(value, path)


def _body(response) -> str:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8", errors="replace")


def _assert_hidden(response, foreign: Foreign, what: str) -> None:
    body = _body(response)
    assert response.status_code == 404, f"{what}: {response.status_code} {body[:200]}"
    leaked = [n for n in foreign.id_numbers if n in body]
    assert not leaked, f"{what}: personal data of another area in the body"


def test_the_matrix_covers_routes_and_roles():
    """The matrix is not empty: it holds the keyed routes, the region lists and the pages."""
    assert len(api_routes()) >= 15
    assert len(region_routes()) >= 20
    assert "/households/<str:household_no>/" in page_routes()
    assert len(page_routes()) >= 1
    assert len(ROLES) == 5


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.name)
def test_keyed_api_routes_answer_404_for_another_area(role: Role_, foreign, bearer):
    """Every API route with a key in its path, asked by a role for an object of another area
    (another county; outside the programme for the programme-wide roles), answers 404."""
    client = bearer(role.name)
    outside = foreign[role.name]
    for method, template in api_routes():
        url = _fill(template, outside.values)
        if method == "GET":
            response = client.get(url)
        else:
            # A valid body, so that what answers is the scope (a decision needs its reason).
            fields = (
                {"note": "x"} if method == "PATCH" else {"reason": "核实", "deadline": "2099-01-01"}
            )
            body = json.dumps(fields)
            response = client.generic(method, url, body, content_type="application/json")
        _assert_hidden(response, outside, f"{role.name} {method} {url}")
        assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.name)
def test_lists_filtered_by_another_area_answer_404(role: Role_, foreign, bearer):
    """Every list asked for the rows of a region outside the role answers 404."""
    client = bearer(role.name)
    outside = foreign[role.name]
    for path in region_routes():
        for fmt in ("json", "csv"):
            url = f"{_fill(path, outside.values)}?region={role.foreign_region}&format={fmt}"
            _assert_hidden(client.get(url), outside, f"{role.name} {url}")


# Keys of nothing at all: what a page answers for them, it must answer for another area's.
NOWHERE = {"household_no": "139999999999999", "county": "139999", "village": "139999999999"}


def _page(client, pattern: str, values: dict[str, str]):
    url = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], pattern)
    response = client.get(url)
    if response.status_code == 405:  # a form's target: POST only, with a valid form
        response = client.post(url, {"confirm-on": "2020-06-01"})
    return url, response


@pytest.mark.parametrize("role", ROLES, ids=lambda r: r.name)
def test_pages_with_a_household_or_region_answer_404_for_another_area(
    role: Role_, foreign, users, client
):
    """Every page taking a 户编号 or a region, asked for one of another area, answers 404 —
    or, where the role may not use the page at all, exactly what it answers for a key that
    exists nowhere (a refusal by role, that tells nothing about the object)."""
    client.force_login(users[role.name])
    outside = foreign[role.name]
    for pattern in page_routes():
        url, response = _page(client, pattern, outside.values)
        _, nowhere = _page(client, pattern, {**outside.values, **NOWHERE})
        body = _body(response)
        assert response.status_code == nowhere.status_code, f"{role.name} {url}: tells apart"
        assert response.status_code in (403, 404), f"{role.name} {url}: {response.status_code}"
        leaked = [n for n in outside.id_numbers if n in body]
        assert not leaked, f"{role.name} {url}: personal data of another area in the body"


def test_an_object_inside_the_area_is_found(foreign, bearer, households):
    """The matrix's 404s are about scope: the same routes find the role's own objects."""
    client = bearer("county_office")
    assert client.get(f"/api/households/{households['A'].household_no}").status_code == 200
    assert client.get("/api/regions/130723").status_code == 200
    assert client.get("/api/pairings/110105→130723").status_code == 200
    assert client.get("/api/ledgers/funds?region=130723").status_code == 200
