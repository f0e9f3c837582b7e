"""`Access`: what one caller may see and do in one programme, answered from their grants.

The grants are kept as they are, never flattened into a set of regions: every question is
answered grant by grant and the answers joined, so adding a grant can only add to what a
caller may see or do.
"""

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import TYPE_CHECKING, Any

from xiezuo.access.masking import masked
from xiezuo.access.rules import (
    PAIRED_ROLES,
    PERSONAL_FIELDS,
    PROGRAMME_WIDE_ROLES,
    REFUSALS,
    REGISTRY_APPS,
    VERB_ROLES,
    Personal,
    Role,
    Verb,
)
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError
from xiezuo.programs.keys import pairing_key

if TYPE_CHECKING:
    from xiezuo.programs.models import Programme

type UnitKey = tuple[str, str]  # (unit type, unit) of the assessment
type PairingSides = tuple[int, str, str]  # (pk, helper, recipient)


@dataclass(frozen=True)
class Regions:
    """Regions a caller may write rows into (what an import checks each row against)."""

    region_codes: frozenset[str] = frozenset()
    everything: bool = False

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(sorted(codes.prefix(c) for c in self.region_codes))

    def covers(self, code: str) -> bool:
        return self.everything or any(codes.contains(r, code) for r in self.region_codes)


@dataclass(frozen=True, eq=False)
class Access:
    """What a caller may do in a programme: made by `access_for`, `public` or `operator` only.

    `grants` are (role, region code) as the caller holds them; `pairings` the programme's
    (pk, helper, recipient). A superuser and the operator at the machine hold everything.
    """

    programme: "Programme | None" = None
    grants: frozenset[tuple[str, str]] = frozenset()
    pairings: tuple[PairingSides, ...] = ()
    authenticated: bool = False
    superuser: bool = False
    server: bool = False
    user_id: int | None = None

    @classmethod
    def public(cls, programme: "Programme | None" = None) -> "Access":
        """Return the access of an anonymous reader: published aggregates only."""
        return cls(programme=programme)

    @classmethod
    def operator(cls, programme: "Programme") -> "Access":
        """Return the access of the operator at the machine (a command run on the server):
        the whole programme, personal data shown."""
        return cls(
            programme=programme,
            pairings=tuple(programme.pairings.values_list("pk", "helper_id", "recipient_id")),
            authenticated=True,
            server=True,
        )

    @classmethod
    def reader(cls, programme: "Programme") -> "Access":
        """Return the access of content published to every reader of the programme (a signed
        report): everything the assessment group reads, personal data masked."""
        return cls(
            programme=programme,
            grants=frozenset({(str(Role.ASSESSOR), programme.helper_province_id)}),
            pairings=tuple(
                programme.pairings.order_by("pk").values_list("pk", "helper_id", "recipient_id")
            ),
            authenticated=True,
        )

    def programme_wide(self, verb: Verb) -> bool:
        """Return True when the caller may `verb` over the whole programme (both sides)."""
        return bool(self._provinces) and all(self.may_in(verb, p) for p in self._provinces)

    # --- who ----------------------------------------------------------------------------------

    @cached_property
    def fingerprint(self) -> str:
        """Return a short key of everything that decides what this access may see: two
        accesses with the same fingerprint see the same; caches of what a page shows key on it."""
        programme = self.programme.pk if self.programme is not None else None
        facts = (programme, sorted(self.grants), self.authenticated, self.superuser, self.server)
        return hashlib.sha256(repr(facts).encode()).hexdigest()[:16]

    @property
    def everything(self) -> bool:
        """True for a superuser and the operator: every region, every verb, nothing masked."""
        return self.superuser or self.server

    @cached_property
    def roles(self) -> frozenset[Role]:
        """Return the roles the caller holds (all of them for a superuser or the operator)."""
        if self.everything:
            return frozenset(Role)
        return frozenset(Role(role) for role, _ in self.grants if role in Role.values)

    def may(self, verb: Verb) -> bool:
        """Return True when the caller may `verb` somewhere."""
        if self.everything:
            return True
        return self.authenticated and bool(self.roles & VERB_ROLES[verb][0])

    def check(self, verb: Verb) -> None:
        """Raise ScopeError unless the caller may `verb`."""
        if not self.may(verb):
            raise ScopeError(REFUSALS[verb], verb=str(verb))

    # --- regions ------------------------------------------------------------------------------

    @property
    def _provinces(self) -> tuple[str, ...]:
        if self.programme is None:
            return ()
        return (self.programme.helper_province_id, self.programme.recipient_province_id)

    def _paired(self, region: str) -> list[str]:
        """Return the recipient counties paired with a helper inside `region`."""
        return [r for _, h, r in self.pairings if codes.contains(region, h)]

    def _grant_regions(self, role: str, region: str, *, paired: bool = True) -> list[str]:
        """Return the regions one grant reads: its own, the programme's, the paired counties."""
        if role in PROGRAMME_WIDE_ROLES:
            return list(self._provinces)
        if paired and role in PAIRED_ROLES:
            return [region, *self._paired(region)]
        return [region]

    @cached_property
    def read_regions(self) -> frozenset[str]:
        """Return every region the caller reads, grant by grant (for query filters)."""
        if self.everything:
            return frozenset(self._provinces)
        return frozenset(
            code for role, region in self.grants for code in self._grant_regions(role, region)
        )

    def covers(self, code: str) -> bool:
        """Return True when the region `code` lies inside what the caller reads."""
        if self.everything:
            return True
        return self.authenticated and any(
            codes.contains(region, code) for region in self.read_regions
        )

    def shows_personal(self, code: str | None) -> bool:
        """Return True when personal data of rows living in region `code` is shown unmasked.

        Only inside a grant's own region, for a role that may see personal data: a county
        office in its county, a cadre in their village, a helper office in its district.
        """
        if self.everything:
            return True
        if not code or not self.authenticated:
            return False
        roles = VERB_ROLES[Verb.SEE_PERSONAL_DATA][0]
        return any(role in roles and codes.contains(region, code) for role, region in self.grants)

    def may_in(self, verb: Verb, code: str) -> bool:
        """Return True when a grant whose role may `verb` reaches region `code` for it: a
        programme-wide role anywhere in the programme, any other inside its own region
        (paired counties are read, never written)."""
        if self.everything:
            return True
        if not self.authenticated:
            return False
        roles = VERB_ROLES[verb][0]
        return any(
            role in roles
            and any(
                codes.contains(r, code) for r in self._grant_regions(role, region, paired=False)
            )
            for role, region in self.grants
        )

    def import_regions(self, model_label: str) -> Regions:
        """Return the regions the caller may write rows of `model_label` into.

        The registry is written by the county office of its county (and the programme office);
        the other ledgers by the offices, a helper district also for its paired counties.
        """
        if self.superuser:
            return Regions(everything=True)
        if self.server:
            return Regions(frozenset(self._provinces))
        roles = VERB_ROLES[self.import_verb(model_label)][0]
        return Regions(
            frozenset(
                code
                for role, region in self.grants
                if role in roles
                for code in self._grant_regions(role, region)
            )
        )

    def import_verb(self, model_label: str) -> Verb:
        """Return the verb that writing rows of `model_label` needs."""
        if model_label.split(".")[0] in REGISTRY_APPS:
            return Verb.WRITE_REGISTRY
        return Verb.IMPORT_LEDGERS

    # --- pairings and assessment units -------------------------------------------------------

    @cached_property
    def pairing_ids(self) -> frozenset[int]:
        """Return the pairings whose ledgers the caller reads.

        A grant reaches a pairing when its region contains the pairing's helper or its
        recipient (a programme-wide grant reaches all). A helper office's paired counties do
        not widen this: the office reaches its own pairings, not another helper's.
        """
        if not self.authenticated:
            return frozenset()
        if self.everything or self.roles & PROGRAMME_WIDE_ROLES:
            return frozenset(pk for pk, _, _ in self.pairings)
        return frozenset(
            pk
            for pk, helper, recipient in self.pairings
            if any(
                codes.contains(region, helper) or codes.contains(region, recipient)
                for _, region in self.grants
            )
        )

    @cached_property
    def units(self) -> frozenset[UnitKey]:
        """Return the assessment units whose records and rectification items the caller reaches.

        A pairing when it is reached; a helper district or recipient county when every pairing
        of it is reached and the caller reads the region; the programme when every pairing is
        reached and the caller reads both provinces.
        """
        reached = self.pairing_ids
        by_side: dict[UnitKey, set[int]] = {}
        units: set[UnitKey] = set()
        for pk, helper, recipient in self.pairings:
            by_side.setdefault(("helper", helper), set()).add(pk)
            by_side.setdefault(("recipient", recipient), set()).add(pk)
            if pk in reached:
                units.add(("pairing", pairing_key(helper, recipient)))
        units |= {key for key, pks in by_side.items() if pks <= reached and self.covers(key[1])}
        if (
            self.programme is not None
            and {pk for pk, _, _ in self.pairings} <= reached
            and all(self.covers(p) for p in self._provinces)
        ):
            units.add(("programme", self.programme.key))
        return frozenset(units)

    def reaches(self, target: Any) -> bool:
        """Return True when the caller reaches `target`: a pairing (or its id), or an
        assessment unit as (unit type, unit)."""
        if isinstance(target, tuple):
            return target in self.units
        if isinstance(target, int):
            return target in self.pairing_ids
        return getattr(target, "pk", None) in self.pairing_ids

    # --- personal data ------------------------------------------------------------------------

    @staticmethod
    def personal(model_label: str) -> Personal | None:
        """Return the personal fields of a model ("app.Model"), None when it holds none."""
        return PERSONAL_FIELDS.get(model_label)

    def masks(self, model_label: str, region: str | None) -> bool:
        """Return True when rows of `model_label` living in `region` are masked for the caller."""
        return model_label in PERSONAL_FIELDS and not self.shows_personal(region)

    def mask(
        self, model_label: str, row: Mapping[str, Any], *, region: str | None = None
    ) -> dict[str, Any]:
        """Return `row` (field name → value) with its personal fields masked where the caller
        may not see them. `region` defaults to the row's own value of the model's region
        lookup."""
        values = dict(row)
        personal = PERSONAL_FIELDS.get(model_label)
        if personal is None:
            return values
        where = region if region is not None else values.get(personal.region)
        if self.shows_personal(where):
            return values
        for name, kind in personal.fields.items():
            if name in values:
                values[name] = masked(kind, values[name])
        return values

    def shows_personal_in(self, regions: Iterable[str]) -> bool:
        """Return True when personal data is shown in every one of `regions`."""
        return all(self.shows_personal(code) for code in regions)
