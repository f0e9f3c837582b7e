"""Test-wide setup: the database tier and shared fixtures."""

import os

import pytest
from django.conf import settings


def pytest_configure(config: pytest.Config) -> None:
    """Make sure the PostgreSQL tier really runs on PostgreSQL, or say why it does not."""
    # Connections of live-server threads must close with their requests, or the test
    # database cannot be dropped at the end of the run.
    settings.DATABASES["default"]["CONN_MAX_AGE"] = 0
    # A tier split into groups (pytest-split's --group, see the Makefile) runs its groups side
    # by side on one server: each group gets a test database of its own.
    group = config.getoption("group", default=None)
    if group and settings.DATABASES["default"]["ENGINE"].endswith("postgresql"):
        name = settings.DATABASES["default"]["NAME"]
        settings.DATABASES["default"].setdefault("TEST", {})["NAME"] = f"test_{name}_{group}"
    required = os.environ.get("XIEZUO_REQUIRE_DB")
    if not required:
        return
    vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    if required not in vendor:
        pytest.exit(f"XIEZUO_REQUIRE_DB={required} but the database engine is {vendor}", 3)
    if required == "postgresql" and not _postgres_answers():
        message = "PostgreSQL tier: no server answers at XIEZUO_DATABASE_URL"
        if os.environ.get("CI") == "true":
            pytest.exit(message + " (CI=true: this is a failure)", 3)
        pytest.exit(message + " — tier skipped", 0)


def _postgres_answers() -> bool:
    import psycopg

    db = settings.DATABASES["default"]
    try:
        psycopg.connect(
            host=db["HOST"] or None,
            port=db["PORT"] or None,
            user=db["USER"] or None,
            password=db["PASSWORD"] or None,
            dbname=db["NAME"],
            connect_timeout=3,
        ).close()
    except psycopg.OperationalError:
        return False
    return True


# --- a small programme built through the real services -------------------------------------

SMALL_PROGRAMME = """
key = "small"
name = "小型测试项目"
start_year = 2018
end_year = 2020
helper_province = "110000"
recipient_province = "130000"
fund_envelope = "1000.00"
start_date = "2018-04-14"
end_date = "2020-12-31"

[[poverty_lines]]
year = 2020
yuan = "4000"

[[pairings]]
helper = "110105"
recipient = "130723"
source = "test"

[[pairings]]
helper = "110116"
recipient = "130728"
source = "test"

[[pairings]]
helper = "110116"
recipient = "130826"
provenance = "illustrative"
"""

REGIONS = [
    # code, name, level, parent
    ("110000", "北京市", 1, None),
    ("110100", "市辖区", 2, "110000"),
    ("110105", "朝阳区", 3, "110100"),
    ("110116", "怀柔区", 3, "110100"),
    ("130000", "河北省", 1, None),
    ("130700", "张家口市", 2, "130000"),
    ("130800", "承德市", 2, "130000"),
    ("130723", "康保县", 3, "130700"),
    ("130723100", "康保镇", 4, "130723"),
    ("130723100201", "一村", 5, "130723100"),
    ("130723100202", "二村", 5, "130723100"),
    ("130728", "怀安县", 3, "130700"),
    ("130728100", "柴沟堡镇", 4, "130728"),
    ("130728100201", "三村", 5, "130728100"),
    ("130826", "丰宁满族自治县", 3, "130800"),
    ("130826100", "大阁镇", 4, "130826"),
    ("130826100201", "四村", 5, "130826100"),
]


@pytest.fixture
def small_programme(db, tmp_path):
    """Return a programme of three pairings over hand-made regions (朝阳→康保, 怀柔→怀安, 丰宁)."""
    from xiezuo.programs.services import programme_load
    from xiezuo.regions.models import Region

    for code, name, level, parent in REGIONS:
        Region.objects.create(code=code, name=name, level=level, parent_id=parent)
    path = tmp_path / "small.toml"
    path.write_text(SMALL_PROGRAMME, encoding="utf-8")
    return programme_load(path=path)


@pytest.fixture
def make_household(db):
    """Return a function that registers a household with `people` members."""
    import datetime as dt
    import itertools

    from xiezuo.core.ids import make_id
    from xiezuo.registry.models import Household, Member

    counter = itertools.count(1)

    def make(
        village: str,
        *,
        people: int = 3,
        identified_year: int | None = 2015,
        exit_year: int | None = None,
        fallback_year: int | None = None,
        health: str = "长期慢性病",
        born: int = 1960,
        **fields: object,
    ) -> Household:
        """`fields` override the household's other fields (household_no, main_cause, …);
        members are born on 1 January of `born`, `born` + 1, …, in `health`."""
        n = next(counter)
        household = Household.objects.create(
            **{
                "household_no": f"{village}{n:05d}",
                "village_id": village,
                "county_id": village[:6],
                "householder_name": f"户主{n}",
                "householder_id_number": make_id(village[:6], dt.date(1960, 1, 1), n * 10),
                "size": people,
                "attribute": "一般贫困户",
                "standard": "国家标准",
                "main_cause": "因病",
                "identified_year": identified_year,
                "status": "未脱贫" if exit_year is None else "已脱贫(享受政策)",
                "exit_year": exit_year,
                "fallback_year": fallback_year,
                **fields,
            }
        )
        for i in range(people):
            Member.objects.create(
                household=household,
                name=f"成员{n}-{i}",
                id_number=make_id(village[:6], dt.date(born + i, 1, 1), n * 10 + i),
                sex="男",
                birth_date=dt.date(born + i, 1, 1),
                relation="本人" if i == 0 else "之子",
                health=health,
                labour_skill="普通劳动力",
            )
        return household

    return make


@pytest.fixture
def access_as(db):
    """Return a function giving the access of a new user holding the grants asked for.

    `access_as(programme, (role, region), …)`; with no grant, a signed-in user holding none.
    """
    import itertools

    from django.contrib.auth.models import User

    from xiezuo.access.selectors import access_for
    from xiezuo.access.services import grant_give

    counter = itertools.count(1)

    def make(programme, *grants):
        user = User.objects.create_user(f"access-user-{next(counter)}")
        for role, region in grants:
            grant_give(user=user, role=role, region_code=region)
        return access_for(user=user, programme=programme)

    return make


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """End the test database's stray sessions before it is dropped.

    The live server answers each browser request in a daemon thread; a request still in
    flight when the browser closes is abandoned with its database connection open, and
    PostgreSQL then refuses to drop the test database.
    """
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    connection.close()
