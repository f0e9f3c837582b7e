"""Reads of the precision and monitoring ledgers. Every read takes the caller's access."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    F,
    FilteredRelation,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models import Case as DbCase
from django.db.models.functions import Coalesce
from django.utils import timezone

from xiezuo.access import Access, Verb
from xiezuo.core import codes
from xiezuo.core.codes import Level
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.precision import calculations as calc
from xiezuo.precision.expressions import (
    active_in,
    cents,
    exited_and_not_poor,
    flag,
    net_income,
    passes_exit,
    poor_at_end,
    times_size,
)
from xiezuo.precision.models import Assurance, Clue, CountyCheck, Measure, MonitoringCase
from xiezuo.precision.reports import (
    ELIMINATED,
    Case,
    CountyExit,
    Gap,
    MonitoringReport,
    PrecisionReport,
    VillageExit,
)
from xiezuo.precision.rules import Rules, rules_for
from xiezuo.programs.models import PovertyLine, Programme
from xiezuo.regions.models import Region, RuralPopulation
from xiezuo.regions.selectors import within_reach
from xiezuo.registry.models import Household, Member
from xiezuo.registry.selectors import household_get, household_list


def household_records[R: (Measure, Assurance, Clue, MonitoringCase)](
    *, access: Access, model: type[R], region: str | None = None
) -> QuerySet[R]:
    """Return the records of a household-level ledger (measures, assurances, clues, cases)
    of the households the caller may read, registered or monitored, optionally in `region`."""
    households = household_list(access=access, region=region, registered=None).values("pk")
    return model._default_manager.filter(household__in=households)


@dataclass(frozen=True)
class HouseholdPrecision:
    """What the precision ledgers hold about one household, as the caller may see it."""

    # category, person (a member's name, or 全户), id_number (masked), dates, amount, unit
    measures: list[dict]
    assurances: list[Assurance]
    clues: list[Clue]


def household_precision(*, access: Access, household: Household) -> HouseholdPrecision:
    """Return the measures, assurances and clues of a household the caller reads; a member's
    ID number on a measure is masked per `Access.mask`."""
    access.check(Verb.VIEW_HOUSEHOLDS)
    if not access.covers(household.village_id):
        raise ScopeError(f"无权查看户 {household.household_no}")
    names = dict(household.members.values_list("id_number", "name"))
    measures = []
    for measure in household.measures.order_by("start_date", "id"):
        shown = access.mask(
            "precision.Measure", {"id_number": measure.id_number}, region=household.village_id
        )
        measures.append(
            {
                "category": measure.category,
                "person": names.get(measure.id_number, measure.id_number) or "全户",
                "id_number": shown["id_number"] if measure.id_number else "",
                "start_date": measure.start_date,
                "end_date": measure.end_date,
                "amount": measure.amount,
                "unit": measure.unit,
            }
        )
    return HouseholdPrecision(
        measures=measures,
        assurances=list(household.assurances.order_by("year")),
        clues=list(household.clues.order_by("found_on", "id")),
    )


def county_check_list(*, access: Access, region: str | None = None) -> QuerySet[CountyCheck]:
    """Return the county checks of the counties the caller may read, optionally in `region`."""
    access.check(Verb.VIEW_HOUSEHOLDS)
    return within_reach(
        CountyCheck.objects.select_related("region"), access=access, region=region, what="核查数据"
    )


# --- the year's figures over the database ----------------------------------------------------

NO_LONGER_IN_POLICY = "已脱贫(不再享受政策)"


def _programme(access: Access) -> Programme:
    if access.programme is None:
        raise ScopeError("没有选定项目，无法查看精准帮扶")
    return access.programme


def poverty_line(*, programme: Programme, year: int) -> Decimal:
    """Return the programme's national poverty line of `year` (XiezuoError without one)."""
    line = (
        PovertyLine.objects.filter(
            programme=programme, year=year, standard=PovertyLine.Standard.NATIONAL
        )
        .values_list("yuan_per_person", flat=True)
        .first()
    )
    if line is None:
        raise XiezuoError(f"项目未设 {year} 年的国家贫困线", year=year)
    return line


# --- precision ---------------------------------------------------------------------------------


def _gaps(households: QuerySet[Household], *, year: int, rules: Rules) -> list[Gap]:
    open_ = households.filter(identified_year__lte=year).exclude(status=NO_LONGER_IN_POLICY)
    missing = Q(pk__in=[])
    for cause, categories in rules.cause_measures.items():
        if not categories:
            continue
        answered = Measure.objects.filter(
            active_in(year), household=OuterRef("pk"), category__in=categories
        )
        missing |= Q(Q(main_cause=cause), ~Exists(answered))  # the cheap test first
    rows = (
        open_.filter(missing)
        .order_by("household_no")
        .values_list("household_no", "village_id", "main_cause", "other_causes")
    )
    return [
        Gap(
            household=number,
            village=village,
            cause=cause,
            expected=rules.expected_measures(cause),
            other_causes=tuple(cause for cause in other.split("、") if cause),
        )
        for number, village, cause, other in rows
    ]


def _regions_in_scope(access: Access, region: str | None) -> Q:
    """Return the region filter (on `code`) of what the caller reads, inside `region`."""
    inside = Q()
    if not access.everything:
        inside = Q(pk__in=[])
        for code in access.read_regions:
            inside |= Q(code__startswith=codes.prefix(code))
    if region:
        if not access.covers(region):
            raise ScopeError(f"无权查看区域 {region}", region=region)
        inside &= Q(code__startswith=codes.prefix(region))
    return inside


def _villages(
    access: Access,
    region: str | None,
    *,
    year: int,
    rules: Rules,
    poor_by_village: dict[str, int],
) -> list[VillageExit]:
    population = dict(
        RuralPopulation.objects.filter(
            year=year,
            region__level=Level.VILLAGE,
            region__in=Region.objects.filter(_regions_in_scope(access, region)),
        ).values_list("region_id", "population")
    )
    chosen = set(population) | {code for code, n in poor_by_village.items() if n}
    names = {
        code: (name, parent)
        for code, name, parent in Region.objects.filter(code__in=chosen).values_list(
            "code", "name", "parent_id"
        )
    }
    villages = []
    for code in sorted(chosen):
        name, township = names.get(code, ("", code[:9]))
        poor = poor_by_village.get(code, 0)
        people = population.get(code)
        villages.append(
            VillageExit(
                village=code,
                name=name,
                county=code[:6],
                township=township or code[:9],
                population=people,
                poor_people=poor,
                incidence=calc.incidence(poor, people),
                passes=calc.below_incidence(poor, people, rules.village_exit_incidence),
            )
        )
    return villages


def _counties(
    access: Access,
    region: str | None,
    *,
    year: int,
    rules: Rules,
    poor_by_village: dict[str, int],
) -> list[CountyExit]:
    programme = _programme(access)
    recipients = {
        code: name
        for code, name in programme.pairings.values_list("recipient_id", "recipient__name")
        if access.covers(code) and (not region or codes.contains(region, code))
    }
    population = dict(
        RuralPopulation.objects.filter(year=year, region_id__in=recipients).values_list(
            "region_id", "population"
        )
    )
    checks = {
        check.region_id: check
        for check in county_check_list(access=access).filter(year=year, region_id__in=recipients)
    }
    counties = []
    for code in sorted(recipients):
        villages = {v: n for v, n in poor_by_village.items() if v.startswith(code)}
        poor = sum(villages.values())
        people = population.get(code)
        check = checks.get(code)
        rates = (
            (check.missed_rate, check.wrong_exit_rate, check.approval)
            if check
            else (None, None, None)
        )
        failing = calc.county_failing(
            rules=rules,
            population=people,
            poor=poor,
            missed_rate=rates[0],
            wrong_exit_rate=rates[1],
            approval=rates[2],
        )
        needed = calc.people_to_exit(poor, people, rules.county_exit_incidence)
        counties.append(
            CountyExit(
                county=code,
                name=recipients[code],
                population=people,
                poor_people=poor,
                incidence=calc.incidence(poor, people),
                missed_rate=None if rates[0] is None else float(rates[0]),
                wrong_exit_rate=None if rates[1] is None else float(rates[1]),
                approval=None if rates[2] is None else float(rates[2]),
                passes=not failing,
                failing=failing,
                people_to_exit=needed,
                villages_to_exit=calc.villages_holding(villages, needed),
            )
        )
    return counties


def precision_report(*, access: Access, year: int, region: str | None = None) -> PrecisionReport:
    """Return the gaps, wrong exits, ready-to-exit households, village and county exits of
    `year` for the households the caller may read, optionally inside `region`."""
    programme = _programme(access)
    rules = rules_for(programme.key, year)
    line = poverty_line(programme=programme, year=year)
    households = household_list(access=access, region=region, registered=True).order_by()
    tested = passes_exit(households, year=year, line=line)
    wrong_exits = sorted(
        tested.filter(exit_year=year, passes=False).values_list("household_no", flat=True)
    )
    ready = sorted(
        tested.filter(poor_at_end(year), passes=True).values_list("household_no", flat=True)
    )
    poor_by_village = dict(
        Member.objects.filter(household__in=households.filter(poor_at_end(year)).values("pk"))
        .values("household__village_id")
        .annotate(n=Count("pk"))
        .order_by()
        .values_list("household__village_id", "n")
    )
    return PrecisionReport(
        year=year,
        gaps=_gaps(households, year=year, rules=rules),
        wrong_exits=wrong_exits,
        ready_to_exit=ready,
        villages=_villages(access, region, year=year, rules=rules, poor_by_village=poor_by_village),
        counties=_counties(access, region, year=year, rules=rules, poor_by_village=poor_by_village),
    )


# --- monitoring --------------------------------------------------------------------------------


def _as_of(year: int, as_of: date | None) -> date:
    return as_of if as_of is not None else calc.default_as_of(year, timezone.localdate())


# The query columns of `calculations.CaseFacts`, in its order.
FACT_COLUMNS = (
    "registered",
    "unstable",
    "marginal",
    "sudden",
    "size",
    "net_fen",
    "before_fen",
    "rigid_fen",
    "first_clue",
    "clue_count",
    "monitored_from",
    "monitored_until",
    "confirmed_on",
    "notice_from",
    "notice_to",
    "eliminated_on",
)


def _cases(
    households: QuerySet[Household], *, year: int, as_of: date, rules: Rules, threshold: Decimal
) -> list[Case]:
    """Return the monitoring cases among `households`: flags over the database, then each
    case's reasons and standing from its row."""
    start, end = date(year, 1, 1), min(as_of, date(year, 12, 31))
    clues = Clue.objects.filter(household=OuterRef("pk"), found_on__gte=start, found_on__lte=end)
    below = Q(net_fen__isnull=False, size__gt=0, net_fen__lt=F("t_fen"))
    rows = (
        households.order_by()
        .annotate(
            income=FilteredRelation("incomes", condition=Q(incomes__year=year)),
            income_before=FilteredRelation("incomes", condition=Q(incomes__year=year - 1)),
            board=FilteredRelation("monitoring_cases", condition=Q(monitoring_cases__year=year)),
        )
        .annotate(
            net_fen=cents(net_income("income")),
            before_fen=cents(net_income("income_before")),
            t_fen=times_size(int(threshold * 100)),
            first_clue=Subquery(clues.order_by("found_on").values("found_on")[:1]),
        )
        # The candidates first (cheap: columns and one index probe), then the flags of each.
        .filter(
            exited_and_not_poor(year)
            | Q(
                registered=False,
                monitored_from__lte=date(year, 12, 31),
            )
            | Q(Exists(clues))
        )
        .annotate(
            clue_count=Coalesce(
                Subquery(
                    clues.order_by().values("household").annotate(n=Count("pk")).values("n")[:1]
                ),
                0,
            ),
            rigid_fen=Subquery(
                clues.filter(rigid_spending__isnull=False)
                .annotate(fen=cents(F("rigid_spending")))
                .order_by("-fen")
                .values("fen")[:1],
                output_field=BigIntegerField(),
            ),
        )
        .annotate(
            unstable=flag(exited_and_not_poor(year) & (below | Q(clue_count__gt=0))),
            marginal=flag(
                Q(registered=False, monitored_from__lte=date(year, 12, 31))
                & (Q(monitored_until__isnull=True) | Q(monitored_until__gte=start))
                & (Q(net_fen__isnull=True) | Q(size=0) | Q(net_fen__lt=F("t_fen")))
            ),
            sudden=flag(Q(rigid_fen__gt=Coalesce(F("before_fen"), Value(0)))),
        )
        .filter(Q(unstable=True) | Q(marginal=True) | Q(sudden=True))
        .annotate(
            confirmed_on=F("board__confirmed_on"),
            notice_from=F("board__notice_from"),
            notice_to=F("board__notice_to"),
            eliminated_on=F("board__eliminated_on"),
            confirmed=Coalesce(
                F("board__confirmed_on"),
                DbCase(When(registered=False, then=F("monitored_from"))),
            ),
        )
        .annotate(
            first_measure=Subquery(
                Measure.objects.filter(
                    household=OuterRef("pk"),
                    start_date__gte=OuterRef("confirmed"),
                    start_date__lte=as_of,
                )
                .order_by("start_date")
                .values("start_date")[:1]
            )
        )
        .order_by("household_no")
        .values_list("household_no", "village_id", "first_measure", *FACT_COLUMNS)
    )
    cases = []
    for row in rows:
        facts = calc.CaseFacts._make(row[3:])
        first_measure = row[2]
        categories, reasons = calc.case_reasons(facts, threshold=threshold)
        standing = calc.case_standing(facts, rules=rules, as_of=as_of, first_measure=first_measure)
        cases.append(
            Case(
                household=row[0],
                village=row[1],
                registered=facts.registered,
                categories=categories,
                reasons=reasons,
                first_clue=facts.first_clue,
                confirm_by=standing.confirm_by,
                confirmed_on=standing.confirmed_on,
                notice_from=facts.notice_from,
                notice_to=facts.notice_to,
                first_measure=first_measure if standing.confirmed_on else None,
                measure_by=standing.measure_by,
                eliminated_on=standing.eliminated_on,
                status=standing.status,
                overdue=standing.overdue,
            )
        )
    return cases


def monitoring_threshold(*, programme: Programme, year: int) -> Decimal:
    """Return the monitoring threshold T of `year`: the rules' own, else the multiple of the
    year's line."""
    rules = rules_for(programme.key, year)
    if rules.monitoring_threshold is not None:
        return rules.monitoring_threshold
    return rules.threshold(poverty_line(programme=programme, year=year))


def monitoring_report(
    *, access: Access, year: int, as_of: date | None = None, region: str | None = None
) -> MonitoringReport:
    """Return the monitoring cases of `year` as of `as_of` (default: today, or 31 December
    when the year is over) for the households the caller may read."""
    programme = _programme(access)
    rules = rules_for(programme.key, year)
    threshold = monitoring_threshold(programme=programme, year=year)
    as_of = _as_of(year, as_of)
    households = household_list(access=access, region=region, registered=None)
    cases = (
        _cases(households, year=year, as_of=as_of, rules=rules, threshold=threshold)
        if year >= rules.monitoring_from_year
        else []
    )
    return MonitoringReport(year=year, as_of=as_of, threshold=threshold, cases=cases)


def monitoring_case(
    *, access: Access, household_no: str, year: int, as_of: date | None = None
) -> Case:
    """Return the case of one household in `year`; ScopeError outside the caller's access,
    XiezuoError when the household is not a case."""
    household = household_get(access=access, household_no=household_no)
    programme = _programme(access)
    rules = rules_for(programme.key, year)
    cases = (
        _cases(
            household_list(access=access, registered=None).filter(pk=household.pk),
            year=year,
            as_of=_as_of(year, as_of),
            rules=rules,
            threshold=monitoring_threshold(programme=programme, year=year),
        )
        if year >= rules.monitoring_from_year
        else []
    )
    if not cases:
        raise XiezuoError(f"户 {household_no} 不是 {year} 年的监测对象", household=household_no)
    return cases[0]


def case_timeline(*, access: Access, household_no: str, year: int) -> list[tuple[date, str]]:
    """Return the events of a household's case in `year`, by day: clues, confirmation, the
    village notice, measures, elimination. Clues show their source and rigid spending, never
    their category or note (which may say what illness)."""
    household = household_get(access=access, household_no=household_no)
    start, end = date(year, 1, 1), date(year, 12, 31)
    events: list[tuple[date, int, str]] = []
    for found_on, source, rigid in Clue.objects.filter(
        household=household, found_on__gte=start, found_on__lte=end
    ).values_list("found_on", "source", "rigid_spending"):
        spending = f"，刚性支出 {rigid:,.2f} 元" if rigid is not None else ""
        events.append((found_on, 0, f"发现风险线索（{source}）{spending}"))
    record = MonitoringCase.objects.filter(household=household, year=year).first()
    confirmed = record.confirmed_on if record and record.confirmed_on else None
    if confirmed is None and not household.registered:
        confirmed = household.monitored_from
    if confirmed is not None:
        events.append((confirmed, 1, "确认为监测对象"))
    if record and record.notice_from:
        until = f"至 {record.notice_to.isoformat()}" if record.notice_to else ""
        events.append((record.notice_from, 2, f"村内公示{until}"))
    for started, category in Measure.objects.filter(
        household=household, start_date__gte=start, start_date__lte=end
    ).values_list("start_date", "category"):
        events.append((started, 3, f"开始帮扶措施：{category}"))
    eliminated = record.eliminated_on if record and record.eliminated_on else None
    if eliminated is None and not household.registered:
        eliminated = household.monitored_until
    if eliminated is not None:
        events.append((eliminated, 4, "风险消除"))
    return [(day, text) for day, _, text in sorted(events)]


def village_notice(
    *, access: Access, village: str, year: int, as_of: date | None = None
) -> list[dict[str, Any]]:
    """Return the rows of a village's printable notice of `year`, one per case whose risk is
    not eliminated: household, 户主姓名, 家庭人口数, categories and reasons — never an ID number,
    phone, bank or health data."""
    report = monitoring_report(access=access, year=year, as_of=as_of, region=village)
    open_cases = [case for case in report.cases if case.status != ELIMINATED]
    householders = {
        number: (name, size)
        for number, name, size in household_list(access=access, region=village, registered=None)
        .filter(household_no__in=[case.household for case in open_cases])
        .values_list("household_no", "householder_name", "size")
    }
    return [
        {
            "household": case.household,
            "户主姓名": householders[case.household][0],
            "家庭人口数": householders[case.household][1],
            "categories": list(case.categories),
            "reasons": list(case.reasons),
        }
        for case in open_cases
    ]
