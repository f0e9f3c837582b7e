"""A cross-check flag: one registered person caught by one rule against one outside list.

The linkage (`linkage.py`, `checks.py`) produces these; the review queue stores and decides
them; `xiezuo crosscheck --format json` prints `Flag.as_json()` per flag.
"""

from dataclasses import dataclass, field
from typing import Any, Literal

Match = Literal["exact", "fuzzy"]


@dataclass(frozen=True)
class Flag:
    household: str  # 户编号
    person: str  # the member's 证件号码 as registered
    rule: str  # payroll | village_cadre | vehicle | property | business | deceased | duplicate
    source: str  # the outside list's ledger key (deaths, vehicles…), or "registry" for duplicate
    match: Match
    score: float  # 1.0 for an exact match; the linkage score for a fuzzy one
    evidence: dict[str, Any] = field(default_factory=dict)  # the list row's fields, and why
    year: int = 0
    member_id: int | None = None
    household_id: int | None = None
    record_id: int | None = None  # the outside list row (or the other member, for duplicate)
    severity: str = ""

    def as_json(self) -> dict[str, Any]:
        """The contract's keys (see docs/crosscheck.md)."""
        return {
            "household": self.household,
            "person": self.person,
            "rule": self.rule,
            "source": self.source,
            "match": self.match,
            "evidence": self.evidence,
            "score": self.score,
        }
