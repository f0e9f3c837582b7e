"""The production server, for real: gunicorn with deploy/gunicorn.conf.py serves the site from a
fresh installation (`xiezuo setup`), static files included, on the tier's database kind, with
the headers production needs. Not runserver, not the test client."""

import http.client
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = Path(sys.executable).with_name("gunicorn")
PASSWORD = "长城 2020 康保 帮扶 smoke"

ACCOUNT = """
import django
django.setup()
from django.contrib.auth.models import User
from xiezuo.access import Role
from xiezuo.access.services import grant_give
user = User.objects.create_user("office", password={password!r})
grant_give(user=user, role=Role.PROGRAMME_OFFICE, region_code="110000")
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("serving") / "data"


@pytest.fixture(scope="module")
def database_url(data_dir):
    """A database of its own, of the tier's kind: a SQLite file, or a new PostgreSQL database."""
    db = settings.DATABASES["default"]
    if db["ENGINE"].endswith("sqlite3"):
        yield f"sqlite:///{data_dir / 'smoke.sqlite3'}"
        return
    import psycopg

    name = f"xiezuo_smoke_{uuid.uuid4().hex[:8]}"
    params = {"host": db["HOST"], "port": db["PORT"] or 5432, "user": db["USER"]}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    user = urllib.parse.quote(db["USER"])
    password = f":{urllib.parse.quote(db['PASSWORD'])}" if db.get("PASSWORD") else ""
    yield f"postgres://{user}{password}@{db['HOST']}:{params['port']}/{name}"
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def server(data_dir, database_url):
    """Set up a fresh installation and serve it with gunicorn; yield its base URL."""
    port = _free_port()
    env = {
        **os.environ,
        "XIEZUO_DATA_DIR": str(data_dir),
        "XIEZUO_DATABASE_URL": database_url,
        "XIEZUO_BIND": f"127.0.0.1:{port}",
        "XIEZUO_WEB_WORKERS": "1",
        "DJANGO_SETTINGS_MODULE": "xiezuo.settings",
    }
    env.pop("XIEZUO_DEBUG", None)
    xiezuo = [sys.executable, "-m", "xiezuo"]
    subprocess.run([*xiezuo, "setup", "--verbosity", "0"], env=env, check=True, timeout=300)
    code = ACCOUNT.format(password=PASSWORD)
    subprocess.run([sys.executable, "-c", code], env=env, check=True, timeout=120)
    process, url = _gunicorn(env, port)
    try:
        yield url, env
    finally:
        process.terminate()
        process.wait(timeout=30)


def _gunicorn(env: dict[str, str], port: int) -> tuple[subprocess.Popen, str]:
    """Start gunicorn in a session of its own (so its whole group can be killed) and wait
    until it answers; return the process and its base URL."""
    process = subprocess.Popen(
        [str(GUNICORN), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
        env={**env, "XIEZUO_BIND": f"127.0.0.1:{port}"},
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    for _ in range(600):
        try:
            urllib.request.urlopen(url + "/login/", timeout=2)
            return process, url
        except OSError:  # refused, reset or timed out: not up yet
            if process.poll() is not None:
                pytest.fail(f"gunicorn exited:\n{process.stdout.read()}")  # type: ignore[union-attr]
            time.sleep(0.1)
    process.kill()
    pytest.fail("gunicorn did not answer within 60 s")


def _signed_in(server: str) -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    login = opener.open(server + "/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login)
    assert token
    body = urllib.parse.urlencode(
        {"username": "office", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(
        server + "/login/", data=body, headers={"Referer": server + "/login/"}
    )
    assert opener.open(request).status == 200
    return opener, cookies


def test_gunicorn_serves_pages_static_files_and_a_signed_in_session(server):
    server, _ = server
    cookies = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(cookies))
    overview = opener.open(server + "/")
    assert overview.status == 200
    assert "Content-Security-Policy" in overview.headers
    css = opener.open(server + "/static/web/xiezuo.css")
    assert css.status == 200
    assert b"--accent" in css.read()

    login = opener.open(server + "/login/").read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login)
    assert token
    body = urllib.parse.urlencode(
        {"username": "office", "password": PASSWORD, "csrfmiddlewaretoken": token.group(1)}
    ).encode()
    request = urllib.request.Request(
        server + "/login/", data=body, headers={"Referer": server + "/login/"}
    )
    signed_in = opener.open(request)
    assert signed_in.status == 200
    households = opener.open(server + "/households/")
    assert households.status == 200
    assert households.headers["Cache-Control"] == "no-store, private"
    assert "贫困户" in households.read().decode()


def test_gunicorn_answers_a_missing_page_with_404_not_a_debug_page(server):
    server, _ = server
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(server + "/no-such-page/")
    assert missing.value.code == 404
    assert "Traceback" not in missing.value.read().decode()


COUNT_JOBS = """
import django, os, pathlib
django.setup()
from django.conf import settings
from xiezuo.ingest.models import ImportJob
uploads = pathlib.Path(settings.DATA_DIR) / "uploads"
print(ImportJob.objects.count(), len(list(uploads.iterdir())) if uploads.is_dir() else 0)
"""


def _jobs_and_upload_folders(env: dict[str, str]) -> tuple[int, int]:
    result = subprocess.run(
        [sys.executable, "-c", COUNT_JOBS], env=env, capture_output=True, text=True, check=True
    )
    jobs, folders = result.stdout.split()
    return int(jobs), int(folders)


BOUNDARY = "xiezuo-boundary"


def _upload_head(token: str) -> bytes:
    """Return a multipart body up to the file's content: the CSRF token, the ledger, the
    file's part header."""
    parts = [
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="csrfmiddlewaretoken"\r\n\r\n'
        f"{token}\r\n",
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="ledger"\r\n\r\nhouseholds\r\n',
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; '
        'filename="households.csv"\r\nContent-Type: text/csv\r\n\r\n',
    ]
    return "".join(parts).encode()


def _import_token(opener: urllib.request.OpenerDirector, server: str) -> str:
    page = opener.open(server + "/import/").read().decode()
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found
    return found.group(1)


def test_a_web_server_killed_during_an_upload_leaves_no_job_and_the_next_upload_works(server):
    """kill -9 of every gunicorn process while an import file is half sent: no job, no kept
    file; the same upload to a server that runs goes through."""
    url, env = server
    other, other_url = _gunicorn(env, _free_port())
    opener, cookies = _signed_in(other_url)
    head = _upload_head(_import_token(opener, other_url))
    connection = http.client.HTTPConnection("127.0.0.1", int(other_url.rsplit(":", 1)[1]))
    connection.putrequest("POST", "/import/")
    connection.putheader("Content-Type", f"multipart/form-data; boundary={BOUNDARY}")
    connection.putheader("Content-Length", str(len(head) + 10_000_000))
    connection.putheader("Cookie", "; ".join(f"{c.name}={c.value}" for c in cookies))
    connection.putheader("Referer", other_url + "/import/")
    connection.endheaders()
    connection.send(head + b"x" * 2_000_000)  # a fifth of the announced body
    time.sleep(0.5)
    os.killpg(other.pid, signal.SIGKILL)
    other.wait(timeout=30)
    connection.close()
    assert _jobs_and_upload_folders(env) == (0, 0)

    opener, _ = _signed_in(url)
    body = (
        _upload_head(_import_token(opener, url))
        + "户编号,村代码\r\n".encode()
        + f"\r\n--{BOUNDARY}--\r\n".encode()
    )
    request = urllib.request.Request(
        url + "/import/",
        data=body,
        headers={
            "Content-Type": f"multipart/form-data; boundary={BOUNDARY}",
            "Referer": url + "/import/",
        },
    )
    answer = opener.open(request)
    assert "/import/jobs/" in answer.url
    assert _jobs_and_upload_folders(env) == (1, 1)


def test_gunicorn_serves_the_api_to_a_token(server):
    url, env = server
    created = subprocess.run(
        [sys.executable, "-m", "xiezuo", "token", "create", "office", "--read-only"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    token = created.stdout.strip().splitlines()[-1]
    schema = urllib.request.urlopen(url + "/api/openapi.json")
    assert json.loads(schema.read())["openapi"].startswith("3.1")
    request = urllib.request.Request(
        url + "/api/regions/130723", headers={"Authorization": f"Bearer {token}"}
    )
    region = json.loads(urllib.request.urlopen(request).read())
    assert region["code"] == "130723"
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(url + "/api/regions/130723")
    assert refused.value.code == 401
