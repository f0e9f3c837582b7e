"""Schemathesis against the OpenAPI schema, in-process through the WSGI application: a
bounded number of generated requests per operation (deterministic), no 500, every answer as
the schema says (status, content type, body, headers)."""

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    positive_data_acceptance,
)

from xiezuo.api.tokens import token_create
from xiezuo.wsgi import application

pytestmark = pytest.mark.django_db

EXAMPLES = 20
schema = schemathesis.openapi.from_wsgi("/api/openapi.json", application)
# Explicit examples and EXAMPLES generated cases per operation (the coverage phase's hundreds
# of boundary cases would take minutes here).
schema.config.phases.update(phases=["examples", "fuzzing"])


def test_the_schema_is_openapi_3_1(client):
    document = client.get("/api/openapi.json").json()
    assert document["openapi"] == "3.1.0"
    assert len(document["paths"]) >= 35
    assert client.get("/api/docs").status_code == 200


@pytest.fixture(autouse=True)
def _one_connection():
    """Keep the test's database connection across requests, as Django's test client does: the
    WSGI handler would close it after each one (and with it the test's transaction on
    PostgreSQL)."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def token(households, ledger_rows, users):
    """A read-write token of the programme office, over a registry with ledger rows."""
    return token_create(username="programme_office").secret


@schema.parametrize()
@settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_api_conforms_to_its_schema(case, token):
    # A request can match the schema and still be refused for what it means (a cursor the API
    # did not give, a year a ledger does not have): 400 is right there, so the check that every
    # schema-valid request succeeds is left out. Its mirror too: form fields are text, and a
    # boolean field takes "0" and "1" as well as "true" and "false".
    case.call_and_validate(
        headers={"Authorization": f"Bearer {token}"},
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )
