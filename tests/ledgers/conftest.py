"""Fixtures of the ledger tests: the small programme's pairings and a record factory."""

import datetime as dt
import itertools
from decimal import Decimal

import pytest

from xiezuo.core.ids import make_id
from xiezuo.ledgers.models import Fund, Secondment, Visit
from xiezuo.programs.models import Pairing


@pytest.fixture
def pairings(small_programme):
    """Return the small programme's pairings by key (`110105→130723`, …)."""
    return {p.key: p for p in Pairing.objects.filter(programme=small_programme)}


@pytest.fixture
def make_fund():
    """Return a function that records a fiscal-aid allocation inside a pairing."""

    def make(pairing: Pairing, *, year: int = 2019, amount: str = "100.00", **fields) -> Fund:
        values = {
            "pairing": pairing,
            "year": year,
            "helper_id": pairing.helper_id,
            "recipient_id": pairing.recipient_id,
            "source": "财政援助",
            "amount": Decimal(amount),
            "paid_date": dt.date(year, 6, 30),
        } | fields
        return Fund.objects.create(**values)

    return make


@pytest.fixture
def make_secondment():
    """Return a function that records a secondment inside a pairing."""
    sequence = itertools.count(1, 2)

    def make(pairing: Pairing, start: dt.date, end: dt.date | None, **fields) -> Secondment:
        values = {
            "pairing": pairing,
            "name": "王强",
            "id_number": make_id("110105", dt.date(1978, 6, 12), next(sequence)),
            "sender_id": pairing.helper_id,
            "posting_id": pairing.recipient_id,
            "category": "党政干部",
            "start_date": start,
            "end_date": end,
        } | fields
        return Secondment.objects.create(**values)

    return make


@pytest.fixture
def make_visit():
    """Return a function that records a visit inside a pairing (helper → recipient by default)."""

    def make(pairing: Pairing, start: dt.date, **fields) -> Visit:
        values = {
            "pairing": pairing,
            "origin_id": pairing.helper_id,
            "destination_id": pairing.recipient_id,
            "start_date": start,
            "end_date": start,
            "leader": "李明",
            "leader_category": "党委书记",
            "purpose": "调研",
        } | fields
        return Visit.objects.create(**values)

    return make
