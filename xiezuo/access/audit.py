"""The audit log of personal data: who exported or saw what, when, and how many rows.

`audit` is called by the services that hand personal data out (exports, the household page
for a helper-side user, the API's bulk reads); it never decides anything, it only records.
"""

from typing import Any

from xiezuo.access.access import Access
from xiezuo.access.models import AuditEvent
from xiezuo.access.rules import PAIRED_ROLES, PROGRAMME_WIDE_ROLES


def audit(
    *,
    access: Access,
    action: str,
    what: str,
    rows: int = 0,
    region: str | None = None,
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one use of personal data by the caller of `access` (the operator at the
    machine is recorded without a user)."""
    from django.contrib.auth import get_user_model

    username = ""
    if access.user_id is not None:
        username = (
            get_user_model()
            .objects.filter(pk=access.user_id)
            .values_list("username", flat=True)
            .first()
            or ""
        )
    elif access.server:
        username = "(server)"
    return AuditEvent.objects.create(
        user_id=access.user_id,
        username=username,
        action=action,
        what=what[:200],
        region=region or "",
        rows=rows,
        detail=detail or {},
    )


def audit_unmasked_view(*, access: Access, what: str, rows: int, region: str) -> None:
    """Record that personal data of `what` was shown unmasked, when the caller is on the
    helper side (a helper district's office): their reach is the paired counties, where
    personal data is not theirs."""
    if access.roles & PAIRED_ROLES:
        audit(
            access=access,
            action=AuditEvent.Action.VIEW_UNMASKED,
            what=what,
            rows=rows,
            region=region,
        )


def audit_list(*, access: Access, limit: int = 200) -> list[AuditEvent]:
    """Return the latest audit events: the programme office sees all, others their own."""
    events = AuditEvent.objects.all()
    if not (access.everything or access.roles & PROGRAMME_WIDE_ROLES):
        events = events.filter(user_id=access.user_id) if access.user_id else events.none()
    return list(events[:limit])
