"""Writes of rectification (整改): draft items from a run's alerts, record their progress.

An item is the task that follows a red or amber alert: the finding, the office responsible,
the deadline, its status and the evidence (a note, a file, records of the ledgers). Overdue
is never stored; the selectors derive it from the deadline.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.files import File
from django.db import transaction
from django.db.models import Q

from xiezuo.access import Access, Verb
from xiezuo.assessment import catalog
from xiezuo.assessment.models import Alert, AssessmentRun, RectificationItem
from xiezuo.assessment.rectification.selectors import may_update
from xiezuo.assessment.tables import TABLES
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.programs.keys import pairing_sides, unit_codes
from xiezuo.programs.models import Programme
from xiezuo.regions.selectors import names_for

Status = RectificationItem.Status
# Tables whose records carry the pairing they belong to; the others are the registry's.
_REGISTRY_REGION = {
    "household": "county_id",
    "member": "household__county_id",
    "income": "household__county_id",
    "population": "region_id",
}


class RectificationError(XiezuoError):
    """A rectification item cannot be changed as asked."""


@dataclass(frozen=True)
class Draft:
    """What drafting a run's items did: items created, alerts that already had an item."""

    created: int
    existing: int


@transaction.atomic
def rectification_draft(
    *, access: Access, run: AssessmentRun, deadline: dt.date, user: Any = None
) -> Draft:
    """Draft one rectification item per red or amber alert of `run`.

    The caller must hold `Verb.DRAFT_RECTIFICATION` for the run's programme (ScopeError
    otherwise). Idempotent: an alert whose (indicator, unit) already has an item in this run, or an
    unfinished item from another run of the same programme-year, gets no second one. The
    responsible office defaults to the unit's office (`default_office`).
    """
    access.check(Verb.DRAFT_RECTIFICATION)
    if access.programme is None or access.programme.pk != run.programme_id:
        raise ScopeError("无权为其他项目生成整改事项", run=run.pk)
    programme = Programme.objects.select_related("helper_province").get(pk=run.programme_id)
    alerts = list(run.alerts.all())
    held = list(
        RectificationItem.objects.filter(run__programme=programme, run__year=run.year)
        .filter(Q(run=run) | ~Q(status=Status.DONE))
        .values_list("run_id", "indicator", "unit_type", "unit")
    )
    taken = {(indicator, unit_type, unit) for _, indicator, unit_type, unit in held}
    before = sum(1 for run_id, *_ in held if run_id == run.pk)
    fresh = [a for a in alerts if (a.indicator, a.unit_type, a.unit) not in taken]
    names = _region_names([(a.unit_type, a.unit) for a in fresh])
    RectificationItem.objects.bulk_create(
        (
            RectificationItem(
                run=run,
                alert=alert,
                unit_type=alert.unit_type,
                unit=alert.unit,
                indicator=alert.indicator,
                finding=finding(alert, as_of=run.as_of),
                responsible_office=default_office(programme, alert.unit_type, alert.unit, names),
                deadline=deadline,
                created_by=user if getattr(user, "is_authenticated", False) else None,
            )
            for alert in fresh
        ),
        ignore_conflicts=True,  # a second click racing the first adds nothing
    )
    created = run.rectification_items.count() - before
    return Draft(created=created, existing=len(alerts) - created)


def rectification_update(
    *,
    access: Access,
    item: RectificationItem,
    status: str | None = None,
    note: str | None = None,
    file: File | None = None,
    records: list[dict[str, Any]] | None = None,
) -> RectificationItem:
    """Change an item's status and evidence; return it.

    The caller must hold `Verb.UPDATE_RECTIFICATION` and reach the item's unit (ScopeError
    otherwise). `note` replaces the note, `file` the evidence file, `records` the linked
    records (`[{"ledger", "id"}]`, each one the caller reads). An item is done only with
    evidence: a note, a file or records.
    """
    access.check(Verb.UPDATE_RECTIFICATION)
    if (
        access.programme is None
        or access.programme.pk != item.run.programme_id
        or not may_update(access=access, item=item)
    ):
        raise ScopeError(f"无权更新 {item.unit} 的整改事项", item=item.pk)
    if status is not None and status not in Status.values:
        raise RectificationError(f"无效的整改状态 {status!r}", status=status)
    if records is not None:
        records = _checked_records(records, access=access)
    with transaction.atomic():
        current = RectificationItem.objects.select_for_update().get(pk=item.pk)
        old_file = current.evidence_file.name if file is not None else ""
        if status is not None:
            current.status = status
        if note is not None:
            current.note = note.strip()
        if records is not None:
            current.records = records
        if current.status == Status.DONE and not (
            current.note or current.records or current.evidence_file or file is not None
        ):
            raise RectificationError("标记为已完成前，请填写整改说明、上传佐证材料或关联记录")
        if file is not None:
            current.evidence_file.save(file.name or "evidence", file, save=False)
        current.save()
        if old_file and old_file != current.evidence_file.name:
            storage = current.evidence_file.storage
            transaction.on_commit(lambda: storage.delete(old_file))
    return current


def finding(alert: Alert, *, as_of: dt.date) -> str:
    """Return the finding an alert states, e.g. "截至 2019-09-30，财政援助资金 1,200.00 万元，…"."""
    indicator = catalog.indicator(alert.indicator)
    unit = "" if indicator.unit == "—" else f" {indicator.unit}"
    share = (
        f"（完成 {_figure(alert.value / alert.expected * 100, places=1)} %）"
        if alert.expected
        else ""
    )
    return (
        f"截至 {as_of.isoformat()}，{indicator.name_zh}为 {_figure(alert.value)}{unit}，"
        f"应达 {_figure(alert.expected)}{unit}{share}：{alert.get_level_display()}。"
    )


def default_office(programme: Programme, unit_type: str, unit: str, names: dict[str, str]) -> str:
    """Return the office responsible for a unit: the district's 扶贫协作办, the county's 扶贫办,
    both for a pairing, the helper province's 扶贫协作办 for the programme."""
    if unit_type == "helper":
        return f"{names.get(unit, unit)}扶贫协作办"
    if unit_type == "recipient":
        return f"{names.get(unit, unit)}扶贫办"
    if unit_type == "pairing":
        helper, recipient = pairing_sides(unit)
        return f"{names.get(helper, helper)}扶贫协作办、{names.get(recipient, recipient)}扶贫办"
    return f"{programme.helper_province.name}扶贫协作办"


def _region_names(units: list[tuple[str, str]]) -> dict[str, str]:
    return names_for(code for unit_type, unit in units for code in unit_codes(unit_type, unit))


def _checked_records(records: list[dict[str, Any]], *, access: Access) -> list[dict[str, Any]]:
    """Return the record references in a canonical form, each naming a record the caller
    reads."""
    wanted: dict[str, set[int]] = {}
    for ref in records:
        ledger = str(ref.get("ledger", ""))
        if ledger not in TABLES or ledger in ("programme", "pairing"):
            raise RectificationError(f"未知的台账 {ledger!r}", ledger=ledger)
        try:
            wanted.setdefault(ledger, set()).add(int(ref["id"]))
        except (KeyError, TypeError, ValueError):
            raise RectificationError(f"记录编号无效：{ref!r}") from None
    visible = access.pairing_ids
    for ledger, ids in wanted.items():
        manager = TABLES[ledger].model._default_manager
        if ledger in _REGISTRY_REGION:
            found = dict(manager.filter(pk__in=ids).values_list("pk", _REGISTRY_REGION[ledger]))
            allowed = {pk for pk, region in found.items() if access.covers(region)}
        else:
            found = dict(manager.filter(pk__in=ids).values_list("pk", "pairing_id"))
            allowed = {pk for pk, pairing in found.items() if pairing in visible}
        if missing := sorted(ids - allowed):
            raise RectificationError(
                f"{ledger} 台账中没有记录 {', '.join(map(str, missing))}，或不在您的权限范围内",
                ledger=ledger,
                ids=missing,
            )
    return [
        {"ledger": ledger, "id": pk} for ledger in sorted(wanted) for pk in sorted(wanted[ledger])
    ]


def _figure(value: Decimal, *, places: int = 2) -> str:
    """Return a figure as an office writes it: integers whole, others to `places` decimals."""
    if value == value.to_integral_value():
        return f"{int(value):,}"
    return f"{value.quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP):,}"
