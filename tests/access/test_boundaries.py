"""Nothing outside the access app decides a role or builds an access by hand."""

import re
from pathlib import Path

import pytest

SOURCE = Path(__file__).resolve().parents[2] / "xiezuo"
# What only the access app may write: the grant query, the superuser branch, a role compared,
# an Access (or the retired Scope) built field by field.
FORBIDDEN = {
    "a grant query": re.compile(r"\bGrant\.objects\b"),
    "a superuser branch": re.compile(r"\bis_superuser\b"),
    "a role compared": re.compile(
        r"\bRole\.[A-Z_]+\b|\.role\s*(==|!=|in\b)"
        r"|\b(IMPORTER|VIEWER|RUNNER|RECTIFIER|PERSONAL_DATA|PROGRAMME_WIDE)_ROLES\b"
    ),
    "an access built by hand": re.compile(r"\bAccess\((?!\))|\bScope\(|\bscope_for\b"),
    "the retired scope module": re.compile(
        r"xiezuo\.core\.scope\b|xiezuo\.core\.models import Grant\b"
    ),
}


def _sources():
    for path in sorted(SOURCE.rglob("*")):
        if path.suffix not in {".py", ".html"} or "migrations" in path.parts:
            continue
        if path.is_relative_to(SOURCE / "access"):
            continue
        yield path


@pytest.mark.parametrize("what", list(FORBIDDEN))
def test_only_the_access_app_decides(what):
    pattern = FORBIDDEN[what]
    found = [
        f"{path.relative_to(SOURCE)}:{number}: {line.strip()}"
        for path in _sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if pattern.search(line)
    ]
    assert not found, f"{what} outside xiezuo/access/:\n" + "\n".join(found)
