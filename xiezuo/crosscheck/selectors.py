"""Reads of the cross-check review queue, always through the caller's access.

A caller reads the flags of households in the regions they read (`Access.covers`) and holds
`Verb.VIEW_CROSSCHECKS`: the programme office and the assessors everywhere, a county office in
its county. ID numbers and birth dates — the registered member's and the list row's — are
masked unless the caller may see personal data where the household lives (`Access.mask`).
"""

import datetime as dt
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from xiezuo.access import Access, Verb
from xiezuo.access.masking import masked, scrub
from xiezuo.access.rules import Kind
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError
from xiezuo.core.ids import normalise_id
from xiezuo.crosscheck.models import CrossCheckFlag

MODEL = "crosscheck.CrossCheckFlag"
Status = CrossCheckFlag.Status

# The rules of the checks, in the order pages list them, with their Chinese names.
RULES: dict[str, str] = {
    "payroll": "财政供养人员",
    "village_cadre": "村干部",
    "vehicle": "车辆",
    "property": "不动产",
    "business": "工商登记",
    "deceased": "死亡人员",
    "duplicate": "重复登记",
}

# The fields compared side by side: (label, keys an evidence row may hold it under, kind).
COMPARED: tuple[tuple[str, tuple[str, ...], str], ...] = (
    ("姓名", ("姓名", "name"), "name"),
    ("证件号码", ("证件号码", "id_number", "person"), "id"),
    ("出生日期", ("出生日期", "birth_date"), "date"),
    ("区划代码", ("区划代码", "村代码", "region", "region_code", "village"), "region"),
)
# Evidence keys about the match, not the list row (shown apart or not at all).
_NOT_SHOWN = frozenset({"key", "label", "severity", "explanation", "agreed", "differed", "record"})
# Evidence fields holding personal data, by key, and how each is masked.
_PERSONAL_EVIDENCE: dict[str, Kind] = {
    "证件号码": Kind.ID_NUMBER,
    "id_number": Kind.ID_NUMBER,
    "person": Kind.ID_NUMBER,
    "出生日期": Kind.BIRTH_DATE,
    "birth_date": Kind.BIRTH_DATE,
}


def _flags(access: Access) -> QuerySet[CrossCheckFlag]:
    """Return the flags the caller reads (before any filter)."""
    access.check(Verb.VIEW_CROSSCHECKS)
    flags = CrossCheckFlag.objects.select_related("household", "member")
    if access.everything:
        return flags
    reach = Q(pk__in=[])
    for region in access.read_regions:
        level = codes.level_of(region)
        if level is codes.Level.VILLAGE:
            reach |= Q(household__village_id=region)
        elif level is codes.Level.COUNTY:
            reach |= Q(household__county_id=region)
        elif level is codes.Level.TOWNSHIP:
            reach |= Q(household__village__parent_id=region)
        else:
            reach |= Q(household__county__code__startswith=codes.prefix(region))
    return flags.filter(reach)


def _county(access: Access, county: str) -> None:
    if codes.level_of(county) is not codes.Level.COUNTY or not access.covers(county):
        raise ScopeError(f"无权查看 {county} 的比对结果", region=county)


def flags_for_county(
    *,
    access: Access,
    county: str,
    year: int,
    rule: str | None = None,
    village: str | None = None,
    status: str | None = None,
) -> QuerySet[CrossCheckFlag]:
    """Return the flags of `county` in `year` the caller reads, filtered by rule, village and
    status. ScopeError when the county (or the village) is outside the caller's reach."""
    _county(access, county)
    flags = _flags(access).filter(year=year, household__county_id=county)
    if rule:
        flags = flags.filter(rule=rule)
    if village:
        if not codes.contains(county, village) or not access.covers(village):
            raise ScopeError(f"村 {village} 不在 {county} 或不在您的权限范围内", region=village)
        flags = flags.filter(household__village_id=village)
    if status:
        flags = flags.filter(status=status)
    return flags.order_by("household__village_id", "household__household_no", "rule", "id")


def flags_list(
    *,
    access: Access,
    year: int,
    county: str | None = None,
    rule: str | None = None,
    village: str | None = None,
    status: str | None = None,
) -> QuerySet[CrossCheckFlag]:
    """Return the flags of `year` the caller reads: of `county` as `flags_for_county` does,
    or, without a county, of every county the caller reaches (a village then needs its
    county)."""
    if county is not None:
        return flags_for_county(
            access=access, county=county, year=year, rule=rule, village=village, status=status
        )
    if village:
        return flags_for_county(
            access=access,
            county=village[:6],
            year=year,
            rule=rule,
            village=village,
            status=status,
        )
    flags = _flags(access).filter(year=year)
    if rule:
        flags = flags.filter(rule=rule)
    if status:
        flags = flags.filter(status=status)
    return flags.order_by("household__village_id", "household__household_no", "rule", "id")


def flag_get(*, access: Access, pk: int) -> CrossCheckFlag:
    """Return one flag the caller reads; ScopeError when missing or out of reach."""
    flag = _flags(access).filter(pk=pk).first()
    if flag is None:
        raise ScopeError(f"比对疑点 {pk} 不存在或不在您的权限范围内", flag=pk)
    return flag


def may_review(*, access: Access, flag: CrossCheckFlag) -> bool:
    """Return True when the caller may confirm or dismiss `flag`."""
    return access.may(Verb.REVIEW_CROSSCHECKS) and access.may_in(
        Verb.REVIEW_CROSSCHECKS, flag.household.village_id
    )


@dataclass(frozen=True)
class RuleCount:
    """The flags of one rule in one county and year, by status."""

    rule: str
    label: str
    pending: int = 0
    confirmed: int = 0
    dismissed: int = 0
    stale: int = 0  # pending ones the latest run no longer produced

    @property
    def total(self) -> int:
        return self.pending + self.confirmed + self.dismissed


def rule_counts(*, access: Access, county: str, year: int) -> list[RuleCount]:
    """Return the flag counts per rule (every known rule, then any other) of `county` in
    `year`. ScopeError when the county is outside the caller's reach."""
    _county(access, county)
    counts = _counts(_flags(access).filter(year=year, household__county_id=county))
    return _rule_rows(counts)


def county_counts(*, access: Access, year: int) -> dict[str, list[RuleCount]]:
    """Return the flag counts per rule of every county the caller reads that holds flags in
    `year` (one query)."""
    rows = (
        _flags(access)
        .filter(year=year)
        .values("household__county_id", "rule", "status", "current")
        .annotate(n=Count("id"))
        .order_by()
    )
    by_county: dict[str, Counter[tuple[str, str, bool]]] = defaultdict(Counter)
    for row in rows:
        key = (row["rule"], row["status"], row["current"])
        by_county[row["household__county_id"]][key] += row["n"]
    return {county: _rule_rows(c) for county, c in sorted(by_county.items())}


def rule_counts_empty() -> list[RuleCount]:
    """Return the counts of a county without flags: every known rule at zero."""
    return _rule_rows(Counter())


def _counts(flags: QuerySet[CrossCheckFlag]) -> Counter[tuple[str, str, bool]]:
    rows = flags.values("rule", "status", "current").annotate(n=Count("id")).order_by()
    return Counter({(r["rule"], r["status"], r["current"]): r["n"] for r in rows})


def _rule_rows(counts: Counter[tuple[str, str, bool]]) -> list[RuleCount]:
    rules = list(RULES) + sorted({rule for rule, _, _ in counts} - set(RULES))
    rows = []
    for rule in rules:
        by_status: Counter[str] = Counter()
        stale = 0
        for (r, status, current), n in counts.items():
            if r == rule:
                by_status[status] += n
                if status == Status.PENDING and not current:
                    stale += n
        rows.append(
            RuleCount(
                rule=rule,
                label=RULES.get(rule, rule),
                pending=by_status[Status.PENDING],
                confirmed=by_status[Status.CONFIRMED],
                dismissed=by_status[Status.DISMISSED],
                stale=stale,
            )
        )
    return rows


@dataclass(frozen=True)
class FlagRow:
    """A flag as the caller may see it (the ID number masked without the right)."""

    pk: int
    year: int
    household_no: str
    village: str
    member_name: str
    person: str
    rule: str
    rule_label: str
    source: str
    match: str
    score: float
    severity: str
    status: str
    status_label: str
    current: bool
    deadline: dt.date | None
    overdue: bool
    masked: bool


def flag_rows(*, access: Access, flags: Any, today: dt.date | None = None) -> list[FlagRow]:
    """Return `flags` (read through a selector above) as the caller may see them."""
    today = today or timezone.localdate()
    rows = []
    for flag in flags:
        village = flag.household.village_id
        shown = access.mask(MODEL, {"person": flag.person}, region=village)
        rows.append(
            FlagRow(
                pk=flag.pk,
                year=flag.year,
                household_no=flag.household.household_no,
                village=village,
                member_name=flag.member.name if flag.member else "",
                person=shown["person"],
                rule=flag.rule,
                rule_label=RULES.get(flag.rule, flag.rule),
                source=flag.source,
                match=flag.match,
                score=flag.score,
                severity=flag.severity,
                status=flag.status,
                status_label=flag.get_status_display(),
                current=flag.current,
                deadline=flag.deadline,
                overdue=flag.is_overdue(today),
                masked=access.masks(MODEL, village),
            )
        )
    return rows


@dataclass(frozen=True)
class Compared:
    """One field side by side: the register's value, the list's, and whether they differ."""

    label: str
    registry: str
    listed: str
    differs: bool
    note: str = ""  # the linkage's word on a fuzzy difference (同音, 日月颠倒, 同县…)


@dataclass(frozen=True)
class Evidence:
    """A flag's evidence as the caller may see it: the fields compared side by side, then the
    list row's other fields."""

    compared: list[Compared]
    other: list[tuple[str, str]] = field(default_factory=list)
    masked: bool = False
    explanation: str = ""


def flag_evidence(*, access: Access, flag: CrossCheckFlag) -> Evidence:
    """Return the registry row beside the list row of `flag`, differences computed on the
    unmasked values and then masked for the caller.

    A field differs when both sides hold it and they disagree: ID numbers after
    normalisation, names after trimming, dates as dates, and a region when the list's code
    does not contain the household's village (a county code on the list matches every
    village of the county).
    """
    household = flag.household
    member = flag.member
    registry = {
        "name": member.name if member else household.householder_name,
        "id": member.id_number if member else (flag.person or household.householder_id_number),
        "date": member.birth_date.isoformat() if member else "",
        "region": household.village_id,
    }
    evidence = flag.evidence or {}
    row = evidence.get("record")
    listed_row: dict[str, Any] = row if isinstance(row, dict) else evidence
    notes = {
        str(d.get("field")): str(d.get("note", ""))
        for d in evidence.get("differed", [])
        if isinstance(d, dict)
    }
    hide = access.masks(MODEL, household.village_id)
    used: set[str] = set()
    compared = []
    for label, keys, kind in COMPARED:
        key = next((k for k in keys if listed_row.get(k) not in (None, "")), None)
        listed = "" if key is None else str(listed_row[key])
        used.update(keys)  # an empty cell of a compared field is not shown again below
        mine = registry[kind]
        differs = bool(listed) and bool(mine) and not _same(kind, mine, listed)
        compared.append(
            Compared(
                label=label,
                registry=_shown(kind, mine, hide),
                listed=_shown(kind, listed, hide),
                differs=differs,
                note=notes.get(label, ""),
            )
        )
    other = []
    for key, value in listed_row.items():
        if key in used or key in _NOT_SHOWN:
            continue
        text = _flat(value)
        if hide and key in _PERSONAL_EVIDENCE:
            text = _shown("id" if _PERSONAL_EVIDENCE[key] is Kind.ID_NUMBER else "date", text, hide)
        elif hide:
            text = scrub(text)  # an ID number quoted inside (a duplicate's other household)
        other.append((key, text))
    explanation = evidence.get("explanation", "")
    return Evidence(
        compared=compared, other=other, masked=hide, explanation=scrub(str(explanation))
    )


def _same(kind: str, mine: str, listed: str) -> bool:
    if kind == "id":
        return normalise_id(mine) == normalise_id(listed)
    if kind == "date":
        return _date(mine) == _date(listed)
    if kind == "region":
        code = listed.strip()
        return code.isdigit() and codes.contains(code, mine)
    return mine.strip() == listed.strip()


def _date(text: str) -> dt.date | None:
    text = text.strip()[:10].replace("/", "-").replace(".", "-")
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


def _shown(kind: str, value: str, hide: bool) -> str:
    if not hide or not value:
        return value
    if kind == "id":
        return str(masked(Kind.ID_NUMBER, value))
    if kind == "date":
        day = _date(value)
        return str(masked(Kind.BIRTH_DATE, day)) if day else "***"
    return value


def _flat(value: Any) -> str:
    if isinstance(value, list | tuple):
        return "、".join(_flat(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}：{_flat(v)}" for k, v in value.items())
    return "" if value is None else str(value)


def corrections(
    *, access: Access, county: str | None = None, year: int | None = None
) -> QuerySet[CrossCheckFlag]:
    """Return the confirmed flags (households marked for correction) the caller reads, by
    deadline: what the rectification pages list beside the assessment's items."""
    flags = _flags(access).filter(status=Status.CONFIRMED)
    if county:
        _county(access, county)
        flags = flags.filter(household__county_id=county)
    if year:
        flags = flags.filter(year=year)
    return flags.order_by("deadline", "household__household_no", "id")
