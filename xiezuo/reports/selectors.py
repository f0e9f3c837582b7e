"""Reads of the self-evaluation reports: which units' reports a caller reads or signs, their
signed versions (hash verified on read), the office's draft paragraphs, the run a live
report is built from.

A report is read by the callers who may `view_reports` and reach its unit
(`Access.units`): a helper district's and a recipient county's offices their own unit, a
helper office also the counties it is paired with (those no other helper shares), the
programme office and the assessors every unit. It is signed off (and its
paragraphs edited) under `sign_reports` by the unit's own office or the programme office.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from xiezuo.access import Access, Verb
from xiezuo.assessment.models import AssessmentRun
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError
from xiezuo.programs.models import Programme
from xiezuo.regions.selectors import names_for
from xiezuo.reports.models import ReportDraft, ReportUnitType, SignedReport

UNIT_TYPES = tuple(ReportUnitType.values)
UNIT_ORDER = {"programme": 0, "helper": 1, "recipient": 2}


def canonical(content: Any) -> bytes:
    """Return the canonical JSON of a report's content: sorted keys, UTF-8, no spaces.

    Values JSON has no type for (dates, decimals) are written as their text.
    """
    return json.dumps(
        content, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str
    ).encode("utf-8")


def digest(content: Any) -> str:
    """Return the SHA-256 (hex) of a report's canonical JSON."""
    return hashlib.sha256(canonical(content)).hexdigest()


def verified(report: SignedReport) -> bool:
    """Return True when a signed version's stored content still has its stored hash."""
    return digest(report.content) == report.sha256


def programme_of(access: Access, verb: Verb = Verb.VIEW_REPORTS) -> Programme:
    """Return the caller's programme once the caller is known to hold `verb`."""
    access.check(verb)
    if access.programme is None:
        raise ScopeError("没有可查看的项目")
    return access.programme


def readable(access: Access, unit_type: str, unit: str) -> bool:
    """Return True when the caller reads the report of the unit."""
    if not access.may(Verb.VIEW_REPORTS) or access.programme is None:
        return False
    if unit_type == "programme":
        return unit == access.programme.key and access.programme_wide(Verb.VIEW_REPORTS)
    # A unit reached (`Access.units`): its own office; a helper office also the counties
    # only it helps; the programme office and the assessors every unit.
    return unit_type in ("helper", "recipient") and access.reaches((unit_type, unit))


def may_sign(access: Access, unit_type: str, unit: str) -> bool:
    """Return True when the caller edits the paragraphs of the unit's report and signs it off:
    its own office (a county office its county, a helper office its district), or the
    programme office for every unit and the programme's own report."""
    if access.programme is None or not access.may(Verb.SIGN_REPORTS):
        return False
    if unit_type == "programme":
        return unit == access.programme.key and access.programme_wide(Verb.SIGN_REPORTS)
    if unit_type == "helper":
        side = access.programme.helper_province_id
    elif unit_type == "recipient":
        side = access.programme.recipient_province_id
    else:
        return False
    return codes.contains(side, unit) and access.may_in(Verb.SIGN_REPORTS, unit)


def check_readable(access: Access, unit_type: str, unit: str) -> Programme:
    """Return the caller's programme, or raise ScopeError unless the caller reads the unit."""
    programme = programme_of(access)
    if not readable(access, unit_type, unit):
        raise ScopeError(f"无权查看 {unit} 的自评报告", unit=unit)
    return programme


@dataclass(frozen=True)
class ReportUnit:
    """A unit of the year as the list of reports shows it."""

    unit_type: str
    unit: str
    name: str
    current: SignedReport | None
    versions: int
    may_sign: bool

    @property
    def type_label(self) -> str:
        return ReportUnitType(self.unit_type).label


def year_units(programme: Programme, year: int) -> list[tuple[str, str]]:
    """Return the units with a report in `year`: the programme, then the helper districts and
    the recipient counties of the pairings in force during the year."""
    active = programme.pairings.filter(start_date__year__lte=year).filter(
        Q(end_date__isnull=True) | Q(end_date__year__gte=year)
    )
    sides = set(active.values_list("helper_id", "recipient_id"))
    units = [("programme", programme.key)]
    units += [("helper", code) for code in sorted({h for h, _ in sides})]
    units += [("recipient", code) for code in sorted({r for _, r in sides})]
    return units


def unit_name(programme: Programme, unit_type: str, unit: str, names: dict[str, str]) -> str:
    if unit_type == "programme":
        return programme.name
    return names.get(unit, unit)


def report_units(*, access: Access, year: int) -> list[ReportUnit]:
    """Return the units of `year` whose reports the caller reads, with their current version."""
    programme = programme_of(access)
    units = [u for u in year_units(programme, year) if readable(access, *u)]
    names = names_for(code for kind, code in units if kind != "programme")
    signed: dict[tuple[str, str], list[SignedReport]] = {}
    for report in SignedReport.objects.filter(programme=programme, year=year).defer("content"):
        signed.setdefault((report.unit_type, report.unit), []).append(report)
    rows = []
    for unit_type, unit in units:
        versions = signed.get((unit_type, unit), [])
        current = next((v for v in versions if v.is_current), None)
        rows.append(
            ReportUnit(
                unit_type=unit_type,
                unit=unit,
                name=unit_name(programme, unit_type, unit, names),
                current=current,
                versions=len(versions),
                may_sign=may_sign(access, unit_type, unit),
            )
        )
    return rows


def report_versions(*, access: Access, year: int, unit_type: str, unit: str) -> list[SignedReport]:
    """Return the signed versions of a unit's report, newest first."""
    programme = check_readable(access, unit_type, unit)
    return list(
        SignedReport.objects.filter(
            programme=programme, year=year, unit_type=unit_type, unit=unit
        ).order_by("-version")
    )


def current_version(*, access: Access, year: int, unit_type: str, unit: str) -> SignedReport | None:
    """Return the current signed version of a unit's report, None while it is unsigned."""
    programme = check_readable(access, unit_type, unit)
    return SignedReport.objects.filter(
        programme=programme, year=year, unit_type=unit_type, unit=unit, is_current=True
    ).first()


def version_get(
    *, access: Access, year: int, unit_type: str, unit: str, version: int
) -> SignedReport | None:
    """Return one signed version of a unit's report, None when there is no such version."""
    programme = check_readable(access, unit_type, unit)
    return SignedReport.objects.filter(
        programme=programme, year=year, unit_type=unit_type, unit=unit, version=version
    ).first()


def draft_paragraphs(*, access: Access, year: int, unit_type: str, unit: str) -> list[dict]:
    """Return the office's draft paragraphs of a unit's report (empty when none)."""
    programme = check_readable(access, unit_type, unit)
    draft = ReportDraft.objects.filter(
        programme=programme, year=year, unit_type=unit_type, unit=unit
    ).first()
    return list(draft.paragraphs) if draft is not None else []


def report_run(*, access: Access, year: int) -> AssessmentRun | None:
    """Return the run a live report of `year` is built from: the year's latest stored run."""
    programme = programme_of(access)
    return (
        AssessmentRun.objects.filter(programme=programme, year=year)
        .select_related("programme")
        .order_by("-created", "-id")
        .first()
    )
