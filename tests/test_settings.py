"""Settings: an unhandled error is logged with its traceback, DEBUG off, to a file and stderr."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

# A fresh interpreter with the project's settings (its LOGGING, not pytest's log capture)
# serves a request refused as bad (400) and one to a view that fails (500), DEBUG off.
FAILING_REQUEST = textwrap.dedent(
    """
    import os
    os.environ["DJANGO_SETTINGS_MODULE"] = "xiezuo.settings"

    import django
    from django.conf import settings
    from django.core.exceptions import BadRequest
    from django.core.management import call_command
    from django.test import Client
    from django.test.utils import override_settings, setup_test_environment
    from django.urls import include, path

    django.setup()
    setup_test_environment(debug=False)
    call_command("migrate", verbosity=0)  # the error pages' layout reads the programme


    def broken(request):
        raise RuntimeError("the ledger fell over")


    def junk(request):
        raise BadRequest("junk parameter")


    # The site's own URLs too: the error pages link to them.
    urlpatterns = [path("broken/", broken), path("junk/", junk), path("", include("xiezuo.urls"))]
    with override_settings(ROOT_URLCONF="__main__"):
        client = Client(raise_request_exception=False)
        statuses = [client.get(url).status_code for url in ("/junk/", "/broken/")]
    print(*statuses, settings.DEBUG)
    """
)


def _serve_failing_request(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "XIEZUO_DATA_DIR": str(data_dir)}
    # Its own SQLite database in the data directory, whichever tier the suite runs on.
    for name in ("DJANGO_SETTINGS_MODULE", "XIEZUO_DEBUG", "XIEZUO_DATABASE_URL"):
        env.pop(name, None)
    return subprocess.run(
        [sys.executable, "-c", FAILING_REQUEST],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Serve the two requests in two processes, one after the other, on one data directory."""
    data_dir = tmp_path_factory.mktemp("data")
    runs = [_serve_failing_request(data_dir) for _ in range(2)]
    for done in runs:
        assert done.returncode == 0, done.stderr
    log = (data_dir / "logs" / "xiezuo.log").read_text(encoding="utf-8")
    return {"stdout": runs[0].stdout, "stderr": runs[0].stderr, "log": log}


def test_a_500_logs_its_traceback_to_the_data_directory_and_stderr(served):
    assert served["stdout"].split() == ["400", "500", "False"]
    for text in (served["log"], served["stderr"]):
        assert "ERROR django.request" in text
        assert "Internal Server Error: /broken/" in text
        assert "Traceback (most recent call last)" in text
        assert "RuntimeError: the ledger fell over" in text


def test_a_400_logs_one_line_without_traceback(served):
    """Junk from a client is a warning line; only the 500 carries a traceback."""
    stderr = served["stderr"]
    assert "WARNING django.request" in stderr
    assert "junk parameter: /junk/" in stderr
    assert stderr.count("Traceback (most recent call last)") == 1
    assert "BadRequest" not in served["log"]


def test_the_log_file_appends_across_processes(served):
    """A second process adds to the same file (it does not start it afresh)."""
    assert served["log"].count("RuntimeError: the ledger fell over") == 2
    assert served["log"].count("junk parameter: /junk/") == 2
