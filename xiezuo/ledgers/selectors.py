"""Reads of the ledgers. Every read takes the caller's scope and filters through the pairing."""

from django.db.models import QuerySet

from xiezuo.core import codes
from xiezuo.core.errors import ScopeError
from xiezuo.core.scope import Scope
from xiezuo.ledgers.models import PairingRecord
from xiezuo.programs.models import Pairing


def visible_pairing_ids(*, scope: Scope) -> set[int]:
    """Return the ids of the pairings whose ledgers the caller may read.

    A region of the scope that contains a pairing's helper shows that pairing (a helper
    district office, a programme office holding the helper province). A region that contains a
    pairing's recipient shows it too (a county office, a programme office holding the recipient
    province) — except the recipient counties a helper office's scope holds only because they
    are paired with it (`programs.selectors.scope_for` adds them): those show that helper's
    pairings, not another helper's pairing with the same county. A village or township grant
    reaches no pairing: ledgers are kept per pairing, not per village.
    """
    if not scope.authenticated:
        raise ScopeError("需要登录才能查看台账")
    pairings = list(Pairing.objects.values_list("pk", "helper_id", "recipient_id"))
    if scope.everything:
        return {pk for pk, _, _ in pairings}
    regions = scope.region_codes
    by_helper = {
        (pk, recipient)
        for pk, helper, recipient in pairings
        if any(codes.contains(region, helper) for region in regions)
    }
    mirrored = {recipient for _, recipient in by_helper}
    recipient_regions = [region for region in regions if region not in mirrored]
    by_recipient = {
        pk
        for pk, _, recipient in pairings
        if any(codes.contains(region, recipient) for region in recipient_regions)
    }
    return {pk for pk, _ in by_helper} | by_recipient


def ledger_records[R: PairingRecord](
    *, scope: Scope, model: type[R], region: str | None = None, year: int | None = None
) -> QuerySet[R]:
    """Return the records of one ledger the caller may read.

    `region` narrows to the pairings on either side of it: a helper district, a recipient
    county, a city or province containing them, or a township or village inside them. `year`
    keeps the records that belong to that year (`PairingRecord.in_year`: the record's date or
    year; agreements, secondments and sub-pairings in every year they are in force).
    """
    visible = visible_pairing_ids(scope=scope)
    if region:
        if not scope.covers(region):
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
