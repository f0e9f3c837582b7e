"""Shape selector results for the pages: no queries here, only arrangement and arithmetic."""

from dataclasses import dataclass
from decimal import Decimal

from xiezuo.core.scope import Scope
from xiezuo.programs.models import Pairing
from xiezuo.registry.calculations import YearFigures
from xiezuo.registry.models import Household, Income
from xiezuo.registry.selectors import CountyRow, Overview


@dataclass(frozen=True)
class CountyLine:
    """One row of the overview's county table for the chosen year."""

    code: str
    name: str
    city: str
    helpers: list[tuple[str, str]]
    illustrative: bool
    figures: YearFigures


@dataclass(frozen=True)
class ExitBar:
    """People who exited in one year, with the bar's share of the largest year."""

    year: int
    people: int
    share: float  # 0–100, for the bar's width


def overview_context(overview: Overview, *, year: int) -> dict:
    """Return the template context of the overview page for `year`."""
    counties = [_county_line(county, year) for county in overview.counties]
    # The first year of the overview is the registry's baseline; exits are reported after it.
    exit_years = overview.years[1:]
    exited = [overview.totals[y].exited_people for y in exit_years]
    largest = max(exited, default=0) or 1
    return {
        "programme": overview.programme,
        "years": overview.years,
        "year": year,
        "totals": overview.totals[year],
        "counties": counties,
        "exit_bars": [
            ExitBar(year=y, people=n, share=round(n / largest * 100, 1))
            for y, n in zip(exit_years, exited, strict=True)
        ],
        "has_illustrative": any(c.illustrative for c in counties),
        "map_counties": [_map_entry(line) for line in counties],
        "highest": _highest_incidence(counties, limit=5),
    }


def _highest_incidence(counties: list[CountyLine], *, limit: int) -> list[CountyLine]:
    """Return the counties of highest incidence (those with a value), highest first."""
    ranked = [c for c in counties if c.figures.incidence is not None]
    ranked.sort(key=lambda c: (-(c.figures.incidence or 0), c.code))
    return ranked[:limit]


def _county_line(county: CountyRow, year: int) -> CountyLine:
    return CountyLine(
        code=county.code,
        name=county.name,
        city=county.city,
        helpers=county.helpers,
        illustrative=county.illustrative,
        figures=county.figures[year],
    )


def _map_entry(line: CountyLine) -> dict:
    """Return a county as the map's JavaScript reads it (keyed by its 6-digit adcode)."""
    incidence = line.figures.incidence
    return {
        "name": line.code,
        "value": None if incidence is None else round(incidence, 4),
        "county": line.name,
        "city": line.city,
        "helpers": [name for _, name in line.helpers],
        "illustrative": line.illustrative,
        "poor_people": line.figures.poor_people,
        "exited_people": line.figures.exited_people,
    }


def county_choices(pairings: list[Pairing], *, scope: Scope) -> list[tuple[str, str]]:
    """Return (code, name) of the programme's recipient counties inside `scope`, by code."""
    return sorted(
        {(p.recipient_id, p.recipient.name) for p in pairings if scope.covers(p.recipient_id)}
    )


@dataclass(frozen=True)
class IncomeLine:
    """A household's income of one year with its net and per-capita net (元)."""

    year: int
    wages: Decimal
    business: Decimal
    property_income: Decimal
    transfers: Decimal
    costs: Decimal
    net: Decimal
    per_capita: Decimal | None


def income_lines(household: Household, incomes: list[Income]) -> list[IncomeLine]:
    """Return the income table of a household: net = sum − costs; per capita = net ÷ size."""
    return [
        IncomeLine(
            year=income.year,
            wages=income.wages,
            business=income.business,
            property_income=income.property_income,
            transfers=income.transfers,
            costs=income.costs,
            net=income.net,
            per_capita=(income.net / household.size).quantize(Decimal("0.01"))
            if household.size
            else None,
        )
        for income in incomes
    ]
