"""Pure arithmetic over the registry: who is poor when, and the yearly figures of a county."""

from collections.abc import Iterable
from dataclasses import dataclass


def is_poor_at_end_of(
    year: int, *, identified_year: int | None, exit_year: int | None, fallback_year: int | None
) -> bool:
    """Return True when a household counts as poor at the end of `year` (DOMAIN.md §3).

    Poor: identified in `year` or before, and not exited by then, or fell back after its
    exit and by `year`. A household never identified (a monitored one) is not poor.
    """
    if identified_year is None or identified_year > year:
        return False
    if exit_year is None or exit_year > year:
        return True
    return fallback_year is not None and exit_year <= fallback_year <= year


@dataclass(frozen=True)
class CohortRow:
    """Households (and their people) of one county sharing the same history years."""

    county: str
    identified_year: int
    exit_year: int | None
    fallback_year: int | None
    households: int
    people: int


@dataclass(frozen=True)
class YearFigures:
    """A county's (or the programme's) registry figures for one year."""

    year: int
    households: int = 0  # registered by the end of the year
    people: int = 0
    exited_households: int = 0
    exited_people: int = 0
    fell_back_people: int = 0
    poor_households: int = 0  # poor at the end of the year
    poor_people: int = 0
    rural_population: int | None = None

    @property
    def incidence(self) -> float | None:
        """Return poverty incidence in percent, or None without a rural population."""
        if not self.rural_population:
            return None
        return self.poor_people / self.rural_population * 100

    def __add__(self, other: "YearFigures") -> "YearFigures":
        population = (
            None
            if self.rural_population is None or other.rural_population is None
            else self.rural_population + other.rural_population
        )
        return YearFigures(
            year=self.year,
            households=self.households + other.households,
            people=self.people + other.people,
            exited_households=self.exited_households + other.exited_households,
            exited_people=self.exited_people + other.exited_people,
            fell_back_people=self.fell_back_people + other.fell_back_people,
            poor_households=self.poor_households + other.poor_households,
            poor_people=self.poor_people + other.poor_people,
            rural_population=population,
        )


def year_figures(
    rows: Iterable[CohortRow],
    *,
    years: Iterable[int],
    population: dict[tuple[str, int], int],
) -> dict[str, dict[int, YearFigures]]:
    """Return {county: {year: figures}} from cohort rows and rural populations."""
    years = list(years)
    totals: dict[str, dict[int, dict[str, int]]] = {}
    for row in rows:
        by_year = totals.setdefault(row.county, {y: _zero() for y in years})
        for year in years:
            acc = by_year[year]
            if row.identified_year <= year:
                acc["households"] += row.households
                acc["people"] += row.people
            if row.exit_year == year:
                acc["exited_households"] += row.households
                acc["exited_people"] += row.people
            if row.fallback_year == year:
                acc["fell_back_people"] += row.people
            if is_poor_at_end_of(
                year,
                identified_year=row.identified_year,
                exit_year=row.exit_year,
                fallback_year=row.fallback_year,
            ):
                acc["poor_households"] += row.households
                acc["poor_people"] += row.people
    counties = set(totals) | {county for county, _ in population}
    return {
        county: {
            year: YearFigures(
                year=year,
                rural_population=population.get((county, year)),
                **totals.get(county, {}).get(year, _zero()),
            )
            for year in years
        }
        for county in counties
    }


def total(figures: Iterable[YearFigures], *, year: int) -> YearFigures:
    """Return the sum of several units' figures for one year (rates recomputed, not averaged)."""
    result = YearFigures(year=year, rural_population=0)
    for item in figures:
        result = result + item
    return result


def _zero() -> dict[str, int]:
    return dict.fromkeys(
        (
            "households",
            "people",
            "exited_households",
            "exited_people",
            "fell_back_people",
            "poor_households",
            "poor_people",
        ),
        0,
    )
