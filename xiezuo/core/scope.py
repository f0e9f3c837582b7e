"""Who may see what: roles, grants and the scope every selector takes.

A user holds grants (a role plus a region code). A `Scope` is what those grants resolve to
for one programme: the region prefixes the caller may read, and whether personal data
(ID numbers, health) may be shown unmasked.
"""

from dataclasses import dataclass, field

from django.db import models

from xiezuo.core import codes


class Role(models.TextChoices):
    PROGRAMME_OFFICE = "programme_office", "协作办（项目办）"
    HELPER_OFFICE = "helper_office", "帮扶方区"
    COUNTY_OFFICE = "county_office", "受援县扶贫办"
    CADRE = "cadre", "帮扶责任人"
    ASSESSOR = "assessor", "考核组"


# Roles that read the whole programme whatever region their grant names.
PROGRAMME_WIDE_ROLES = frozenset({Role.PROGRAMME_OFFICE, Role.ASSESSOR})
# Roles that may see ID numbers and health unmasked, inside their regions: the offices that
# keep the registry and the cadres who visit the households.
PERSONAL_DATA_ROLES = frozenset({Role.COUNTY_OFFICE, Role.CADRE})


@dataclass(frozen=True)
class Scope:
    """The regions a caller may read and whether personal data is shown to them."""

    region_codes: frozenset[str] = field(default_factory=frozenset)
    everything: bool = False
    personal_regions: frozenset[str] = field(default_factory=frozenset)
    authenticated: bool = False

    @classmethod
    def public(cls) -> "Scope":
        """Return the scope of an anonymous reader: published aggregates only."""
        return cls()

    @classmethod
    def superuser(cls) -> "Scope":
        return cls(everything=True, authenticated=True, personal_regions=frozenset({"000000"}))

    @property
    def prefixes(self) -> tuple[str, ...]:
        return tuple(sorted(codes.prefix(c) for c in self.region_codes))

    def covers(self, code: str) -> bool:
        """Return True when the region `code` lies inside this scope."""
        if self.everything:
            return True
        return any(codes.contains(r, code) for r in self.region_codes)

    def shows_personal_data(self, code: str) -> bool:
        """Return True when ID numbers and health of people in `code` may be shown unmasked."""
        if "000000" in self.personal_regions:
            return True
        return any(codes.contains(r, code) for r in self.personal_regions)

    @property
    def may_read_households(self) -> bool:
        return self.authenticated and (self.everything or bool(self.region_codes))
