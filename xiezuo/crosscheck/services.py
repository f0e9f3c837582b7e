"""Writes of the cross-check review queue: store a run's flags, confirm or dismiss one.

`flags_store` keeps a run's `Flag`s (`checks.flags_for`) under a stable fingerprint: a new one
waits for review (待核实); one seen again keeps its decision and has its evidence refreshed;
one a later run of the same county and year no longer produces is kept, decision and all,
with `current` false and its `last_seen` left as it was (the queue shows it as no longer
produced; a person still decides it: nothing is dropped without a decision).

`flag_confirm` marks the household for correction (the flag itself is the marker: reason,
deadline, who and when; the rectification pages list confirmed flags with their deadlines);
`flag_dismiss` records why the flag is wrong. Both need `Verb.REVIEW_CROSSCHECKS` over the
flag's county and are written to the audit log. A decided flag is not decided again. Nothing
here changes the register.
"""

import datetime as dt
import hashlib
import json
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from xiezuo.access import Access, Verb
from xiezuo.access.audit import audit
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.core.ids import normalise_id
from xiezuo.crosscheck.flags import Flag
from xiezuo.crosscheck.models import CrossCheckFlag
from xiezuo.registry.models import Household, Member

Status = CrossCheckFlag.Status
AUDIT_ACTION = "crosscheck"  # the audit log's action of a review decision
REASON_MAX = 2000
# Evidence keys that describe the match rather than the list row: left out of the fingerprint,
# so that a new score or wording of the same finding is the same flag.
# The fields a run refreshes on a flag seen again (never its decision).
REFRESHED = ("score", "match", "severity", "evidence", "last_seen", "current")
_VOLATILE = frozenset(
    {"score", "why", "reason", "explanation", "threshold", "label", "severity"}
    | {"agreed", "differed"}
)
_PERSONAL_KEYS = frozenset({"证件号码", "出生日期", "id_number", "birth_date", "person"})


class ReviewError(XiezuoError):
    """A decision on a cross-check flag that cannot be taken as asked."""


def fingerprint(flag: Flag, *, year: int, person: str | None = None) -> str:
    """Return the stable key of a flag: year, rule, source, the person (or household) and the
    list record.

    `person` is the member's ID number as registered (default: the flag's). The list record is
    named by `evidence["key"]` when the checks give one, otherwise by the list row's fields
    (`evidence["record"]`, or the evidence itself) other than the personal ones, which a run
    by a caller without the right hands over masked; never by its database id: a list is
    replaced whole every year, and the same row read again is the same finding.
    """
    who = normalise_id(person if person is not None else flag.person)
    record = flag.evidence.get("key")
    if record is None:
        row = flag.evidence.get("record", flag.evidence)
        record = {k: v for k, v in row.items() if k not in _VOLATILE | _PERSONAL_KEYS}
    facts = [year, flag.rule, flag.source, who or f"household:{flag.household}", record]
    text = json.dumps(facts, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(text.encode()).hexdigest()


def _reviewing(access: Access, region: str | None) -> None:
    """Refuse (ScopeError) a caller who may not review flags in `region` (None: everywhere)."""
    access.check(Verb.REVIEW_CROSSCHECKS)
    programme = access.programme
    if programme is None:
        raise ScopeError("没有选定项目")
    wanted = [region] if region else [programme.helper_province_id, programme.recipient_province_id]
    if not all(access.may_in(Verb.REVIEW_CROSSCHECKS, code) for code in wanted):
        where = region or "全部受援县"
        raise ScopeError(f"无权核查 {where} 的比对结果", region=region or "")


def flags_store(
    *,
    access: Access,
    year: int,
    region: str | None,
    flags: Iterable[Flag],
    fuzzy: bool = True,
) -> int:
    """Store the flags of one run of the checks over `region` (a county, or None: the whole
    programme) in `year`; return how many were stored (new or seen again).

    Flags of households outside `region` or outside the register are skipped. A flag's
    household and member are taken from its ids when it carries them, else from its 户编号
    and 证件号码. The stored flags of `region` and `year` that this run did not produce lose
    `current` (when `fuzzy` is false, only the exact ones: a run without fuzzy linkage says
    nothing of fuzzy flags).
    """
    _reviewing(access, region)
    flags = list(flags)
    now = timezone.now()
    households = _households(flags, region=region)
    members = _members(flags)
    seen: set[str] = set()
    stored = 0

    def registered(flag: Flag) -> Member | None:
        return members.get(flag.member_id or normalise_id(flag.person))

    def key_of(flag: Flag) -> str:
        member = registered(flag)
        return fingerprint(flag, year=year, person=member.id_number if member else None)

    with transaction.atomic():
        known = {
            f.fingerprint: f
            for f in CrossCheckFlag.objects.select_for_update().filter(
                fingerprint__in=[key_of(flag) for flag in flags]
            )
        }
        fresh: list[CrossCheckFlag] = []
        changed: list[CrossCheckFlag] = []
        for flag in flags:
            household = households.get(flag.household_id or flag.household)
            if household is None:
                continue
            key = key_of(flag)
            if key in seen:
                continue
            seen.add(key)
            member = registered(flag)
            if member is not None and member.household_id != household.pk:
                member = None
            values = {
                "score": float(flag.score),
                "match": flag.match,
                "severity": flag.severity,
                "evidence": _jsonable(flag.evidence),
                "last_seen": now,
                "current": True,
            }
            row = known.get(key)
            if row is None:
                fresh.append(
                    CrossCheckFlag(
                        fingerprint=key,
                        year=year,
                        household=household,
                        member=member,
                        person=member.id_number if member else flag.person,
                        rule=flag.rule,
                        source=flag.source,
                        first_seen=now,
                        **values,
                    )
                )
            else:
                for name, value in values.items():
                    setattr(row, name, value)
                changed.append(row)
            stored += 1
        CrossCheckFlag.objects.bulk_create(fresh, batch_size=1000)
        CrossCheckFlag.objects.bulk_update(changed, list(REFRESHED), batch_size=1000)
        gone = CrossCheckFlag.objects.filter(year=year, current=True).exclude(fingerprint__in=seen)
        if region:
            gone = gone.filter(_in_region(region))
        if not fuzzy:
            gone = gone.filter(match=CrossCheckFlag.Match.EXACT)
        gone.update(current=False)
    return stored


def _in_region(region: str, *, via: str = "household__") -> Q:
    """Return the filter of rows whose household lies in `region` (`via`: the lookup to it)."""
    level = codes.level_of(region)
    if level is codes.Level.VILLAGE:
        return Q(**{f"{via}village_id": region})
    if level is codes.Level.COUNTY:
        return Q(**{f"{via}county_id": region})
    if level is codes.Level.TOWNSHIP:
        return Q(**{f"{via}village__parent_id": region})
    return Q(**{f"{via}county__code__startswith": codes.prefix(region)})


def _households(flags: list[Flag], *, region: str | None) -> dict[Any, Household]:
    """Return the registered households the flags name, by id and by 户编号, inside `region`."""
    ids = {f.household_id for f in flags if f.household_id is not None}
    numbers = {f.household for f in flags if f.household_id is None}
    found: dict[Any, Household] = {}
    for field, values in (("pk__in", ids), ("household_no__in", numbers)):
        if not values:
            continue
        rows = Household.objects.filter(registered=True, **{field: list(values)})
        if region:
            rows = rows.filter(_in_region(region, via=""))
        for household in rows.only("pk", "household_no", "village_id", "county_id"):
            found[household.pk if field == "pk__in" else household.household_no] = household
    return found


def _members(flags: list[Flag]) -> dict[Any, Member]:
    """Return the members the flags name, by id and by normalised 证件号码."""
    ids = {f.member_id for f in flags if f.member_id is not None}
    numbers = {normalise_id(f.person) for f in flags if f.member_id is None and f.person}
    found: dict[Any, Member] = {}
    if ids:
        found |= {m.pk: m for m in Member.objects.filter(pk__in=ids).only("pk", "household_id")}
    if numbers:
        found |= {
            m.id_number: m
            for m in Member.objects.filter(id_number__in=numbers).only(
                "pk", "household_id", "id_number"
            )
        }
    return found


def _jsonable(evidence: dict[str, Any]) -> dict[str, Any]:
    """Return the evidence as JSON keeps it (dates as ISO text, decimals as text)."""
    return json.loads(json.dumps(evidence, ensure_ascii=False, default=_text))


def _text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


# --- decisions --------------------------------------------------------------------------------


def _deciding(*, access: Access, flag: CrossCheckFlag, reason: str) -> str:
    """Check that the caller may decide `flag` and that it is undecided; return the reason."""
    access.check(Verb.REVIEW_CROSSCHECKS)
    village = flag.household.village_id
    if not access.covers(village):
        raise ScopeError(f"比对疑点 {flag.pk} 不存在或不在您的权限范围内", flag=flag.pk)
    if not access.may_in(Verb.REVIEW_CROSSCHECKS, village):
        raise ScopeError(
            f"只有户 {flag.household.household_no} 所在县扶贫办（或协作办）可以处理这条比对疑点",
            flag=flag.pk,
        )
    text = (reason or "").strip()
    if not text:
        raise ReviewError("请填写理由", field="reason")
    if len(text) > REASON_MAX:
        raise ReviewError(f"理由不能超过 {REASON_MAX} 字", field="reason")
    return text


def _decide(
    *,
    access: Access,
    flag: CrossCheckFlag,
    status: str,
    reason: str,
    deadline: dt.date | None,
) -> CrossCheckFlag:
    with transaction.atomic():
        current = (
            CrossCheckFlag.objects.select_for_update().select_related("household").get(pk=flag.pk)
        )
        if current.status != Status.PENDING:
            raise ReviewError(
                f"这条比对疑点已于 {timezone.localtime(current.decided_at):%Y-%m-%d %H:%M} "
                f"由 {current.decided_by_name or '系统'}"
                f"{current.get_status_display().removeprefix('已')}，不能重复处理",
                flag=flag.pk,
                status=current.status,
            )
        event = audit(
            access=access,
            action=AUDIT_ACTION,
            what=f"比对疑点 {current.pk}（户 {current.household.household_no}）",
            rows=1,
            region=current.household.village_id,
            detail={
                "flag": current.pk,
                "decision": status,
                "rule": current.rule,
                "source": current.source,
                "year": current.year,
                "household": current.household.household_no,
                "reason": reason,
                "deadline": deadline.isoformat() if deadline else None,
            },
        )
        current.status = status
        current.reason = reason
        current.deadline = deadline
        current.decided_at = timezone.now()
        current.decided_by_id = access.user_id
        current.decided_by_name = event.username
        current.save(
            update_fields=[
                "status",
                "reason",
                "deadline",
                "decided_at",
                "decided_by",
                "decided_by_name",
            ]
        )
    return current


def flag_confirm(
    *,
    access: Access,
    flag: CrossCheckFlag,
    reason: str,
    deadline: dt.date | None,
    today: dt.date | None = None,
) -> CrossCheckFlag:
    """Confirm `flag`: the household is marked for correction by `deadline`, for `reason`.

    Reason and deadline are required; the deadline lies on or after `today` (default: the
    local date). ScopeError when the caller may not review the flag's county; ReviewError for
    a missing reason or deadline, or a flag already decided.
    """
    text = _deciding(access=access, flag=flag, reason=reason)
    if deadline is None:
        raise ReviewError("确认疑点须填写整改期限", field="deadline")
    if deadline < (today or timezone.localdate()):
        raise ReviewError(f"整改期限 {deadline:%Y-%m-%d} 早于今天", field="deadline")
    return _decide(
        access=access, flag=flag, status=Status.CONFIRMED, reason=text, deadline=deadline
    )


def flag_dismiss(*, access: Access, flag: CrossCheckFlag, reason: str) -> CrossCheckFlag:
    """Dismiss `flag` (not a problem of the register) for `reason`, which is required.

    ScopeError when the caller may not review the flag's county; ReviewError for a missing
    reason or a flag already decided.
    """
    text = _deciding(access=access, flag=flag, reason=reason)
    return _decide(access=access, flag=flag, status=Status.DISMISSED, reason=text, deadline=None)


def crosscheck_run(*, access: Access, year: int, county: str, fuzzy: bool = True) -> int:
    """Run the checks of `year` over `county` and store their flags; return how many.

    The caller must review cross-checks in the county. The checks run with the operator's
    access over that county only, so the stored evidence is whole (the pages mask it per
    viewer) and a duplicate in another county of the programme is found whoever asks.
    """
    from xiezuo.crosscheck.checks import flags_for

    _reviewing(access, county)
    programme = access.programme
    assert programme is not None  # _reviewing refuses a caller without one
    flags = flags_for(access=Access.operator(programme), year=year, region=county, fuzzy=fuzzy)
    return flags_store(access=access, year=year, region=county, flags=flags, fuzzy=fuzzy)
