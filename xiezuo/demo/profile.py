"""The demo generator's data: distributions (`data/profile.toml` for the registry,
`data/ledgers.toml` for the ledgers, `data/precision.toml` for precision work and monitoring),
names and demo accounts.

Every label in the distributions must be a label of its code list
(`xiezuo/core/data/codelists.toml`); `load_profile` and `load_ledger_profile` check them all, so
a changed code list fails loudly instead of producing rows no page can read.
"""

import csv
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from xiezuo.core import codelists
from xiezuo.core.errors import XiezuoError

DATA_DIR = Path(__file__).with_name("data")

# (path in profile.toml, code list) of every weight table keyed by labels.
LABELLED_TABLES: tuple[tuple[str, str], ...] = (
    ("ethnicity.default", "ethnicity"),
    ("education.upper_secondary", "schooling"),
    ("education.tertiary", "schooling"),
    ("education.young", "education"),
    ("education.adult", "education"),
    ("education.middle_aged", "education"),
    ("education.elderly", "education"),
    ("health.child", "health"),
    ("health.adult", "health"),
    ("health.elderly", "health"),
    ("labour.healthy", "labour_skill"),
    ("labour.chronic", "labour_skill"),
    ("labour.severe", "labour_skill"),
    ("labour.elderly", "labour_skill"),
    ("work.share_working", "labour_skill"),
    ("work.able", "work_location"),
    ("work.weak", "work_location"),
    ("causes.elder", "poverty_cause"),
    ("causes.middle", "poverty_cause"),
    ("causes.young", "poverty_cause"),
    ("standard.weights", "identification_standard"),
    ("housing.dangerous_house_poor", "dangerous_house"),
)
# (path, code list) of plain label lists.
LABEL_LISTS: tuple[tuple[str, str], ...] = (
    ("attribute.vulnerable_causes", "poverty_cause"),
    ("housing.relocated_causes", "poverty_cause"),
)

# The same for data/ledgers.toml.
LEDGER_LABELLED_TABLES: tuple[tuple[str, str], ...] = (
    ("secondments.categories", "secondment_category"),
    ("secondments.days", "secondment_category"),
    ("trainings.person_times", "training_audience"),
    ("trainings.per_pairing_year", "training_audience"),
    ("trainings.days", "training_audience"),
    ("trainings.names", "training_audience"),
    ("projects.categories", "project_category"),
    ("projects.disbursed", "project_status"),
    ("donations.categories", "donation_category"),
    ("labour.recorded", "work_location"),
    ("labour.organised", "work_location"),
)
LEDGER_LABEL_LISTS: tuple[tuple[str, str], ...] = (("labour.skills", "labour_skill"),)

# The same for data/precision.toml.
PRECISION_LABELLED_TABLES: tuple[tuple[str, str], ...] = (
    ("measures.categories", "measure_category"),
    ("measures.other_cause", "measure_category"),
    ("clues.sources", "clue_source"),
    ("clues.categories", "risk_category"),
    ("clues.notes", "risk_category"),
    ("clues.case_measures", "risk_category"),
)


class ProfileError(XiezuoError):
    """The demo profile names a label its code list does not hold."""


@dataclass(frozen=True)
class Names:
    """Surnames with their weights and given-name characters by sex and birth cohort."""

    surnames: np.ndarray  # object array of str
    surname_weights: np.ndarray
    male_before_1980: str
    male_from_1980: str
    female_before_1980: str
    female_from_1980: str


@cache
def load_profile() -> dict[str, Any]:
    """Return the generator's distributions, every label checked against its code list."""
    with (DATA_DIR / "profile.toml").open("rb") as f:
        profile = tomllib.load(f)
    for path, listname in LABELLED_TABLES:
        _check(path, list(_at(profile, path)), listname)
    for prefix_, table in profile["ethnicity"]["by_region"].items():
        _check(f"ethnicity.by_region.{prefix_}", list(table), "ethnicity")
    for path, listname in LABEL_LISTS:
        _check(path, _at(profile, path), listname)
    return profile


@cache
def load_ledger_profile() -> dict[str, Any]:
    """Return the ledgers' distributions, every label checked against its code list."""
    with (DATA_DIR / "ledgers.toml").open("rb") as f:
        profile = tomllib.load(f)
    for path, listname in LEDGER_LABELLED_TABLES:
        _check(path, list(_at(profile, path)), listname)
    for path, listname in LEDGER_LABEL_LISTS:
        _check(path, _at(profile, path), listname)
    for i, weights in enumerate(profile["projects"]["status"]):
        _check(f"projects.status[{i}]", list(weights), "project_status")
    for i, event in enumerate(profile["visits"]["events"]):
        _check(f"visits.events[{i}].leader_category", [event["leader_category"]], "leader_category")
    return profile


@cache
def load_precision_profile() -> dict[str, Any]:
    """Return the distributions of precision work and monitoring, labels checked."""
    with (DATA_DIR / "precision.toml").open("rb") as f:
        profile = tomllib.load(f)
    for path, listname in PRECISION_LABELLED_TABLES:
        _check(path, list(_at(profile, path)), listname)
    _check(
        "clues.case_measures", list(profile["clues"]["case_measures"].values()), "measure_category"
    )
    _check("cases.income_measure", [profile["cases"]["income_measure"]], "measure_category")
    return profile


@cache
def load_names() -> Names:
    """Return the name data of `data/surnames.csv` and `data/given_names.toml`."""
    with (DATA_DIR / "surnames.csv").open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    with (DATA_DIR / "given_names.toml").open("rb") as f:
        given = tomllib.load(f)
    return Names(
        surnames=np.array([row["surname"] for row in rows], dtype=object),
        surname_weights=np.array([float(row["weight"]) for row in rows]),
        male_before_1980=given["male_before_1980"],
        male_from_1980=given["male_from_1980"],
        female_before_1980=given["female_before_1980"],
        female_from_1980=given["female_from_1980"],
    )


@cache
def load_accounts() -> dict[str, Any]:
    """Return the demo accounts of `data/accounts.toml` (password and one entry per role)."""
    with (DATA_DIR / "accounts.toml").open("rb") as f:
        return tomllib.load(f)


def label(listname: str, text: str) -> str:
    """Return `text`, a label the generator writes, after checking its code list holds it."""
    if not codelists.is_valid(listname, text):
        raise ProfileError(f"代码表「{codelists.title(listname)}」中没有「{text}」", label=text)
    return text


def _at(profile: dict[str, Any], path: str) -> Any:
    node: Any = profile
    for key in path.split("."):
        node = node[key]
    return node


def _check(path: str, found: list[str], listname: str) -> None:
    unknown = [text for text in found if not codelists.is_valid(listname, text)]
    if unknown:
        raise ProfileError(
            f"演示数据配置 {path} 中的「{'、'.join(unknown)}」不在代码表"
            f"「{codelists.title(listname)}」中",
            path=path,
            labels=unknown,
        )
