"""Masked forms of personal fields: what a caller without the right sees instead."""

import datetime as dt
import re
from typing import Any

from django.utils import timezone

from xiezuo.access.rules import Kind
from xiezuo.core.ids import mask_id

MASKED = "***"
# An ID number inside a message (a duplicate's key, say): 18 characters, or the old 15 digits.
_ID_IN_TEXT = re.compile(r"(?<![0-9A-Za-z])(\d{17}[\dXx]|\d{15})(?![0-9A-Za-z])")


def age_on(birth: dt.date, today: dt.date) -> int:
    """Return the age in whole years on `today` of someone born on `birth`."""
    return today.year - birth.year - ((today.month, today.day) < (birth.month, birth.day))


def masked(kind: Kind, value: Any, *, today: dt.date | None = None) -> Any:
    """Return `value` of a personal field of `kind` as a caller without the right sees it.

    An empty value stays empty. An ID number keeps its first 6 and last 4 characters; a birth
    date becomes the age ("58岁"); a phone keeps its first 3 and last 4 digits; a bank account
    its last 4; health and addresses are hidden whole.
    """
    if value is None or value == "":
        return value
    if kind is Kind.ID_NUMBER:
        return mask_id(str(value))
    if kind is Kind.BIRTH_DATE:
        if isinstance(value, dt.date):
            return f"{age_on(value, today or timezone.localdate())}岁"
        return MASKED
    text = str(value)
    if kind is Kind.PHONE:
        return text[:3] + "*" * max(len(text) - 7, 4) + text[-4:] if len(text) > 7 else MASKED
    if kind is Kind.BANK_ACCOUNT:
        return "*" * max(len(text) - 4, 4) + text[-4:] if len(text) > 4 else MASKED
    return MASKED


def scrub(text: str) -> str:
    """Return `text` with every ID number in it masked (messages that quote a key)."""
    return _ID_IN_TEXT.sub(lambda m: mask_id(m.group(1)), text)
