"""Reads for programmes and pairings."""

from django.conf import settings

from xiezuo.programs.models import Pairing, Programme


def programme_get(*, key: str | None = None) -> Programme:
    """Return the programme `key` (default: the installation's programme)."""
    return Programme.objects.select_related("helper_province", "recipient_province").get(
        key=key or settings.XIEZUO_DEFAULT_PROGRAMME
    )


def pairing_list(*, programme: Programme) -> list[Pairing]:
    """Return the programme's pairings with their regions, ordered by recipient."""
    return list(
        programme.pairings.select_related("helper", "recipient").order_by(
            "recipient_id", "helper_id"
        )
    )
