"""Code lists (贫困户属性, 致贫原因, 健康状况, …) kept as data in `data/codelists.toml`.

Systems differ in their lists, so the label is the stable key: the database stores labels,
and a deployment changes the lists by changing the data file.

Offices also write short and old forms of a label (国家 for 国家标准, 低保户 for 低保贫困户,
full-width brackets, stray spaces). Each list may carry `aliases` beside its labels; `canonical`
maps any such form to the label. Forms are compared in a normal form (`normal_form`):
full-width ASCII made half-width, all white space removed, Latin letters upper-cased.
"""

import tomllib
from functools import cache
from pathlib import Path

CODELISTS_FILE = Path(__file__).with_name("data") / "codelists.toml"

# Full-width ASCII (U+FF01–U+FF5E) and the ideographic space, as input methods type them.
_HALF_WIDTH = str.maketrans(
    {chr(c): chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)} | {"\u3000": " "}
)
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))


class CodelistError(ValueError):
    """The code-list data file is inconsistent (a developer's error, caught by the tests)."""


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


def aliases(name: str) -> dict[str, str]:
    """Return {alias: label} of code list `name`, as the data file writes them."""
    return dict(_all()[name].get("aliases", {}))


def normal_form(text: str) -> str:
    """Return `text` as code-list forms are compared: half-width, no spaces, upper case."""
    return "".join(text.translate(_INVISIBLE).translate(_HALF_WIDTH).split()).upper()


@cache
def lookup(name: str) -> dict[str, str]:
    """Return {normal form: label} for every label and alias of code list `name`.

    Raise CodelistError when an alias names no label of the list, or when two labels or
    aliases share a normal form but not a label.
    """
    known = labels(name)
    found: dict[str, str] = {}
    forms = [(label, label) for label in known] + list(aliases(name).items())
    for form, label in forms:
        if label not in known:
            raise CodelistError(f"{name}: alias {form!r} names {label!r}, not a label")
        key = normal_form(form)
        if found.setdefault(key, label) != label:
            raise CodelistError(f"{name}: {form!r} is ambiguous ({found[key]!r} or {label!r})")
    return found


def canonical(name: str, text: str | None) -> str | None:
    """Return the label that `text` stands for in code list `name`, None when none does."""
    if text is None:
        return None
    return lookup(name).get(normal_form(text))
