"""What the precision and monitoring reads return: frozen dataclasses the pages, the commands
and the tests share (docs/precision.md). Incidence and the rates are percents rounded to two
places; dates are dates of the programme."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

# The monitoring categories, in the order a case lists them.
UNSTABLE = "脱贫不稳定户"
MARGINAL = "边缘易致贫户"
SUDDEN = "突发严重困难户"
CATEGORIES = (UNSTABLE, MARGINAL, SUDDEN)

# Case statuses.
PENDING = "待确认"
HELPING = "帮扶中"
ELIMINATED = "风险已消除"
STATUSES = (PENDING, HELPING, ELIMINATED)

# Overdue keys of an open case.
OVERDUE_CONFIRM = "confirm"
OVERDUE_NOTICE = "notice"
OVERDUE_MEASURE = "measure"


@dataclass(frozen=True)
class Gap:
    """A household whose main cause has no matching measure active in the year."""

    household: str  # 户编号
    village: str  # village code
    cause: str  # main cause
    expected: tuple[str, ...]  # measure categories that would answer it (rules)
    other_causes: tuple[str, ...]  # listed, not counted


@dataclass(frozen=True)
class VillageExit:
    """A village's exit test of the year."""

    village: str
    name: str
    county: str
    township: str  # 9-digit code
    population: int | None  # rural registered population (population ledger, village level)
    poor_people: int  # members of registered households poor at the end of the year
    incidence: float | None  # percent; None without a population row
    passes: bool


@dataclass(frozen=True)
class CountyExit:
    """A recipient county's exit test (摘帽) of the year, with the what-if."""

    county: str
    name: str
    population: int | None
    poor_people: int
    incidence: float | None
    missed_rate: float | None
    wrong_exit_rate: float | None
    approval: float | None
    passes: bool
    failing: tuple[str, ...]  # which tests fail, Chinese labels
    people_to_exit: int  # fewest people who must still exit (0 when incidence passes)
    # (village code, poor people) that hold them, largest first, just enough to reach the number
    villages_to_exit: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class PrecisionReport:
    """Gaps, household exits, village and county exits of a year, in the caller's scope."""

    year: int
    gaps: list[Gap]
    wrong_exits: list[str]  # 户编号, sorted
    ready_to_exit: list[str]  # 户编号, sorted
    villages: list[VillageExit]
    counties: list[CountyExit]

    def as_json(self) -> dict[str, Any]:
        """Return the report with exactly the keys of `xiezuo precision --format json`."""
        return {
            "year": self.year,
            "gaps": [
                {"household": g.household, "cause": g.cause, "expected": list(g.expected)}
                for g in self.gaps
            ],
            "wrong_exits": list(self.wrong_exits),
            "ready_to_exit": list(self.ready_to_exit),
            "villages": [
                {"village": v.village, "incidence": v.incidence, "passes": v.passes}
                for v in self.villages
            ],
            "counties": [
                {
                    "county": c.county,
                    "incidence": c.incidence,
                    "missed_rate": c.missed_rate,
                    "wrong_exit_rate": c.wrong_exit_rate,
                    "approval": c.approval,
                    "passes": c.passes,
                    "people_to_exit": c.people_to_exit,
                }
                for c in self.counties
            ],
        }


@dataclass(frozen=True)
class Case:
    """A monitoring case: a household watched in a year, its reasons and its deadlines."""

    household: str
    village: str
    registered: bool
    categories: tuple[str, ...]  # 脱贫不稳定户 / 边缘易致贫户 / 突发严重困难户, in that order
    reasons: tuple[str, ...]  # one Chinese sentence per reason, with the figures
    first_clue: date | None
    confirm_by: date | None  # first clue + 15 days
    confirmed_on: date | None
    notice_from: date | None
    notice_to: date | None
    first_measure: date | None  # first measure starting on/after confirmation
    measure_by: date | None  # confirmation + 30 days
    eliminated_on: date | None
    status: str  # "待确认" | "帮扶中" | "风险已消除"
    overdue: tuple[str, ...]  # "confirm", "notice", "measure"

    def as_json(self) -> dict[str, Any]:
        """Return the case with exactly the keys of `xiezuo monitor --format json`."""
        return {
            "household": self.household,
            "categories": list(self.categories),
            "reasons": list(self.reasons),
            "first_clue": self.first_clue.isoformat() if self.first_clue else None,
            "confirm_by": self.confirm_by.isoformat() if self.confirm_by else None,
            "status": self.status,
            "overdue": list(self.overdue),
        }


@dataclass(frozen=True)
class MonitoringReport:
    """The monitoring cases of a year as of a day, in the caller's scope."""

    year: int
    as_of: date
    threshold: Decimal
    cases: list[Case]

    def as_json(self) -> dict[str, Any]:
        """Return the report with exactly the keys of `xiezuo monitor --format json`."""
        return {
            "year": self.year,
            "threshold": float(self.threshold),
            "cases": [case.as_json() for case in self.cases],
        }
