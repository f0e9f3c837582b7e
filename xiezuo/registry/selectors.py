"""Reads of the household registry. Every read takes the caller's access."""

from dataclasses import dataclass
from datetime import date, datetime

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xiezuo.access import Access, Verb
from xiezuo.access.audit import audit_unmasked_view
from xiezuo.access.masking import age_on
from xiezuo.core import codes
from xiezuo.core.codes import Level
from xiezuo.core.errors import ScopeError
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import pairing_list
from xiezuo.regions.models import Region, RuralPopulation
from xiezuo.registry.calculations import CohortRow, YearFigures, total, year_figures
from xiezuo.registry.models import Household, Member


def _region_filter(regions: frozenset[str] | set[str]) -> Q:
    """Return the household filter for `regions`."""
    condition = Q(pk__in=[])
    for code in regions:
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


def household_list(
    *, access: Access, region: str | None = None, registered: bool | None = True
) -> QuerySet[Household]:
    """Return the households the caller may read, optionally inside `region`.

    `registered` chooses the kind: registered poor households (the default), monitored
    households outside the register (False), or both (None).
    """
    access.check(Verb.VIEW_HOUSEHOLDS)
    households = Household.objects.select_related("village", "county")
    if registered is not None:
        households = households.filter(registered=registered)
    if not access.everything:
        households = households.filter(_region_filter(access.read_regions))
    if region:
        if not access.covers(region):
            raise ScopeError(f"无权查看区域 {region} 的贫困户", region=region)
        households = households.filter(_region_filter({region}))
    return households


def household_get(*, access: Access, household_no: str) -> Household:
    """Return one household the caller may read; ScopeError when it is outside their access."""
    household = (
        household_list(access=access, registered=None).filter(household_no=household_no).first()
    )
    if household is None:
        raise ScopeError(f"户编号 {household_no} 不存在或不在您的权限范围内")
    return household


@dataclass(frozen=True)
class MemberView:
    """A member as the caller may see them: ID number, birth date and health masked without
    the right (the birth date then gives way to the age)."""

    name: str
    id_number: str
    sex: str
    birth_date: date | None
    age: int
    relation: str
    health: str
    labour_skill: str
    work_location: str
    masked: bool


def member_list(*, access: Access, household: Household) -> list[MemberView]:
    """Return the members of a household the caller reads, masked per `Access.mask`.

    A helper-side user who is shown them unmasked is written to the audit log.
    """
    access.check(Verb.VIEW_HOUSEHOLDS)
    if not access.covers(household.village_id):
        raise ScopeError(f"无权查看户 {household.household_no}")
    hidden = access.masks("registry.Member", household.village_id)
    today = timezone.localdate()
    views = []
    for m in household.members.order_by("id"):
        shown = access.mask(
            "registry.Member",
            {"id_number": m.id_number, "birth_date": m.birth_date, "health": m.health},
            region=household.village_id,
        )
        views.append(
            MemberView(
                name=m.name,
                id_number=shown["id_number"],
                sex=m.sex,
                birth_date=None if hidden else m.birth_date,
                age=age_on(m.birth_date, today),
                relation=m.relation,
                health=shown["health"],
                labour_skill=m.labour_skill,
                work_location=m.work_location,
                masked=hidden,
            )
        )
    if views and not hidden:
        audit_unmasked_view(
            access=access, what=household.household_no, rows=len(views), region=household.village_id
        )
    return views


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
        for r in Household.objects.filter(county_id__in=counties, registered=True)
        .values(*keys)
        .annotate(n=Count("id"))
        .order_by()
    }
    member_keys = tuple(f"household__{k}" for k in keys)
    people = {
        tuple(r[k] for k in member_keys): r["n"]
        for r in Member.objects.filter(
            household__county_id__in=counties, household__registered=True
        )
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


def programme_overview(*, access: Access, programme: Programme | None = None) -> Overview:
    """Return the published overview of the caller's programme: county figures per year and
    totals.

    Aggregates are public, so any access may read them, but only of its own programme:
    `programme`, when given, must be the access's (ScopeError otherwise).
    """
    if access.programme is None or (programme is not None and programme.pk != access.programme.pk):
        raise ScopeError("无权查看该项目的概览")
    programme = access.programme
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


@dataclass(frozen=True)
class Edit:
    """One recorded edit of a household, a member or an income: who, when, which fields."""

    at: datetime
    user: str
    kind: str  # 新增 / 修改 / 删除
    record: str  # 户 / 成员 姓名 / 收入 2019
    changes: list[
        tuple[str, str, str]
    ]  # (field label, old, new), masked where the caller may not see


_EDIT_KINDS = {"+": "新增", "~": "修改", "-": "删除"}


def household_edits(*, access: Access, household: Household) -> list[Edit]:
    """Return the recorded edits of a household and its members and incomes, newest first
    (edits made one record at a time, e.g. in the admin; imports are batches of their own)."""
    from xiezuo.registry.models import Income

    access.check(Verb.VIEW_HOUSEHOLDS)
    if not access.covers(household.village_id):
        raise ScopeError(f"无权查看户 {household.household_no}")
    region = household.village_id
    histories = [
        (Household, Household.edits.filter(id=household.pk), lambda r: "户"),  # type: ignore[attr-defined]
        (Member, Member.edits.filter(household_id=household.pk), lambda r: f"成员 {r.name}"),  # type: ignore[attr-defined]
        (Income, Income.edits.filter(household_id=household.pk), lambda r: f"收入 {r.year}"),  # type: ignore[attr-defined]
    ]
    edits = []
    for model, records, label in histories:
        labels = {
            name: str(f.verbose_name)
            for f in model._meta.concrete_fields
            for name in (f.name, f.attname)
        }
        for record in records.select_related("history_user").order_by("history_date"):
            changes = []
            if record.history_type == "~" and record.prev_record is not None:
                for change in record.diff_against(record.prev_record).changes:
                    old, new = (
                        access.mask(model._meta.label, {change.field: v}, region=region)[
                            change.field
                        ]
                        for v in (change.old, change.new)
                    )
                    label_ = labels.get(change.field, change.field)
                    changes.append((label_, _shown(old), _shown(new)))
                if not changes:
                    continue
            user = record.history_user
            edits.append(
                Edit(
                    at=record.history_date,
                    user=user.get_username() if user else "",
                    kind=_EDIT_KINDS.get(record.history_type, record.history_type),
                    record=label(record),
                    changes=changes,
                )
            )
    edits.sort(key=lambda e: e.at, reverse=True)
    return edits


def _shown(value: object) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "是" if value else "否"
    return str(value)
