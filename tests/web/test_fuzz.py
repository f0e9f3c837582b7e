"""Bad input everywhere: every page route, GET and POST, with random and malformed path
parameters, query strings and form bodies, as the offices that may use it — never a 500.

The routes are read from the URLconf, so a page added later is fuzzed without a change here.
"""

import re
import string

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from xiezuo.access import Role

EXAMPLES = 8  # per route and role; the suite stays quick and the seed fixed


def _routes(patterns=None, prefix=""):
    """Yield (name, route) of every page of the site outside the admin, e.g.
    ("web:household", "households/<str:household_no>/")."""
    for entry in patterns if patterns is not None else get_resolver().url_patterns:
        route = str(entry.pattern)
        if isinstance(entry, URLResolver):
            if route.startswith("admin/") or route.startswith("api/"):
                continue
            yield from _routes(entry.url_patterns, prefix + route)
        elif isinstance(entry, URLPattern) and entry.name:
            yield entry.name, (prefix + route).lstrip("^").rstrip("$")


ROUTES = sorted(set(_routes()))
PARAMETER = re.compile(r"<(?:(\w+):)?(\w+)>")

junk_text = st.one_of(
    st.text(max_size=40),
    st.text(alphabet=string.digits, min_size=1, max_size=20),
    st.sampled_from(["0", "-1", "2019", "130723", "130723100201", "99999999999999999999", ""]),
    st.sampled_from(["'; DROP TABLE x;--", "../../etc/passwd", "\x00", "%00", "٣", "１３０７２３"]),
    st.text(min_size=300, max_size=2000),
)
junk_int = st.one_of(st.integers(min_value=0, max_value=10**6), st.just(2**31), st.just(0))
form = st.dictionaries(
    st.one_of(
        st.sampled_from(
            ["year", "as_of", "region", "county", "village", "status", "ledger", "note",
             "deadline", "category", "after", "before", "page", "username", "password",
             "unit", "unit_type", "q", "dry_run", "on", "start", "end", "file", "next"]
        ),
        st.text(max_size=12),
    ),
    junk_text,
    max_size=6,
)  # fmt: skip


def _path(route: str, draw_text, draw_int) -> str:
    def fill(match):
        converter, _ = match.groups()
        return str(draw_int) if converter == "int" else (draw_text or "x").replace("/", "_")

    return "/" + PARAMETER.sub(fill, route)


def test_the_routes_are_read_from_the_urlconf():
    names = {name for name, _ in ROUTES}
    assert {"household", "import-job", "assessment-drill", "login"} <= names
    assert not any(route.startswith("admin/") for _, route in ROUTES)


@pytest.fixture
def signed_in(client, registry, make_user, request):
    role, region = request.param
    client.force_login(make_user(f"fuzz-{role}", role, region))
    return client


OFFICES = [
    (Role.PROGRAMME_OFFICE, "110000"),
    (Role.COUNTY_OFFICE, "130723"),
    (Role.HELPER_OFFICE, "110105"),
]


@pytest.mark.parametrize("signed_in", OFFICES, indirect=True, ids=lambda p: p[0])
@pytest.mark.parametrize(("name", "route"), ROUTES, ids=[n for n, _ in ROUTES])
def test_no_route_answers_500_to_junk(signed_in, name, route):
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        derandomize=True,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(text=junk_text, number=junk_int, query=form, body=form)
    def check(text, number, query, body):
        path = _path(route, text, number)
        for method in (signed_in.get, signed_in.post):
            data = query if method is signed_in.get else body
            response = method(path, data)
            assert response.status_code < 500, (method.__name__, path, data)

    check()
