"""Writes of the ledgers: the database side of attribution, for the ingest and the demo.

The ingest calls `attribute` once per sheet with the columns the catalog names under
`attribution_columns`, after validating them, and fills `pairing_id` from the result; a row
with an error is reported, never loaded. Nothing here queries per row.
"""

from collections.abc import Iterable, Mapping, Sequence
from itertools import islice

from xiezuo.core.errors import XiezuoError
from xiezuo.ledgers.calculations import Attribution, PairingIndex
from xiezuo.programs.models import Pairing, Programme
from xiezuo.registry.models import Household

# How a ledger's rows find their pairing (the catalog's `attribution` key):
# pairing           [helper column, recipient column]
# either_direction  [one side, other side]: visits, which go either way
# household         [household column, helper-side column]: labour, by the worker's household
METHODS = ("pairing", "either_direction", "household")

_CHUNK = 5_000  # below every database's limit on query parameters


def pairing_index(*, programme: Programme) -> PairingIndex:
    """Return the attribution index of a programme's pairings (one query)."""
    return PairingIndex(
        Pairing.objects.filter(programme=programme).values_list("pk", "helper_id", "recipient_id")
    )


def household_counties(*, household_nos: Iterable[str | None]) -> dict[str, str]:
    """Return the county code of each registered household number among `household_nos`."""
    wanted = sorted({no for no in household_nos if no})
    found: dict[str, str] = {}
    it = iter(wanted)
    while chunk := list(islice(it, _CHUNK)):
        found.update(
            Household.objects.filter(household_no__in=chunk).values_list(
                "household_no", "county_id"
            )
        )
    return found


def attribute(
    *,
    programme: Programme,
    method: str,
    columns: Mapping[str, Sequence[str | None]],
    index: PairingIndex | None = None,
) -> Attribution:
    """Return the pairing of every row of a ledger sheet.

    `columns` maps the catalog's `attribution_columns` headers, in that order, to the rows'
    normalised codes (and household numbers for `household`). Row indexes of the errors count
    from 0 in the order given.
    """
    if method not in METHODS:
        raise XiezuoError(f"未知的归属方式 {method!r}", method=method)
    if len(columns) != 2:
        raise XiezuoError("归属需要两列", columns=list(columns))
    index = index or pairing_index(programme=programme)
    (first_label, firsts), (second_label, seconds) = columns.items()
    if method == "pairing":
        return index.attribute(
            firsts, seconds, helper_label=first_label, recipient_label=second_label
        )
    if method == "either_direction":
        return index.attribute_visits(
            firsts, seconds, origin_label=first_label, destination_label=second_label
        )
    return _attribute_by_household(index, first_label, firsts, second_label, seconds)


def _attribute_by_household(
    index: PairingIndex,
    household_label: str,
    household_nos: Sequence[str | None],
    helper_label: str,
    helper_codes: Sequence[str | None],
) -> Attribution:
    counties = household_counties(household_nos=household_nos)
    found = index.attribute_by_recipient(
        [counties.get(no) if no else None for no in household_nos],
        helper_codes,
        recipient_label=f"{household_label}所在县",
        helper_label=helper_label,
    )
    errors = dict(found.errors)
    for row, no in enumerate(household_nos):
        if no and no not in counties:
            errors[row] = f"{household_label} {no} 未在系统中登记，无法确定所属结对"
        elif not no:
            errors[row] = f"{household_label}为空，无法确定所属结对"
    return Attribution(found.pairing_ids, errors)
