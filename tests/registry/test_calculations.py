import pytest

from xiezuo.registry.calculations import CohortRow, is_poor_at_end_of, year_figures


@pytest.mark.parametrize(
    ("year", "identified", "exited", "fell_back", "poor"),
    [
        (2016, 2017, None, None, False),  # not yet identified
        (2017, 2017, None, None, True),
        (2018, 2015, 2018, None, False),  # exited during the year: not poor at its end
        (2017, 2015, 2018, None, True),
        (2019, 2015, 2018, 2020, False),  # fell back later than the year
        (2020, 2015, 2018, 2020, True),  # fell back by the year
        (2018, 2015, 2018, 2018, True),  # exited and fell back in the same year
    ],
)
def test_is_poor_at_end_of(year, identified, exited, fell_back, poor):
    assert (
        is_poor_at_end_of(
            year, identified_year=identified, exit_year=exited, fallback_year=fell_back
        )
        is poor
    )


def test_year_figures_adds_cohorts_and_computes_incidence():
    rows = [
        CohortRow("130723", 2015, 2018, None, households=10, people=30),
        CohortRow("130723", 2016, None, None, households=2, people=5),
        CohortRow("130723", 2015, 2017, 2019, households=1, people=4),
    ]
    figures = year_figures(rows, years=[2017, 2018, 2019], population={("130723", 2019): 900})
    f2017, f2018, f2019 = (figures["130723"][y] for y in (2017, 2018, 2019))
    assert (f2017.households, f2017.people, f2017.exited_people, f2017.poor_people) == (
        13,
        39,
        4,
        35,
    )
    assert (f2018.exited_people, f2018.poor_people) == (30, 5)
    assert (f2019.fell_back_people, f2019.poor_people) == (4, 9)
    assert f2019.incidence == pytest.approx(1.0)
    assert f2018.incidence is None  # no population for 2018
