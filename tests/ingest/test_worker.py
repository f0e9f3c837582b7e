"""The task worker as deployed: real `xiezuo worker` processes on a file-based SQLite database.

A worker killed in the middle of a load leaves nothing half-loaded, its job is failed by the
next worker and a retry loads it; a worker survives a database locked for longer than its
busy timeout; logins and the job page answer while two large imports load beside them.
"""

import datetime as dt
import http.cookiejar
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.ingest.conftest import HOUSEHOLD_HEADERS, household_row, write_csv
from xiezuo.core.ids import make_id

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "demo-password-1"

SETUP = textwrap.dedent(
    """
    from pathlib import Path
    from django.contrib.auth.models import User
    from tests.conftest import REGIONS, SMALL_PROGRAMME
    from xiezuo.access.models import Grant
    from xiezuo.programs.services import programme_load
    from xiezuo.regions.models import Region

    for code, name, level, parent in REGIONS:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    toml = Path(ARGS[0]) / "small.toml"
    toml.write_text(SMALL_PROGRAMME, encoding="utf-8")
    programme_load(path=toml)
    for username, county in (("kangbao", "130723"), ("huaian", "130728")):
        user = User.objects.create_user(username, password=ARGS[1])
        Grant.objects.create(user=user, role="county_office", region_code=county)
    """
)

QUEUE = textwrap.dedent(
    """
    from pathlib import Path
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from xiezuo.access.selectors import access_for
    from xiezuo.ingest.jobs import import_job_start
    from xiezuo.programs.models import Programme

    path = Path(ARGS[0])
    user = User.objects.get(username="kangbao")
    job = import_job_start(
        access=access_for(user=user, programme=Programme.objects.get(key="small")),
        user=user,
        ledger_key="households",
        upload=SimpleUploadedFile(path.name, path.read_bytes()),
    )
    print(job.pk)
    """
)

RETRY = textwrap.dedent(
    """
    from xiezuo.ingest.jobs import import_job_retry
    from xiezuo.ingest.models import ImportJob

    print(import_job_retry(job=ImportJob.objects.get(pk=int(ARGS[0]))).status)
    """
)


class Site:
    """A data directory with a migrated SQLite database, and ways to run xiezuo on it."""

    def __init__(self, data: Path) -> None:
        self.data = data
        self.database = data / "xiezuo.sqlite3"
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("XIEZUO_")},
            "XIEZUO_DATA_DIR": str(data),
            "DJANGO_SETTINGS_MODULE": "xiezuo.settings",
            "PYTHONPATH": str(ROOT),
        }
        self.processes: list[subprocess.Popen] = []

    def run(self, *args: str, timeout: float = 300, **env: str) -> subprocess.CompletedProcess:
        """Run `xiezuo *args` to its end."""
        return subprocess.run(
            [sys.executable, "-m", "xiezuo", *args],
            cwd=ROOT,
            env={**self.env, **env},
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def start(self, *args: str, **env: str) -> subprocess.Popen:
        """Start `xiezuo *args`; it is killed when the test ends."""
        log = (self.data / f"{args[0]}-{len(self.processes)}.log").open("w")
        process = subprocess.Popen(
            [sys.executable, "-m", "xiezuo", *args],
            cwd=ROOT,
            env={**self.env, **env},
            stdout=log,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.processes.append(process)
        return process

    def log(self, process: subprocess.Popen) -> str:
        index = self.processes.index(process)
        name = process.args[3]  # type: ignore[index]
        return (self.data / f"{name}-{index}.log").read_text()

    def script(self, code: str, *args: str) -> str:
        """Run Python `code` with Django set up (its arguments as ARGS); return its output."""
        program = f"import django\ndjango.setup()\nARGS = {list(args)!r}\n" + code
        done = subprocess.run(
            [sys.executable, "-c", program],
            cwd=ROOT,
            env=self.env,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert done.returncode == 0, done.stderr
        return done.stdout.strip()

    def one(self, query: str, *params: object) -> tuple:
        with sqlite3.connect(self.database, timeout=60) as db:
            return db.execute(query, params).fetchone()

    def job(self, pk: int) -> dict:
        names = ("status", "stage", "done", "total", "message", "worker", "batch_id")
        row = self.one(f"SELECT {', '.join(names)} FROM ingest_importjob WHERE id = ?", pk)
        return dict(zip(names, row, strict=True))

    def households(self) -> int:
        return self.one("SELECT count(*) FROM registry_household")[0]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.kill()
                process.wait()


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """Return a data directory migrated and set up once: regions, the programme, two offices."""
    site = Site(tmp_path_factory.mktemp("site"))
    migrate = site.run("migrate", "--verbosity", "0")
    assert migrate.returncode == 0, migrate.stderr
    site.script(SETUP, str(site.data), PASSWORD)
    with sqlite3.connect(site.database) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    return site.data


@pytest.fixture
def site(migrated, tmp_path):
    """Return a fresh copy of the set-up site; its processes are killed at the end."""
    data = tmp_path / "data"
    shutil.copytree(migrated, data)
    site = Site(data)
    yield site
    site.stop()


def households_csv(path: Path, rows: int, *, village: str = "130723100201") -> Path:
    """Write `rows` valid households of `village`."""
    number, id_number = HOUSEHOLD_HEADERS.index("户编号"), HOUSEHOLD_HEADERS.index("户主证件号码")
    table = [HOUSEHOLD_HEADERS]
    for n in range(1, rows + 1):
        row = household_row(1, village=village)
        row[number] = f"{village}{n:05d}"
        birth = dt.date(1950, 1, 1) + dt.timedelta(days=n // 1000)
        row[id_number] = make_id(village[:6], birth, n % 1000)
        table.append(row)
    return write_csv(path, table)


def wait_for(condition, *, timeout: float, every: float = 0.05, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := condition():
            return result
        time.sleep(every)
    raise AssertionError(f"timed out after {timeout} s waiting for {what}")


def writer_busy(database: Path) -> bool:
    """Return True when another connection holds the database's write lock."""
    db = sqlite3.connect(database, timeout=0, isolation_level=None)
    try:
        db.execute("BEGIN IMMEDIATE")
    except sqlite3.OperationalError as error:
        if "locked" in str(error):
            return True
        raise
    else:
        db.execute("ROLLBACK")
        return False
    finally:
        db.close()


WORKER = ("worker", "--no-reload", "--no-startup-delay", "--interval", "0.2")


def test_a_worker_killed_mid_load_leaves_nothing_and_its_job_is_failed_then_retried(site, tmp_path):
    """SIGKILL while the load transaction is open: no row, no batch; the next worker fails the
    job (its worker is gone), and a retry loads the file."""
    rows = 20_000
    job = int(site.script(QUEUE, str(households_csv(tmp_path / "big.csv", rows))))
    worker = site.start(*WORKER)

    def loading() -> bool:
        """The import's transaction is open: the write lock held across two looks."""
        state = site.job(job)
        assert state["status"] in {"queued", "running"}, (state, site.log(worker))
        if state["status"] != "running" or not writer_busy(site.database):
            return False
        time.sleep(0.3)  # longer than any bookkeeping write (claim, progress, heartbeat)
        return writer_busy(site.database)

    wait_for(loading, timeout=300, every=0.02, what="the load transaction")
    os.kill(worker.pid, signal.SIGKILL)
    worker.wait()

    state = site.job(job)
    assert state["status"] == "running"  # nobody has noticed yet
    assert state["worker"] == f"{socket.gethostname()}:{worker.pid}"
    assert site.households() == 0
    assert site.one("SELECT count(*) FROM ingest_batch") == (0,)

    recovered = site.run(*WORKER, "--batch")
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    state = site.job(job)
    assert state["status"] == "failed"
    assert "后台任务进程已退出" in state["message"]
    assert site.households() == 0

    assert site.script(RETRY, str(job)) == "queued"
    retried = site.run(*WORKER, "--batch")
    assert retried.returncode == 0, retried.stdout + retried.stderr
    state = site.job(job)
    assert (state["status"], state["done"]) == ("done", rows), state
    assert site.households() == rows


def test_a_worker_outlives_a_lock_held_longer_than_its_busy_timeout(site, tmp_path):
    """Another process holds the write lock for seconds, the worker's busy timeout is 0.5 s:
    the worker keeps trying, and runs a job queued once the lock is released."""
    worker = site.start(*WORKER, XIEZUO_DB_BUSY_SECONDS="0.5")
    wait_for(lambda: "started" in site.log(worker), timeout=120, what="the worker to start")
    holder = sqlite3.connect(site.database, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        wait_for(
            lambda: "database is locked" in site.log(worker),
            timeout=120,
            what="the worker to meet the lock",
        )
        time.sleep(3)
        assert worker.poll() is None, site.log(worker)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    job = int(site.script(QUEUE, str(households_csv(tmp_path / "small.csv", 3))))
    wait_for(lambda: site.job(job)["status"] == "done", timeout=120, what="the job to finish")
    assert worker.poll() is None, site.log(worker)
    assert site.households() == 3


class Browser:
    """A signed-in session against the live server, as a browser keeps one."""

    def __init__(self, base: str) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(self.jar), _NoRedirect()
        )

    def get(self, path: str) -> tuple[int, str]:
        return self._open(urllib.request.Request(self.base + path))

    def login(self, username: str, password: str) -> int:
        status, html = self.get("/login/")
        assert status == 200, html[:500]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
        assert token, html[:500]
        data = urllib.parse.urlencode(
            {"username": username, "password": password, "csrfmiddlewaretoken": token[1]}
        ).encode()
        status, _ = self._open(urllib.request.Request(self.base + "/login/", data=data))
        return status

    def _open(self, request: urllib.request.Request) -> tuple[int, str]:
        try:
            with self.opener.open(request, timeout=120) as response:
                return response.status, response.read().decode()
        except urllib.error.HTTPError as error:
            return error.code, error.read().decode(errors="replace")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_logins_and_the_job_page_answer_while_two_large_imports_load(site, tmp_path):
    """A web import in the worker and a command-line import load at the same time; logins
    (which write a session and the last login) and the polled job page never answer 500, and
    the worker lives on."""
    big = households_csv(tmp_path / "big.csv", 20_000)
    second = households_csv(tmp_path / "second.csv", 10_000, village="130728100201")
    port = free_port()
    server = site.start("runserver", f"127.0.0.1:{port}", "--noreload", "--skip-checks")
    base = f"http://127.0.0.1:{port}"

    def answers() -> bool:
        try:
            urllib.request.urlopen(base + "/login/", timeout=5).close()
        except OSError:
            assert server.poll() is None, site.log(server)
            return False
        return True

    wait_for(answers, timeout=120, every=0.5, what="the server")
    worker = site.start(*WORKER)
    job = int(site.script(QUEUE, str(big)))
    command = site.start("import", "households", str(second), "--programme", "small")

    statuses: dict[str, list[int]] = {"login": [], "job page": []}
    office = Browser(base)
    assert office.login("kangbao", PASSWORD) == 302
    busy: list[bool] = []
    probing = threading.Event()

    def probe() -> None:  # sample the write lock while the requests run
        while not probing.wait(0.01):
            busy.append(writer_busy(site.database))

    prober = threading.Thread(target=probe)
    prober.start()
    try:
        while site.job(job)["status"] in {"queued", "running"} or command.poll() is None:
            statuses["login"].append(Browser(base).login("huaian", PASSWORD))
            statuses["job page"].append(office.get(f"/import/jobs/{job}/")[0])
            assert worker.poll() is None, site.log(worker)
    finally:
        probing.set()
        prober.join()
    assert command.wait() == 0, site.log(command)

    assert set(statuses["login"]) == {302}, statuses
    assert set(statuses["job page"]) == {200}, statuses
    assert len(statuses["login"]) >= 2
    assert any(busy)  # the requests ran while a writer held the database
    assert site.job(job)["status"] == "done", site.job(job)
    assert site.households() == 30_000
    assert worker.poll() is None, site.log(worker)
    assert server.poll() is None, site.log(server)
