"""What the generator passes between its steps: the geography and column arrays."""

from dataclasses import dataclass, field
from typing import Any

import numpy as np

# Member roles inside a household (not stored: they become relation labels).
SELF, SPOUSE, CHILD, IN_LAW, GRANDCHILD, PARENT = range(6)
RELATIVE_ROLES = {"child": CHILD, "in_law": IN_LAW, "grandchild": GRANDCHILD, "parent": PARENT}
# Household types by the householder's age.
ELDER, MIDDLE, YOUNG = range(3)
TYPE_NAMES = ("elder", "middle", "young")
# Base attributes; the stored label adds 贫困户 or 脱贫户.
BASE_ATTRIBUTES = ("一般", "低保", "特困供养")
GENERAL, DIBAO, TEKUN = range(3)
# Sequence numbers of one (county, birth date, sex) stay distinct while a group holds fewer.
MAX_PER_BIRTH_GROUP = 500


@dataclass(frozen=True)
class Geography:
    """The recipient counties of a programme and their villages, in code order."""

    counties: list[str]
    county_names: list[str]
    county_helpers: list[str]  # the helper district(s) of each county, for cadre units
    county_exit_years: np.ndarray  # int; 0 where the county's exit year is unknown
    county_deep: np.ndarray  # bool
    villages: np.ndarray  # object: 12-digit codes, sorted
    village_county: np.ndarray  # int: index into `counties`
    village_townships: np.ndarray  # object: the township's name


@dataclass
class Households:
    """One array per household attribute; `columns` holds what goes into the table."""

    count: int
    village: np.ndarray  # index into Geography.villages
    county: np.ndarray  # index into Geography.counties
    size: np.ndarray
    head_age: np.ndarray
    head_male: np.ndarray
    kind: np.ndarray  # ELDER / MIDDLE / YOUNG
    has_spouse: np.ndarray
    main_cause: np.ndarray  # index into the poverty_cause code list
    cause_mask: np.ndarray  # bit i: cause i of the poverty_cause code list
    base_attribute: np.ndarray
    identified_year: np.ndarray
    exit_year: np.ndarray  # 0: not exited
    fallback_year: np.ndarray  # 0: no fall-back
    columns: dict[str, list[Any]] = field(default_factory=dict)

    @property
    def poor_at_end(self) -> np.ndarray:
        """Return, per household, whether it is poor at the end of the last exit year."""
        return (self.exit_year == 0) | (self.fallback_year > 0)


@dataclass
class Members:
    """Member columns, with the household each member belongs to."""

    count: int
    household: np.ndarray  # index into Households
    age: np.ndarray
    male: np.ndarray
    elderly: np.ndarray
    months_worked: np.ndarray
    columns: dict[str, list[Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Place:
    """A region a ledger row may name: its code and its name."""

    code: str
    name: str


@dataclass(frozen=True)
class Pairings:
    """The programme's pairings whose recipient is a county of `Geography`, in pairing order.

    Lists are indexed by pairing. Helper-side places (townships, villages) are keyed by the
    helper's code, since a helper with two counties sends from the same places to both.
    """

    ids: list[int]  # Pairing primary keys
    helpers: list[Place]  # the helper districts
    recipients: list[Place]  # the recipient counties
    county: np.ndarray  # int: index of the recipient into Geography.counties
    deep: np.ndarray  # bool: the recipient is a deep-poverty county
    start_dates: list[Any]  # datetime.date: the pairing's first day
    end_dates: list[Any]  # datetime.date: its last day (the programme's when open)
    years: list[int]  # the programme years
    recipient_townships: list[list[Place]]
    village_names: np.ndarray  # object: short names, aligned with Geography.villages
    helper_townships: dict[str, list[Place]]
    helper_villages: dict[str, list[Place]]  # rural villages (村民委员会) only
    helper_province: Place  # the helper province
    helper_districts: list[Place]  # every county-level district of the helper province
    recipient_province: Place
    own_province: list[str]  # county codes of the recipient province where people work away

    @property
    def count(self) -> int:
        return len(self.ids)
