"""Attribution of ledger records to programme pairings: pure, no database.

A pairing contains a record when its helper contains the record's helper code and its recipient
contains the record's recipient code (DOMAIN.md §5): a village belongs to its county, a Beijing
township or village to its district. A record that no pairing contains, or that two pairings
contain, is an error with a Chinese message; it is never dropped and never guessed.

`PairingIndex` does the same for whole columns: it looks each record's codes and their
containing regions up in a dict keyed by (pairing helper code, pairing recipient code) and
memoises every distinct (helper, recipient) couple, so 200,000 rows cost a few distinct lookups.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from xiezuo.core import codes
from xiezuo.core.errors import XiezuoError
from xiezuo.programs.keys import pairing_key


class AttributionError(XiezuoError, ValueError):
    """A record no pairing contains, or more than one does."""


class PairingLike(Protocol):
    """What attribution needs of a pairing (a `programs.Pairing` has it)."""

    @property
    def pk(self) -> int: ...
    @property
    def helper_id(self) -> str: ...
    @property
    def recipient_id(self) -> str: ...


def containing_regions(code: str) -> list[str]:
    """Return every region code that contains `code`, itself first, the province last."""
    level = codes.level_of(code)
    found = [code]
    if level is codes.Level.VILLAGE:
        found.append(code[:9])
    if level >= codes.Level.TOWNSHIP:
        found.append(code[:6])
    if level >= codes.Level.COUNTY:
        found.append(code[:4] + "00")
    if level >= codes.Level.CITY:
        found.append(code[:2] + "0000")
    return found


def pairing_for[P: PairingLike](
    *, pairings: Iterable[P], helper_code: str, recipient_code: str
) -> P | None:
    """Return the pairing that contains a record with these codes, None when none does.

    Raise AttributionError when a code is malformed or when more than one pairing contains
    the record (nested or duplicated pairings: a record is never counted twice).
    """
    _checked(helper_code, "帮扶方代码")
    _checked(recipient_code, "受援方代码")
    found = [
        p
        for p in pairings
        if codes.contains(p.helper_id, helper_code)
        and codes.contains(p.recipient_id, recipient_code)
    ]
    if len(found) > 1:
        raise AttributionError(
            f"帮扶方代码 {helper_code} 与受援方代码 {recipient_code} 同时属于多个结对："
            + "、".join(_name(p.helper_id, p.recipient_id) for p in found),
            helper_code=helper_code,
            recipient_code=recipient_code,
        )
    return found[0] if found else None


@dataclass(frozen=True)
class Attribution:
    """The pairing of every row: `pairing_ids[i]` is None exactly where `errors` has row i."""

    pairing_ids: list[int | None]
    errors: dict[int, str] = field(default_factory=dict)  # row index (from 0) → message

    @property
    def ok(self) -> bool:
        return not self.errors


class PairingIndex:
    """A programme's pairings, ready to attribute whole columns of codes.

    Lookups are memoised per distinct couple of codes, so an index serves one import (or one
    programme's pairings as they stand); build a new one when the pairings change.
    """

    def __init__(self, pairings: Iterable[tuple[int, str, str]]) -> None:
        """Index (pairing id, helper code, recipient code) triples."""
        self._by_codes: dict[tuple[str, str], list[int]] = {}
        self._names: dict[int, str] = {}
        for pk, helper, recipient in pairings:
            self._by_codes.setdefault((helper, recipient), []).append(pk)
            self._names[pk] = _name(helper, recipient)
        self._helpers = frozenset(h for h, _ in self._by_codes)
        self._recipients = frozenset(r for _, r in self._by_codes)
        self._found: dict[tuple[str, str], list[int]] = {}
        self._by_recipient_found: dict[tuple[str, str | None, str, str], int | str] = {}

    @classmethod
    def of(cls, pairings: Iterable[PairingLike]) -> "PairingIndex":
        """Return the index of `pairings` (model instances or anything with the same ids)."""
        return cls((p.pk, p.helper_id, p.recipient_id) for p in pairings)

    def candidates(self, helper_code: str, recipient_code: str) -> list[int]:
        """Return the ids of every pairing that contains (helper_code, recipient_code)."""
        key = (helper_code, recipient_code)
        found = self._found.get(key)
        if found is None:
            recipients = containing_regions(recipient_code)
            found = [
                pk
                for helper in containing_regions(helper_code)
                for recipient in recipients
                for pk in self._by_codes.get((helper, recipient), ())
            ]
            self._found[key] = found
        return found

    def find(
        self,
        helper_code: str | None,
        recipient_code: str | None,
        *,
        helper_label: str = "帮扶方代码",
        recipient_label: str = "受援方代码",
    ) -> int:
        """Return the id of the one pairing containing the record; AttributionError otherwise."""
        helper = _checked(helper_code, helper_label)
        recipient = _checked(recipient_code, recipient_label)
        found = self.candidates(helper, recipient)
        if len(found) == 1:
            return found[0]
        if found:
            message = (
                f"{helper_label} {helper} 与{recipient_label} {recipient} "
                f"同时属于多个结对：{self._list(found)}"
            )
        elif not self._reaches(helper, self._helpers):
            message = f"{helper_label} {helper} 不属于本项目任何结对的帮扶方"
        elif not self._reaches(recipient, self._recipients):
            message = f"{recipient_label} {recipient} 不属于本项目任何结对的受援方"
        else:
            message = (
                f"{helper_label} {helper} 与{recipient_label} {recipient} 不属于本项目同一个结对"
            )
        raise AttributionError(message, helper_code=helper, recipient_code=recipient)

    def attribute(
        self,
        helper_codes: Iterable[str | None],
        recipient_codes: Iterable[str | None],
        *,
        helper_label: str = "帮扶方代码",
        recipient_label: str = "受援方代码",
    ) -> Attribution:
        """Return the pairing of each (helper code, recipient code) row."""
        return _collect(
            lambda helper, recipient: self.find(
                helper, recipient, helper_label=helper_label, recipient_label=recipient_label
            ),
            helper_codes,
            recipient_codes,
        )

    def find_visit(
        self,
        origin_code: str | None,
        destination_code: str | None,
        *,
        origin_label: str = "出访方代码",
        destination_label: str = "到访地代码",
    ) -> int:
        """Return the pairing of a visit, whichever way it went.

        The visiting side may be the helper (北京 → 河北) or the recipient (河北 → 北京): a visit
        belongs to the pairing that contains it read one way or the other.
        """
        origin = _checked(origin_code, origin_label)
        destination = _checked(destination_code, destination_label)
        found = self.candidates(origin, destination) + self.candidates(destination, origin)
        if len(found) == 1:
            return found[0]
        if found:
            message = (
                f"{origin_label} {origin} 与{destination_label} {destination} "
                f"同时属于多个结对：{self._list(found)}"
            )
        else:
            message = (
                f"{origin_label} {origin} 与{destination_label} {destination} "
                "不是本项目同一个结对的两方（须一方属帮扶方、另一方属其结对的受援方）"
            )
        raise AttributionError(message, origin_code=origin, destination_code=destination)

    def attribute_visits(
        self,
        origin_codes: Iterable[str | None],
        destination_codes: Iterable[str | None],
        *,
        origin_label: str = "出访方代码",
        destination_label: str = "到访地代码",
    ) -> Attribution:
        """Return the pairing of each visit (see `find_visit`)."""
        return _collect(
            lambda origin, destination: self.find_visit(
                origin, destination, origin_label=origin_label, destination_label=destination_label
            ),
            origin_codes,
            destination_codes,
        )

    def find_by_recipient(
        self,
        recipient_code: str | None,
        helper_code: str | None = None,
        *,
        recipient_label: str = "户所在地",
        helper_label: str = "就业地代码",
    ) -> int:
        """Return the pairing of a record known by its recipient region (labour: the household).

        A labour record belongs to the pairing whose recipient holds the worker's household.
        When that county has several helpers, the pairing whose helper contains `helper_code`
        (for labour, the place of employment) is chosen; if none or several do, it is an error.
        """
        recipient = _checked(recipient_code, recipient_label)
        key = (recipient, helper_code or None, recipient_label, helper_label)
        found = self._by_recipient_found.get(key)
        if found is None:
            try:
                found = self._pick_by_recipient(
                    recipient, helper_code or None, recipient_label, helper_label
                )
            except AttributionError as error:
                found = error.message
            self._by_recipient_found[key] = found
        if isinstance(found, str):
            raise AttributionError(found, recipient_code=recipient, helper_code=helper_code)
        return found

    def attribute_by_recipient(
        self,
        recipient_codes: Iterable[str | None],
        helper_codes: Iterable[str | None] | None = None,
        *,
        recipient_label: str = "户所在地",
        helper_label: str = "就业地代码",
    ) -> Attribution:
        """Return the pairing of each record known by its recipient region (see
        `find_by_recipient`); `helper_codes` may be None when there is no helper-side column."""
        recipients = list(recipient_codes)
        helpers = [None] * len(recipients) if helper_codes is None else list(helper_codes)
        return _collect(
            lambda recipient, helper: self.find_by_recipient(
                recipient, helper, recipient_label=recipient_label, helper_label=helper_label
            ),
            recipients,
            helpers,
        )

    def _pick_by_recipient(
        self, recipient: str, helper_code: str | None, recipient_label: str, helper_label: str
    ) -> int:
        containers = set(containing_regions(recipient))
        found = [
            (pk, helper)
            for (helper, holder), pks in self._by_codes.items()
            if holder in containers
            for pk in pks
        ]
        if len(found) == 1:
            return found[0][0]
        if not found:
            raise AttributionError(f"{recipient_label} {recipient} 不属于本项目任何结对的受援方")
        if helper_code:
            helper = _checked(helper_code, helper_label)
            chosen = [pk for pk, h in found if codes.contains(h, helper)]
            if len(chosen) == 1:
                return chosen[0]
        pairs = self._list([pk for pk, _ in found])
        raise AttributionError(
            f"{recipient_label} {recipient} 有多个帮扶方（{pairs}），"
            f"{helper_label} {helper_code or '为空'}，不能确定归属哪一个结对"
        )

    @staticmethod
    def _reaches(code: str, sides: frozenset[str]) -> bool:
        return any(c in sides for c in containing_regions(code))

    def _list(self, pks: Sequence[int]) -> str:
        return "、".join(self._names[pk] for pk in pks)


def _collect(
    find: Callable[[str | None, str | None], int],
    firsts: Iterable[str | None],
    seconds: Iterable[str | None],
) -> Attribution:
    ids: list[int | None] = []
    errors: dict[int, str] = {}
    for row, (first, second) in enumerate(zip(firsts, seconds, strict=True)):
        try:
            ids.append(find(first, second))
        except AttributionError as error:
            ids.append(None)
            errors[row] = error.message
    return Attribution(ids, errors)


def _checked(code: str | None, label: str) -> str:
    """Return `code` when it is a well-formed region code; AttributionError otherwise."""
    if not code:
        raise AttributionError(f"{label}为空，无法确定所属结对")
    try:
        codes.level_of(code)
    except ValueError:
        raise AttributionError(f"{label} {code!r} 不是有效的区划代码") from None
    return code


def _name(helper: str, recipient: str) -> str:
    return pairing_key(helper, recipient)
