"""Tokens: printed once, kept as a hash, expiring, revocable, read-only refused for writes;
sessions with CSRF; 401 without credentials."""

import datetime as dt
import hashlib
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.test import Client
from django.utils import timezone

from xiezuo.api.models import ApiToken
from xiezuo.api.tokens import token_authenticate, token_create

pytestmark = pytest.mark.django_db


def _create(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("token", "create", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_create_prints_the_token_once_and_keeps_only_its_hash(users):
    """`xiezuo token create` prints the secret alone on stdout; the database holds its
    SHA-256 and nothing from which the secret could be read back."""
    out, err = _create("county_office", "--expires", "30", "--read-only")
    secret = out.strip()
    assert secret.startswith("xz_")
    assert len(secret) == 46
    assert secret not in err
    token = ApiToken.objects.get()
    assert token.hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.read_only
    assert token.user.username == "county_office"
    assert dt.timedelta(days=29.9) < token.expires - timezone.now() <= dt.timedelta(days=30)
    stored = [str(v) for v in ApiToken.objects.values_list(flat=False).get()]
    assert all(secret not in value and secret[3:] not in value for value in stored)


def test_create_refuses_an_unknown_user(users):
    with pytest.raises(CommandError, match="nobody"):
        _create("nobody")


def test_a_token_reads_for_its_user(users):
    secret = _create("county_office")[0].strip()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {secret}")
    response = client.get("/api/regions/130723")
    assert response.status_code == 200
    assert ApiToken.objects.get().last_used is not None


def test_no_credentials_answers_401_with_its_code(programme):
    response = Client().get("/api/households")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"
    assert response["WWW-Authenticate"] == "Bearer"


@pytest.mark.parametrize(
    "header", ["Bearer xz_unknown", "Bearer ", "Basic YTpi", "Bearer " + "x" * 500]
)
def test_a_wrong_token_answers_401(programme, header):
    response = Client(HTTP_AUTHORIZATION=header).get("/api/households")
    assert response.status_code == 401
    assert response.json()["code"] == "unauthorized"


def test_an_expired_token_answers_401(users):
    issued = token_create(username="county_office", expires_days=1)
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert client.get("/api/regions/130723").status_code == 200
    ApiToken.objects.update(expires=timezone.now() - dt.timedelta(seconds=1))
    assert client.get("/api/regions/130723").status_code == 401
    assert token_authenticate(issued.secret) is None


@pytest.mark.parametrize("by", ["secret", "id"])
def test_revoke_by_secret_or_id(users, by):
    """`xiezuo token revoke` takes the token or its id; the token answers 401 afterwards."""
    issued = token_create(username="county_office")
    client = Client(HTTP_AUTHORIZATION=f"Bearer {issued.secret}")
    assert client.get("/api/regions/130723").status_code == 200
    out = io.StringIO()
    call_command(
        "token", "revoke", issued.secret if by == "secret" else str(issued.token.pk), stdout=out
    )
    assert "已吊销" in out.getvalue()
    assert client.get("/api/regions/130723").status_code == 401
    assert ApiToken.objects.get().revoked is not None


def test_revoke_refuses_an_unknown_token(users):
    with pytest.raises(CommandError):
        call_command("token", "revoke", "xz_nothing")


def test_a_read_only_token_cannot_upload_or_run(users, bearer):
    """A read-only token reads, but every unsafe request answers 403 read_only_token."""
    client = bearer("programme_office", read_only=True)
    assert client.get("/api/households").status_code == 200
    upload = io.BytesIO("户编号\n".encode())
    upload.name = "households.csv"
    attempts = [
        client.post("/api/imports/jobs", {"ledger": "households", "file": upload}),
        client.post("/api/assessment/runs", {"year": 2019}, content_type="application/json"),
        client.patch("/api/rectification/1", {"note": "x"}, content_type="application/json"),
        client.post("/api/imports/jobs/1/retry"),
    ]
    for response in attempts:
        assert response.status_code == 403
        assert response.json()["code"] == "read_only_token"


def test_a_read_write_token_may_run_the_assessment(users, bearer):
    response = bearer("programme_office").post(
        "/api/assessment/runs", {"year": 2019}, content_type="application/json"
    )
    assert response.status_code == 202
    assert response.json()["status"] == "READY"


def test_a_session_reads_and_needs_csrf_for_unsafe_requests(users):
    """A signed-in session works; its POST without the CSRF token answers 403 csrf_failed, with
    it the request goes through."""
    client = Client(enforce_csrf_checks=True)
    client.force_login(users["programme_office"])
    assert client.get("/api/households").status_code == 200
    refused = client.post("/api/assessment/runs", {"year": 2019}, content_type="application/json")
    assert refused.status_code == 403
    assert refused.json()["code"] == "csrf_failed"
    client.get("/login/")  # sets the CSRF cookie
    token = client.cookies["csrftoken"].value
    accepted = client.post(
        "/api/assessment/runs",
        {"year": 2019},
        content_type="application/json",
        HTTP_X_CSRFTOKEN=token,
    )
    assert accepted.status_code == 202
