"""Code lists (贫困户属性, 致贫原因, 健康状况, …) kept as data in `data/codelists.toml`.

Systems differ in their lists, so the label is the stable key: the database stores labels,
and a deployment changes the lists by changing the data file.
"""

import tomllib
from functools import cache
from pathlib import Path

CODELISTS_FILE = Path(__file__).with_name("data") / "codelists.toml"


@cache
def _all() -> dict[str, dict]:
    with CODELISTS_FILE.open("rb") as f:
        return tomllib.load(f)


def names() -> list[str]:
    """Return the names of every code list."""
    return sorted(_all())


def labels(name: str) -> tuple[str, ...]:
    """Return the labels of code list `name`, in their published order."""
    return tuple(_all()[name]["labels"])


def title(name: str) -> str:
    """Return the Chinese title of code list `name`."""
    return str(_all()[name]["title"])


def is_valid(name: str, label: str) -> bool:
    return label in labels(name)
