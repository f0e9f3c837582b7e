"""Starting a command or a web worker loads none of the heavy data libraries.

Ibis, Polars, PyArrow, DuckDB and PySpark cost seconds to import; they load inside the
functions that compute with them. These tests start a fresh interpreter (the test process
has long imported them), load what every command and worker loads, and look at `sys.modules`.
"""

import json
import os
import subprocess
import sys
import textwrap

import pytest

HEAVY = ("ibis", "polars", "pyarrow", "duckdb", "pyspark", "ortools")

# Run in a fresh interpreter: record who first imports a heavy package, then load the settings,
# the URLconf, every management command and every app's models, admin and views modules.
PROBE = textwrap.dedent(
    """
    import builtins, importlib, json, os, pkgutil, sys, traceback

    HEAVY = set(json.loads(sys.argv[1]))
    first = {}
    original = builtins.__import__

    def watching(name, globals=None, locals=None, fromlist=(), level=0):
        top = name.split(".")[0]
        if level == 0 and top in HEAVY and top not in first and top not in sys.modules:
            first[top] = [
                f"{frame.filename}:{frame.lineno}"
                for frame in traceback.extract_stack()[:-1]
                if "xiezuo" in frame.filename
            ][-8:]
        return original(name, globals, locals, fromlist, level)

    builtins.__import__ = watching
    os.environ["DJANGO_SETTINGS_MODULE"] = "xiezuo.settings"

    import django
    from django.apps import apps
    from django.core.management import get_commands, load_command_class
    from django.urls import get_resolver

    django.setup()
    loaded = []

    def walk(patterns):
        for pattern in patterns:
            if hasattr(pattern, "url_patterns"):
                walk(pattern.url_patterns)
            else:
                loaded.append(pattern.lookup_str)

    walk(get_resolver().url_patterns)
    for name, app in get_commands().items():
        load_command_class(app, name)
        loaded.append(f"command {name}")
    for config in apps.get_app_configs():
        if not config.name.startswith("xiezuo"):
            continue
        for info in pkgutil.walk_packages(config.module.__path__, config.name + "."):
            leaf = info.name.rsplit(".", 1)[-1]
            if leaf in {"models", "admin", "views", "urls", "forms", "tasks", "apps"}:
                importlib.import_module(info.name)
                loaded.append(info.name)
    print(json.dumps({"loaded": loaded, "heavy": first}))
    """
)


@pytest.fixture(scope="module")
def startup(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """Return what a fresh interpreter loaded and which heavy packages it imported, and how."""
    env = {**os.environ, "XIEZUO_DATA_DIR": str(tmp_path_factory.mktemp("data"))}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    done = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(HEAVY)],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_probe_reaches_pages_commands_and_app_modules(startup: dict) -> None:
    """The probe really loads the views behind the URLs, the commands and the app modules."""
    loaded = set(startup["loaded"])
    assert "xiezuo.web.assessment.views.scorecard" in loaded
    assert "xiezuo.web.imports.views.import_page" in loaded
    assert {"command import", "command assess", "command demo", "command check"} <= loaded
    assert {"xiezuo.ingest.models", "xiezuo.assessment.admin", "xiezuo.ingest.tasks"} <= loaded


@pytest.mark.parametrize("package", HEAVY)
def test_startup_leaves_heavy_package_unloaded(startup: dict, package: str) -> None:
    """Settings, URLconf, commands and app modules load without the package."""
    chain = startup["heavy"].get(package)
    assert chain is None, f"{package} imported at startup through:\n" + "\n".join(chain)
