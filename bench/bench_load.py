"""Load: the full demo on PostgreSQL, served by gunicorn with the task worker beside it, under
50 concurrent users (Locust) — programme office, helper district, county office, API client —
mixing page and API reads, import dry runs and an assessment run.

    XIEZUO_BENCH_PG=postgres://postgres@127.0.0.1:5432/postgres uv run python bench/bench_load.py

Goal: p95 ≤ 300 ms for pages and API reads at 50 users, with no error. Printed beside it, the
baseline: the same scenario with one user of each kind (the latency without contention), from
the same run. The scenario writes a little, as offices do: one assessment run and a few import
dry runs per run. The figures are of the steady state: they count from a few seconds after the
last user has signed in (the sign-ins, Argon2 hashes, come as one burst while users start).

The database `XIEZUO_BENCH_LOAD_DB` (default xiezuo_bench_load) on that server is built with the
full demo the first time (a few minutes) and kept for later runs. XIEZUO_BENCH_LOAD_SECONDS sets
the length of the loaded run (default 60), XIEZUO_BENCH_LOAD_USERS the users (default 50).
"""

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
GOAL_P95_MS = 300
IMPORTS = 5  # import dry runs per run, beside the one assessment run
RAMP_SECONDS = 5  # after the last user has started, before the figures count
DEMO_PASSWORD = "xiezuo-demo"
SAMPLE_FILE = ROOT / "bench" / "data" / "households-sample.csv"


def main() -> int:
    base = os.environ.get("XIEZUO_BENCH_PG", "postgres://postgres@127.0.0.1:5432/postgres")
    name = os.environ.get("XIEZUO_BENCH_LOAD_DB", "xiezuo_bench_load")
    seconds = int(os.environ.get("XIEZUO_BENCH_LOAD_SECONDS", "60"))
    users = int(os.environ.get("XIEZUO_BENCH_LOAD_USERS", "50"))
    url = _database(base, name)
    if url is None:
        print(f"load at {users} users: skipped (no PostgreSQL at {base})")
        return 0
    data_dir = Path(os.environ.get("XIEZUO_BENCH_DIR", "/tmp/bench-load")).resolve()
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {
        **os.environ,
        "XIEZUO_DATABASE_URL": url,
        "XIEZUO_DATA_DIR": str(data_dir),
        "DJANGO_SETTINGS_MODULE": "xiezuo.settings",
    }
    env.pop("XIEZUO_DEBUG", None)
    _ensure_demo(env)
    token = _token(env)
    port = _free_port()
    with _serving(env, port):
        host = f"http://127.0.0.1:{port}"
        single = _run(host, token, users=4, seconds=max(30, seconds // 2))
        loaded = _run(host, token, users=users, seconds=seconds)
    _report(single, loaded, users)
    return 0


# --- the scenario ----------------------------------------------------------------------------


def _user_classes(token: str):
    from locust import HttpUser, between, task

    writes: dict[str, int] = {}  # the writes done so far in this run

    class Office(HttpUser):
        abstract = True
        wait_time = between(0.5, 2.0)
        username = ""

        def on_start(self) -> None:
            page = self.client.get("/login/", name="login form").text
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            self.client.post(
                "/login/",
                {
                    "username": self.username,
                    "password": DEMO_PASSWORD,
                    "csrfmiddlewaretoken": csrf.group(1) if csrf else "",
                },
                headers={"Referer": self.host + "/login/"},
                name="sign in",
            )

    class ProgrammeOffice(Office):
        weight = 2
        username = "bjxzb"

        @task(3)
        def overview(self) -> None:
            self.client.get("/", name="page: overview")

        @task(3)
        def scorecard(self) -> None:
            self.client.get("/assessment/?year=2019", name="page: scorecard")

        @task(2)
        def households(self) -> None:
            self.client.get("/households/?county=130722", name="page: households")

        def on_start(self) -> None:
            super().on_start()
            # The one assessment run of the scenario, by the first programme office to start.
            if not writes.get("assessment"):
                writes["assessment"] = True
                self.run_assessment()

        def run_assessment(self) -> None:
            page = self.client.get("/assessment/?year=2020", name="page: scorecard").text
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            if csrf:
                self.client.post(
                    "/assessment/run/",
                    {"year": "2020", "csrfmiddlewaretoken": csrf.group(1)},
                    headers={"Referer": self.host + "/assessment/"},
                    name="write: run assessment",
                )

    class HelperDistrict(Office):
        weight = 2
        username = "chaoyang"

        @task(3)
        def overview(self) -> None:
            self.client.get("/", name="page: overview")

        @task(2)
        def unit(self) -> None:
            self.client.get("/assessment/helper/110105/?year=2019", name="page: unit")

        @task(2)
        def households(self) -> None:
            self.client.get("/households/", name="page: households")

    class CountyOffice(Office):
        weight = 3
        username = "kangbao"

        @task(4)
        def households(self) -> None:
            page = self.client.get("/households/", name="page: households").text
            found = re.search(r'href="/households/(\d{10,})/"', page)
            if found:
                self.client.get(f"/households/{found.group(1)}/", name="page: household")

        @task(1)
        def import_page(self) -> None:
            page = self.client.get("/import/", name="page: import").text
            csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
            # A few imports in the run (a county office sends its file now and then).
            if csrf and SAMPLE_FILE.exists() and writes.get("imports", 0) < IMPORTS:
                writes["imports"] = writes.get("imports", 0) + 1
                self.client.post(
                    "/import/",
                    {
                        "ledger": "households",
                        "dry_run": "on",
                        "csrfmiddlewaretoken": csrf.group(1),
                    },
                    files={"file": ("households.csv", SAMPLE_FILE.read_bytes(), "text/csv")},
                    headers={"Referer": self.host + "/import/"},
                    name="write: import dry run",
                )

    class ApiClient(HttpUser):
        weight = 3
        wait_time = between(0.5, 2.0)

        def on_start(self) -> None:
            self.client.headers["Authorization"] = f"Bearer {token}"

        @task(3)
        def households(self) -> None:
            self.client.get("/api/households?region=130723&limit=50", name="api: households")

        @task(2)
        def ledger(self) -> None:
            self.client.get("/api/ledgers/projects?year=2019&limit=50", name="api: ledger")

        @task(1)
        def regions(self) -> None:
            self.client.get("/api/regions?limit=50", name="api: regions")

        @task(1)
        def runs(self) -> None:
            self.client.get("/api/assessment/runs", name="api: runs")

    return [ProgrammeOffice, HelperDistrict, CountyOffice, ApiClient]


def _run(host: str, token: str, *, users: int, seconds: int):
    import gevent
    from locust.env import Environment

    classes = _user_classes(token)
    environment = Environment(user_classes=classes, host=host)
    runner = environment.create_local_runner()
    if users == len(classes):  # the baseline: one user of each kind
        for kind in classes:
            kind.fixed_count = 1
    runner.start(users, spawn_rate=max(users / 5, 1))
    # Steady state: every user has signed in (Argon2 hashing, one burst) before counting.
    while runner.user_count < users:
        gevent.sleep(0.5)
    gevent.sleep(RAMP_SECONDS)
    environment.stats.reset_all()
    gevent.spawn_later(seconds, runner.quit)
    runner.greenlet.join()
    return environment.stats


def _report(single, loaded, users: int) -> None:
    def group(stats, prefix: str):
        entries = [e for e in stats.entries.values() if e.name.startswith(prefix)]
        requests = sum(e.num_requests for e in entries)
        failures = sum(e.num_failures for e in entries)
        return entries, requests, failures

    print(f"load, full demo on PostgreSQL, gunicorn + task worker, {users} users")
    print(f"{'':32} {'req':>7} {'fail':>5} {'rps':>7} {'p50':>6} {'p95':>6} {'p99':>6}")
    for entry in sorted(loaded.entries.values(), key=lambda e: e.name):
        print(
            f"{entry.name[:32]:32} {entry.num_requests:7} {entry.num_failures:5} "
            f"{entry.total_rps:7.1f} {entry.get_response_time_percentile(0.5):6.0f} "
            f"{entry.get_response_time_percentile(0.95):6.0f} "
            f"{entry.get_response_time_percentile(0.99):6.0f}"
        )
    for error in loaded.errors.values():
        print(f"error: {error.method} {error.name}: {error.error} ×{error.occurrences}")
    total = loaded.total
    print(
        f"total: {total.num_requests} requests, {total.total_rps:.1f} requests/s, "
        f"{total.num_failures} errors"
    )
    for prefix, label in (("page:", "pages"), ("api:", "API reads")):
        entries, requests, failures = group(loaded, prefix)
        base_entries, _, _ = group(single, prefix)
        p95 = max((e.get_response_time_percentile(0.95) for e in entries), default=0)
        base = max((e.get_response_time_percentile(0.95) for e in base_entries), default=0)
        verdict = "met" if p95 <= GOAL_P95_MS and failures == 0 else "MISSED"
        print(
            f"{label}: worst p95 {p95:.0f} ms at {users} users ({requests} requests, "
            f"{failures} errors) vs {base:.0f} ms with one user of each kind (baseline); "
            f"goal ≤ {GOAL_P95_MS} ms, 0 errors — {verdict}"
        )


# --- the installation ------------------------------------------------------------------------


def _database(base: str, name: str) -> str | None:
    """Return the URL of database `name` on the server of `base` (created if missing)."""
    import psycopg

    try:
        with psycopg.connect(base, autocommit=True, connect_timeout=3) as admin:
            exists = admin.execute(
                "SELECT 1 FROM pg_database WHERE datname = %s", [name]
            ).fetchone()
            if not exists:
                admin.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        return None
    parts = urllib.parse.urlsplit(base)
    return urllib.parse.urlunsplit(parts._replace(path="/" + name))


def _ensure_demo(env: dict[str, str]) -> None:
    import psycopg

    try:
        with psycopg.connect(env["XIEZUO_DATABASE_URL"]) as db:
            count = db.execute("SELECT count(*) FROM registry_household").fetchone()[0]
    except psycopg.Error:
        count = 0
    if count < 100_000:
        print("building the full demo on PostgreSQL (once)…", flush=True)
        subprocess.run(
            [sys.executable, "-m", "xiezuo", "demo", "--no-serve"],
            env=env,
            check=True,
            stdout=subprocess.DEVNULL,
        )
    else:
        subprocess.run(
            [sys.executable, "-m", "xiezuo", "migrate", "--verbosity", "0"], env=env, check=True
        )
    # A stored run of 2019: the unit pages read it.
    subprocess.run(
        [sys.executable, "-m", "xiezuo", "assess", "--year", "2019"],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    _sample_file(env)


def _sample_file(env: dict[str, str]) -> None:
    """Write a small households file for the dry runs: 20 rows of 康保 as exported."""
    SAMPLE_FILE.parent.mkdir(exist_ok=True)
    if SAMPLE_FILE.exists():
        return
    out = SAMPLE_FILE.with_suffix(".full.csv")
    subprocess.run(
        [sys.executable, "-m", "xiezuo", "export", "households", "--region", "130723100201",
         "-o", str(out)],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    lines = out.read_text(encoding="utf-8-sig").splitlines()
    SAMPLE_FILE.write_text("\n".join(lines[:23]) + "\n", encoding="utf-8")
    out.unlink()


def _token(env: dict[str, str]) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "xiezuo", "token", "create", "bjxzb", "--read-only",
         "--expires", "1"],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )  # fmt: skip
    found = re.search(r"\b([A-Za-z0-9_\-.]{30,})\b", result.stdout)
    if not found:
        raise SystemExit(f"no token in: {result.stdout!r}")
    return found.group(1)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class _serving:
    """gunicorn (deploy/gunicorn.conf.py) and the task worker, for the length of a block."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env = {**env, "XIEZUO_BIND": f"127.0.0.1:{port}", "XIEZUO_WEB_THREADS": "8"}
        self.port = port
        self.processes: list[subprocess.Popen] = []

    def __enter__(self) -> "_serving":
        gunicorn = Path(sys.executable).with_name("gunicorn")
        log = open(Path(self.env["XIEZUO_DATA_DIR"]) / "bench-load-server.log", "w")
        self.processes = [
            subprocess.Popen(
                [str(gunicorn), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
                env=self.env,
                cwd=ROOT,
                stdout=log,
                stderr=subprocess.STDOUT,
            ),
            subprocess.Popen(
                [sys.executable, "-m", "xiezuo", "worker", "--no-reload"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            ),
        ]
        for _ in range(600):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{self.port}/login/", timeout=2)
                return self
            except OSError:
                time.sleep(0.1)
        raise SystemExit("gunicorn did not answer")

    def __exit__(self, *exc: object) -> None:
        for process in self.processes:
            process.send_signal(signal.SIGTERM)
        for process in self.processes:
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
