"""Reads of the household registry. Every read takes the caller's scope."""

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Q, QuerySet

from xiezuo.core import codes
from xiezuo.core.codes import Level
from xiezuo.core.errors import ScopeError
from xiezuo.core.ids import mask_id
from xiezuo.core.scope import Scope
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import pairing_list
from xiezuo.regions.models import Region, RuralPopulation
from xiezuo.registry.calculations import CohortRow, YearFigures, total, year_figures
from xiezuo.registry.models import Household, Member

MASKED_HEALTH = "***"


def _region_filter(scope: Scope) -> Q:
    """Return the household filter for the regions of `scope`."""
    if scope.everything:
        return Q()
    condition = Q(pk__in=[])
    for code in scope.region_codes:
        level = codes.level_of(code)
        if level is Level.VILLAGE:
            condition |= Q(village_id=code)
        elif level is Level.TOWNSHIP:
            condition |= Q(village__parent_id=code)
        elif level is Level.COUNTY:
            condition |= Q(county_id=code)
        else:
            condition |= Q(county__code__startswith=codes.prefix(code))
    return condition


def household_list(*, scope: Scope, region: str | None = None) -> QuerySet[Household]:
    """Return the households the caller may read, optionally inside `region`."""
    if not scope.may_read_households:
        raise ScopeError("需要登录并具有相应区域权限才能查看贫困户信息")
    households = Household.objects.filter(_region_filter(scope)).select_related("village", "county")
    if region:
        if not scope.covers(region):
            raise ScopeError(f"无权查看区域 {region} 的贫困户", region=region)
        households = households.filter(_region_filter(Scope(region_codes=frozenset({region}))))
    return households


def household_get(*, scope: Scope, household_no: str) -> Household:
    """Return one household the caller may read; ScopeError when it is outside their scope."""
    household = household_list(scope=scope).filter(household_no=household_no).first()
    if household is None:
        raise ScopeError(f"户编号 {household_no} 不存在或不在您的权限范围内")
    return household


@dataclass(frozen=True)
class MemberView:
    """A member as the caller may see them: ID number and health masked without the right."""

    name: str
    id_number: str
    sex: str
    birth_date: date
    relation: str
    health: str
    labour_skill: str
    work_location: str
    masked: bool


def member_list(*, scope: Scope, household: Household) -> list[MemberView]:
    """Return the members of a household in scope, masking personal data for the caller's role."""
    if not scope.covers(household.village_id) or not scope.may_read_households:
        raise ScopeError(f"无权查看户 {household.household_no}")
    reveal = scope.shows_personal_data(household.village_id)
    return [
        MemberView(
            name=m.name,
            id_number=m.id_number if reveal else mask_id(m.id_number),
            sex=m.sex,
            birth_date=m.birth_date,
            relation=m.relation,
            health=m.health if reveal else MASKED_HEALTH,
            labour_skill=m.labour_skill,
            work_location=m.work_location,
            masked=not reveal,
        )
        for m in household.members.order_by("id")
    ]


@dataclass(frozen=True)
class CountyRow:
    """One recipient county in the programme overview."""

    code: str
    name: str
    city: str
    helpers: list[tuple[str, str]]  # (code, name) of its helper districts
    illustrative: bool  # its pairing is illustrative (not confirmed by a source)
    figures: dict[int, YearFigures]


@dataclass(frozen=True)
class Overview:
    """Published aggregates of a programme: every recipient county and the totals per year."""

    programme: Programme
    years: list[int]
    counties: list[CountyRow]
    totals: dict[int, YearFigures]


def cohort_rows(*, counties: list[str]) -> list[CohortRow]:
    """Return households and people per (county, identified, exit, fall-back year).

    Aggregates only, no household is exposed: this is the published figure.
    """
    keys = ("county_id", "identified_year", "exit_year", "fallback_year")
    households = {
        tuple(r[k] for k in keys): r["n"]
        for r in Household.objects.filter(county_id__in=counties)
        .values(*keys)
        .annotate(n=Count("id"))
        .order_by()
    }
    member_keys = tuple(f"household__{k}" for k in keys)
    people = {
        tuple(r[k] for k in member_keys): r["n"]
        for r in Member.objects.filter(household__county_id__in=counties)
        .values(*member_keys)
        .annotate(n=Count("id"))
        .order_by()
    }
    return [
        CohortRow(
            county=key[0],
            identified_year=key[1],
            exit_year=key[2],
            fallback_year=key[3],
            households=n,
            people=people.get(key, 0),
        )
        for key, n in households.items()
    ]


def programme_overview(*, scope: Scope, programme: Programme) -> Overview:
    """Return the published overview of a programme: county figures per year and totals.

    Aggregates are public, so any scope may read them.
    """
    pairings = pairing_list(programme=programme)
    recipients: dict[str, list] = {}
    for pairing in pairings:
        recipients.setdefault(pairing.recipient_id, []).append(pairing)
    codes_ = sorted(recipients)
    years = list(range(programme.start_year - 2, programme.end_year + 1))
    population = {
        (p.region_id, p.year): p.population
        for p in RuralPopulation.objects.filter(region_id__in=codes_, year__in=years)
    }
    figures = year_figures(cohort_rows(counties=codes_), years=years, population=population)
    cities = {
        r.code: r.name
        for r in Region.objects.filter(code__in={codes.prefix(c)[:4] + "00" for c in codes_})
    }
    counties = [
        CountyRow(
            code=code,
            name=recipients[code][0].recipient.name,
            city=cities.get(code[:4] + "00", ""),
            helpers=[(p.helper_id, p.helper.name) for p in recipients[code]],
            illustrative=any(p.provenance == p.Provenance.ILLUSTRATIVE for p in recipients[code]),
            figures=figures.get(code) or {y: YearFigures(year=y) for y in years},
        )
        for code in codes_
    ]
    totals = {year: total((c.figures[year] for c in counties), year=year) for year in years}
    return Overview(programme=programme, years=years, counties=counties, totals=totals)
