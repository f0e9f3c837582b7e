"""Reads of the ledgers. Every read takes the caller's access and filters through the pairing."""

from django.db.models import QuerySet

from xiezuo.access import Access
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError
from xiezuo.ledgers.models import PairingRecord
from xiezuo.programs.models import Pairing


def visible_pairing_ids(*, access: Access) -> set[int]:
    """Return the ids of the pairings whose ledgers the caller may read (`Access.pairing_ids`).

    Raise ScopeError for an anonymous caller.
    """
    if not access.authenticated:
        raise ScopeError("需要登录才能查看台账")
    return set(access.pairing_ids)


def ledger_records[R: PairingRecord](
    *, access: Access, model: type[R], region: str | None = None, year: int | None = None
) -> QuerySet[R]:
    """Return the records of one ledger the caller may read.

    `region` narrows to the pairings on either side of it: a helper district, a recipient
    county, a city or province containing them, or a township or village inside them. `year`
    keeps the records that belong to that year (`PairingRecord.in_year`: the record's date or
    year; agreements, secondments and sub-pairings in every year they are in force).
    """
    visible = visible_pairing_ids(access=access)
    if region:
        if not access.covers(region):
            raise ScopeError(f"无权查看区域 {region} 的台账", region=region)
        visible &= _pairings_around(region)
    records = model._default_manager.filter(pairing_id__in=sorted(visible))
    if year is not None:
        records = records.filter(model.in_year(year))
    return records


def _pairings_around(region: str) -> set[int]:
    """Return the pairings with a side containing `region` or contained in it."""
    return {
        pk
        for pk, helper, recipient in Pairing.objects.values_list("pk", "helper_id", "recipient_id")
        if any(
            codes.contains(region, side) or codes.contains(side, region)
            for side in (helper, recipient)
        )
    }
