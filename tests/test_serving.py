"""The production server, for real: gunicorn with deploy/gunicorn.conf.py serves the site from a
fresh installation (`xiezuo setup`), static files included, on the tier's database kind, with
the headers production needs. Not runserver, not the test client."""

import http.cookiejar
import os
import re
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
    process = subprocess.Popen(
        [str(GUNICORN), "-c", str(ROOT / "deploy" / "gunicorn.conf.py")],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(url + "/login/", timeout=2)
                break
            except (urllib.error.URLError, ConnectionError):
                if process.poll() is not None:
                    pytest.fail(f"gunicorn exited:\n{process.stdout.read()}")  # type: ignore[union-attr]
                time.sleep(0.1)
        else:
            pytest.fail("gunicorn did not answer within 30 s")
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_gunicorn_serves_pages_static_files_and_a_signed_in_session(server):
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
    with pytest.raises(urllib.error.HTTPError) as missing:
        urllib.request.urlopen(server + "/no-such-page/")
    assert missing.value.code == 404
    assert "Traceback" not in missing.value.read().decode()
