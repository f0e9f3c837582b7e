"""Query expressions of precision work and monitoring: the ORM pieces the selectors combine,
so that every decision runs in the database. Money is compared in whole fen (exact on SQLite,
whose decimals are floats, and on PostgreSQL alike)."""

from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    BigIntegerField,
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Round

from xiezuo.precision.models import Assurance
from xiezuo.registry.models import Household, Income


def cents(expression: Any) -> Any:
    """Return an amount in 元 as whole fen, so that comparisons are exact on every database."""
    return Cast(Round(expression * Value(100)), BigIntegerField())


def net_income(relation: str = "") -> Any:
    """Return the net income (wages + business + property + transfers − costs) of an income
    row, reached through `relation` (or the row itself)."""
    at = f"{relation}__" if relation else ""
    return (
        F(f"{at}wages")
        + F(f"{at}business")
        + F(f"{at}property_income")
        + F(f"{at}transfers")
        - F(f"{at}costs")
    )


def net_cents(year: int) -> Subquery:
    """Return the household's net income of `year` in fen (NULL without a record)."""
    return Subquery(
        Income.objects.filter(household=OuterRef("pk"), year=year)
        .annotate(fen=cents(net_income()))
        .values("fen")[:1],
        output_field=BigIntegerField(),
    )


def times_size(fen: int) -> ExpressionWrapper:
    """Return `fen` × the household size (a per-capita amount made a household amount)."""
    return ExpressionWrapper(Value(fen) * F("size"), output_field=BigIntegerField())


def poor_at_end(year: int) -> Q:
    """Households poor at the end of `year` (registry.calculations.is_poor_at_end_of)."""
    return Q(identified_year__lte=year) & (
        Q(exit_year__isnull=True)
        | Q(exit_year__gt=year)
        | Q(fallback_year__isnull=False, fallback_year__gte=F("exit_year"), fallback_year__lte=year)
    )


def exited_and_not_poor(year: int) -> Q:
    """Registered households that exited by `year` and are not poor at its end."""
    return Q(registered=True, exit_year__lte=year) & (
        Q(identified_year__isnull=True)
        | Q(identified_year__gt=year)
        | Q(fallback_year__isnull=True)
        | Q(fallback_year__lt=F("exit_year"))
        | Q(fallback_year__gt=year)
    )


def active_in(year: int) -> Q:
    return Q(start_date__lte=date(year, 12, 31)) & (
        Q(end_date__isnull=True) | Q(end_date__gte=date(year, 1, 1))
    )


def flag(condition: Q) -> Case:
    return Case(
        When(condition, then=Value(True)), default=Value(False), output_field=BooleanField()
    )


def passes_exit(households: QuerySet[Household], *, year: int, line: Decimal) -> QuerySet:
    """Annotate `passes`: income per capita of `year` above the line (strictly) and the five
    assurances of `year` all met."""
    assured = Assurance.objects.filter(
        household=OuterRef("pk"), year=year, **dict.fromkeys(Assurance.FIVE, True)
    )
    return households.annotate(
        net_fen=net_cents(year), line_fen=times_size(int(line * 100))
    ).annotate(
        passes=flag(
            Q(Q(net_fen__isnull=False, size__gt=0, net_fen__gt=F("line_fen")), Exists(assured))
        )
    )
