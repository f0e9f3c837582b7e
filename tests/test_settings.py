"""Settings: an unhandled error is logged with its traceback, DEBUG off, to a file and stderr."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

# A fresh interpreter with the project's settings (its LOGGING, not pytest's log capture)
# serves one request to a view that fails, with DEBUG off as in production.
FAILING_REQUEST = textwrap.dedent(
    """
    import os
    os.environ["DJANGO_SETTINGS_MODULE"] = "xiezuo.settings"

    import django
    from django.conf import settings
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment
    from django.urls import path

    django.setup()
    setup_test_environment(debug=False)


    def broken(request):
        raise RuntimeError("the ledger fell over")


    urlpatterns = [path("broken/", broken)]
    with override_settings(ROOT_URLCONF="__main__"):
        response = Client(raise_request_exception=False).get("/broken/")
    print(response.status_code, settings.DEBUG)
    """
)


def _serve_failing_request(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XIEZUO_DATA_DIR": str(data_dir)}
    for name in ("DJANGO_SETTINGS_MODULE", "XIEZUO_DEBUG"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", FAILING_REQUEST],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def test_a_500_logs_its_traceback_to_the_data_directory_and_stderr(tmp_path):
    done = _serve_failing_request(tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["500", "False"]
    log = (tmp_path / "logs" / "xiezuo.log").read_text(encoding="utf-8")
    for text in (log, done.stderr):
        assert "ERROR django.request" in text
        assert "Internal Server Error: /broken/" in text
        assert "Traceback (most recent call last)" in text
        assert "RuntimeError: the ledger fell over" in text


def test_the_log_file_appends_across_processes(tmp_path):
    """A second process adds to the same file (it does not start it afresh)."""
    for _ in range(2):
        assert _serve_failing_request(tmp_path).returncode == 0
    log = (tmp_path / "logs" / "xiezuo.log").read_text(encoding="utf-8")
    assert log.count("RuntimeError: the ledger fell over") == 2
