"""Precision and recall of the extraction against hand-labelled activities.

An activity found counts as correct when an expected activity of the same kind, not matched
yet, agrees with it on every key field of its kind (`KEY_FIELDS`; `places` compared as sets;
a field absent on one side must be absent on the other). Each expected activity matches at
most one found activity.
"""

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

KEY_FIELDS: dict[str, tuple[str, ...]] = {
    "visit": ("start", "end", "from", "places"),
    "meeting": ("start", "helper", "recipient"),
    "agreement": ("title", "helper", "recipient"),
    "training": ("start", "end", "helper", "recipient", "person_times"),
    "job_fair": ("start", "recipient", "poor_labourers"),
    "fund": ("amount_wan_yuan", "helper", "recipient"),
    "purchase": ("amount_wan_yuan", "helper", "recipient"),
    "donation": ("amount_wan_yuan", "recipient"),
    "investment": ("amount_wan_yuan", "recipient"),
    "secondment": ("helper", "recipient"),
}


def _value(activity: Mapping[str, Any], key: str) -> Any:
    value = activity.get(key)
    if key == "places" and value is not None:
        return frozenset(value)
    if isinstance(value, int | float) and not isinstance(value, bool):
        return round(float(value), 4)
    return value


def same(expected: Mapping[str, Any], found: Mapping[str, Any]) -> bool:
    """True when `found` is `expected`'s activity: same kind, same key fields."""
    kind = str(expected.get("kind"))
    if kind != found.get("kind"):
        return False
    return all(_value(expected, key) == _value(found, key) for key in KEY_FIELDS.get(kind, ()))


@dataclass
class Score:
    """Counts per kind: expected, found, correct."""

    expected: Counter[str] = field(default_factory=Counter)
    found: Counter[str] = field(default_factory=Counter)
    correct: Counter[str] = field(default_factory=Counter)

    def add(
        self, expected: Iterable[Mapping[str, Any]], found: Iterable[Mapping[str, Any]]
    ) -> None:
        """Score one article."""
        left = list(expected)
        for activity in left:
            self.expected[activity["kind"]] += 1
        for activity in found:
            self.found[activity["kind"]] += 1
            for index, wanted in enumerate(left):
                if same(wanted, activity):
                    self.correct[activity["kind"]] += 1
                    del left[index]
                    break

    def precision(self, kind: str | None = None) -> float | None:
        found = self.found[kind] if kind else sum(self.found.values())
        correct = self.correct[kind] if kind else sum(self.correct.values())
        return correct / found if found else None

    def recall(self, kind: str | None = None) -> float | None:
        expected = self.expected[kind] if kind else sum(self.expected.values())
        correct = self.correct[kind] if kind else sum(self.correct.values())
        return correct / expected if expected else None

    def kinds(self) -> list[str]:
        seen = set(self.expected) | set(self.found)
        return [kind for kind in KEY_FIELDS if kind in seen]
