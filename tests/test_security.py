"""Accounts and production settings: weak keys refused, HTTPS switched on from the
environment, files private to the service user, sign-in throttled, pages uncached and under a
Content-Security-Policy, secrets hidden from the debug page."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth.hashers import identify_hasher
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import RequestFactory
from django.urls import reverse
from django.views.debug import ExceptionReporter

from xiezuo.access import Role


def _python(code: str, data_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Run `code` in a fresh interpreter with the project's settings and `env`."""
    environ = {**os.environ, "XIEZUO_DATA_DIR": str(data_dir), **env}
    for name in ("DJANGO_SETTINGS_MODULE", "XIEZUO_DATABASE_URL", "XIEZUO_SECRET_KEY"):
        if name not in env:
            environ.pop(name, None)
    environ["DJANGO_SETTINGS_MODULE"] = "xiezuo.settings"
    return subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=environ,
        timeout=120,
        check=False,
    )


CHECK_DEPLOY = (
    "import django; django.setup(); from django.core.management import call_command; "
    "call_command('check', deploy=True, fail_level='WARNING')"
)


def test_a_short_secret_key_is_refused_at_start(tmp_path):
    result = _python("import django; django.setup()", tmp_path, XIEZUO_SECRET_KEY="too-short")
    assert result.returncode != 0
    assert "XIEZUO_SECRET_KEY is too weak" in result.stderr


def test_check_deploy_is_clean_with_https_switched_on(tmp_path):
    env = {"XIEZUO_ALLOWED_HOSTS": "xiezuo.example.cn"}
    plain = _python(CHECK_DEPLOY, tmp_path, **env)
    for warning in ("W004", "W008", "W012", "W016"):
        assert f"security.{warning}" in plain.stderr
    https = _python(CHECK_DEPLOY, tmp_path, XIEZUO_HTTPS="1", **env)
    assert https.returncode == 0, https.stderr
    assert "no issues" in https.stdout


def test_https_settings_follow_the_environment(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_SSL_REDIRECT, "
        "s.SECURE_HSTS_SECONDS, s.SECURE_PROXY_SSL_HEADER)"
    )
    result = _python(
        code,
        tmp_path,
        XIEZUO_SECURE_COOKIES="1",
        XIEZUO_HSTS_SECONDS="600",
        XIEZUO_PROXY_SSL_HEADER="yes",
    )
    assert result.stdout.split() == [
        "True",
        "True",
        "False",
        "600",
        "('HTTP_X_FORWARDED_PROTO',",
        "'https')",
    ]


def test_the_database_and_the_data_folder_are_private(tmp_path):
    data = tmp_path / "data"
    code = (
        "import django; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0)"
    )
    result = _python(code, data)
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in (data / "xiezuo.sqlite3", data / "secret_key"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_passwords_are_hashed_with_argon2_and_weak_ones_refused(db):
    user = User.objects.create_user("kangbao", password="长城 2020 康保 帮扶")
    assert identify_hasher(user.password).algorithm == "argon2"
    for weak in ("12345678901", "password123", "kangbao1"):
        with pytest.raises(ValidationError):
            validate_password(weak, user=user)


def test_repeated_failed_sign_ins_lock_the_account_out(client, db, settings):
    User.objects.create_user("kangbao", password="长城 2020 康保 帮扶")
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(url, {"username": "kangbao", "password": "wrong"})
        assert response.status_code == 200
    assert client.post(url, {"username": "kangbao", "password": "wrong"}).status_code == 429
    # Locked: even the right password is refused until the cool-off ends.
    response = client.post(url, {"username": "kangbao", "password": "长城 2020 康保 帮扶"})
    assert response.status_code == 429
    assert "账号已暂时锁定" in response.content.decode()
    assert "_auth_user_id" not in client.session


def test_a_good_sign_in_resets_the_failures(client, db):
    User.objects.create_user("kangbao", password="长城 2020 康保 帮扶")
    url = reverse("login")
    client.post(url, {"username": "kangbao", "password": "wrong"})
    response = client.post(url, {"username": "kangbao", "password": "长城 2020 康保 帮扶"})
    assert response.status_code == 302
    assert client.session["_auth_user_id"]


def test_signed_in_pages_are_not_stored_and_carry_a_csp(client, small_programme, settings):
    settings.XIEZUO_DEFAULT_PROGRAMME = small_programme.key
    anonymous = client.get(reverse("web:overview"))
    assert "no-store" not in anonymous.get("Cache-Control", "")
    user = User.objects.create_user("kangbao")
    from xiezuo.access.services import grant_give

    grant_give(user=user, role=Role.COUNTY_OFFICE, region_code="130723")
    client.force_login(user)
    response = client.get(reverse("web:households"))
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store, private"
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in policy


def _debug_page(request) -> str:
    """Return the debug page of an error raised while serving `request` (no secret among
    this frame's own variables)."""
    try:
        raise RuntimeError("boom")
    except RuntimeError:
        return ExceptionReporter(request, *sys.exc_info()).get_traceback_html()


def test_the_debug_page_hides_the_database_url(rf: RequestFactory):
    request = rf.get("/broken/")
    # runserver passes the process environment in META.
    request.META["XIEZUO_DATABASE_URL"] = "postgres://xiezuo:" + "s3cret-pw" + "@db:5432/x"
    html = _debug_page(request)
    assert "boom" in html
    assert "XIEZUO_DATABASE_URL" in html
    assert "s3cret-pw" not in html
