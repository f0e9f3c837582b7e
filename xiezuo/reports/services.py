"""Writes of the self-evaluation reports: the office's paragraphs, sign-off and new versions.

A report is live until it is signed off: `report_for` builds it from the year's latest
assessment run (`xiezuo.reports.content`) with the draft paragraphs. Signing off freezes that
content — built as the assessment group reads it, so personal data in the annexes is masked
for every later reader — with the SHA-256 of its canonical JSON; later runs do not change it.
A new version is the same from the latest run, and marks the one before superseded.
"""

import re
import secrets
import zipfile
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from xiezuo.access import Access, Verb
from xiezuo.access.audit import audit
from xiezuo.access.models import AuditEvent
from xiezuo.assessment import catalog
from xiezuo.assessment.models import AssessmentRun
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.programs.models import Programme
from xiezuo.reports import selectors
from xiezuo.reports.models import ReportDraft, SignedReport

SUMMARY = "summary"
MAX_PARAGRAPHS = 30
MAX_PARAGRAPH_LENGTH = 4000
SIGN_ACTION = AuditEvent.Action.SIGN_REPORT  # a sign-off or a new version


class ReportError(XiezuoError):
    """A report cannot be built, saved or signed as asked."""


# --- reading ----------------------------------------------------------------------------------


def report_for(*, access: Access, year: int, unit_type: str, unit: str) -> dict[str, Any]:
    """Return a unit's report content: its current signed version's frozen content when there
    is one, else the live content of the year's latest run with the draft paragraphs.

    The dict carries `signoff`: None for a live report, else `{version_label, version,
    sha256, run, signed_by, signed_at, current, verified}` (not part of the hashed content;
    `verified` is False when the stored content no longer has its hash).
    """
    current = selectors.current_version(access=access, year=year, unit_type=unit_type, unit=unit)
    if current is not None:
        return signed_content(current)
    paragraphs = selectors.draft_paragraphs(
        access=access, year=year, unit_type=unit_type, unit=unit
    )
    content = live_content(
        access=access, year=year, unit_type=unit_type, unit=unit, paragraphs=paragraphs
    )
    return {**content, "signoff": None}


def signed_content(report: SignedReport) -> dict[str, Any]:
    """Return a signed version's frozen content with its `signoff`."""
    return {**report.content, "signoff": signature(report)}


def signature(report: SignedReport) -> dict[str, Any]:
    """Return what a rendering shows of a signed version (`version_label` on the cover)."""
    signed_at = timezone.localtime(report.signed_at)
    state = "" if report.is_current else "，已被替代"
    return {
        "version_label": (
            f"第 {report.version} 版（{signed_at:%Y-%m-%d}，{report.signed_by_name or '—'}"
            f"{state}）SHA-256 {report.sha256}"
        ),
        "version": report.version,
        "sha256": report.sha256,
        "run": report.run_number,
        "signed_by": report.signed_by_name,
        "signed_at": timezone.localtime(report.signed_at).isoformat(timespec="seconds"),
        "current": report.is_current,
        "verified": selectors.verified(report),
    }


def live_content(
    *,
    access: Access,
    year: int,
    unit_type: str,
    unit: str,
    paragraphs: list[dict[str, str]],
    run: AssessmentRun | None = None,
) -> dict[str, Any]:
    """Return the content of a unit's report built now from `run` (default: the year's
    latest), with `paragraphs` under the key `paragraphs`."""
    from xiezuo.reports import content as builder  # charts and narrative: loaded when used

    selectors.check_readable(access, unit_type, unit)
    run = run or selectors.report_run(access=access, year=year)
    if run is None:
        raise ReportError(f"{year} 年尚无考核结果，无法生成自评报告；请先运行考核。", year=year)
    if unit_type == "programme":
        content = builder.programme_content(access=access, run=run)
    else:
        content = builder.report_content(access=access, run=run, unit_type=unit_type, unit=unit)
    return {**content, "paragraphs": list(paragraphs)}


# --- the office's paragraphs ------------------------------------------------------------------


def paragraphs_clean(raw: Any) -> list[dict[str, str]]:
    """Return the paragraphs as stored, or raise ReportError naming the paragraph and why.

    Each is `{"after": "summary" | an area, "text": "…"}`; blank texts are dropped.
    """
    if not isinstance(raw, list):
        raise ReportError("段落须为列表")
    places = {SUMMARY, *catalog.areas()}
    cleaned = []
    for number, item in enumerate(raw, start=1):
        if not isinstance(item, dict):
            raise ReportError(f"第 {number} 段格式无效")
        after, text = item.get("after"), item.get("text")
        if not isinstance(text, str) or not isinstance(after, str):
            raise ReportError(f"第 {number} 段缺少位置或正文", paragraph=number)
        text = text.replace("\r\n", "\n").strip()
        if not text:
            continue
        if after not in places:
            raise ReportError(f"第 {number} 段的位置“{after}”不存在", paragraph=number)
        if len(text) > MAX_PARAGRAPH_LENGTH:
            raise ReportError(
                f"第 {number} 段过长（{len(text)} 字，最多 {MAX_PARAGRAPH_LENGTH} 字）",
                paragraph=number,
            )
        if any(not ch.isprintable() and ch not in "\n\t" for ch in text):
            raise ReportError(f"第 {number} 段含有控制字符", paragraph=number)
        cleaned.append({"after": after, "text": text})
    if len(cleaned) > MAX_PARAGRAPHS:
        raise ReportError(f"段落过多（{len(cleaned)} 段，最多 {MAX_PARAGRAPHS} 段）")
    return cleaned


def paragraphs_save(
    *,
    access: Access,
    year: int,
    unit_type: str,
    unit: str,
    paragraphs: Any,
    user: Any = None,
) -> ReportDraft:
    """Store the office's paragraphs of a unit's report (they go into the next sign-off)."""
    programme = _signing(access, year, unit_type, unit)
    cleaned = paragraphs_clean(paragraphs)
    draft, _ = ReportDraft.objects.update_or_create(
        programme=programme,
        year=year,
        unit_type=unit_type,
        unit=unit,
        defaults={"paragraphs": cleaned, "updated_by": _user(access, user)},
    )
    return draft


# --- sign-off and versions --------------------------------------------------------------------


def report_sign_off(
    *, access: Access, year: int, unit_type: str, unit: str, user: Any = None
) -> SignedReport:
    """Sign off a unit's report: freeze its content from the latest run, with the draft
    paragraphs, as version 1 (or the next after superseded ones). Refused while a signed
    version is current: issue a new version instead."""
    return _issue(access, year, unit_type, unit, user, replacing=False)


def report_new_version(
    *, access: Access, year: int, unit_type: str, unit: str, user: Any = None
) -> SignedReport:
    """Issue version n + 1 of a signed report from the latest run; version n stays readable,
    marked superseded."""
    return _issue(access, year, unit_type, unit, user, replacing=True)


def _issue(
    access: Access, year: int, unit_type: str, unit: str, user: Any, *, replacing: bool
) -> SignedReport:
    programme = _signing(access, year, unit_type, unit)
    run = selectors.report_run(access=access, year=year)
    paragraphs = selectors.draft_paragraphs(
        access=access, year=year, unit_type=unit_type, unit=unit
    )
    content = live_content(
        access=publication_access(programme),
        year=year,
        unit_type=unit_type,
        unit=unit,
        paragraphs=paragraphs,
        run=run,
    )
    frozen, sha256 = freeze(content)
    signer = _user(access, user)
    where = {"programme": programme, "year": year, "unit_type": unit_type, "unit": unit}
    try:
        with transaction.atomic():
            versions = SignedReport.objects.select_for_update().filter(**where)
            current = versions.filter(is_current=True).first()
            if current is not None and not replacing:
                raise ReportError(
                    f"该报告已签发（第 {current.version} 版）；如需修改请发布新版本。",
                    version=current.version,
                )
            if current is None and replacing:
                raise ReportError("该报告尚未签发，请先签发。")
            number = (versions.aggregate(n=Max("version"))["n"] or 0) + 1
            versions.filter(is_current=True).update(is_current=False)
            report = SignedReport.objects.create(
                **where,
                version=number,
                content=frozen,
                sha256=sha256,
                run=run,
                run_number=run.pk if run is not None else 0,
                signed_by=signer,
                signed_by_name=_display_name(signer, access),
                signed_at=timezone.now(),
                is_current=True,
            )
    except IntegrityError as error:
        raise ReportError("该报告刚刚由他人签发，请刷新页面后再试。") from error
    audit(
        access=access,
        action=SIGN_ACTION,
        what=f"自评报告 {year} {unit_type}:{unit} 第 {number} 版",
        region=unit if unit_type != "programme" else "",
        detail={
            "year": year,
            "unit_type": unit_type,
            "unit": unit,
            "version": number,
            "sha256": sha256,
            "run": report.run_number,
            "new_version": replacing,
        },
    )
    return report


def freeze(content: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """Return the content as stored (its canonical JSON read back, so what is stored is what
    was hashed) and the SHA-256 of that JSON."""
    import json

    content = {k: v for k, v in content.items() if k != "signoff"}
    text = selectors.canonical(content)
    return json.loads(text), selectors.digest(json.loads(text))


def publication_access(programme: Programme) -> Access:
    """Return the access a frozen report is built with (a signed report is read by every
    unit's readers): the programme as the assessment group reads it, personal data masked."""
    return Access.reader(programme)


def _signing(access: Access, year: int, unit_type: str, unit: str) -> Programme:
    programme = selectors.programme_of(access, Verb.SIGN_REPORTS)
    if year not in programme.years:
        raise ReportError(f"{year} 年不在项目期内", year=year)
    if not selectors.may_sign(access, unit_type, unit):
        raise ScopeError(f"无权编辑或签发 {unit} 的自评报告", unit=unit)
    if (unit_type, unit) not in selectors.year_units(programme, year):
        raise ReportError(f"{year} 年没有单位 {unit} 的自评报告", unit=unit)
    return programme


def _user(access: Access, user: Any) -> Any:
    if user is not None and getattr(user, "is_authenticated", False):
        return user
    if access.user_id is not None:
        return get_user_model().objects.filter(pk=access.user_id).first()
    return None


def _display_name(user: Any, access: Access) -> str:
    if user is not None:
        return (user.get_full_name() or user.get_username())[:150]
    return "(server)" if access.server else ""


# --- files: one report as PDF, HTML or XLSX; every report of a year in one zip -----------------

FORMATS = ("pdf", "html", "xlsx")


def report_version_content(
    *, access: Access, year: int, unit_type: str, unit: str, version: int | None = None
) -> dict[str, Any]:
    """Return the content of version `version` of a unit's report (its frozen content), or,
    without a version, what `report_for` returns. ReportError when there is no such version."""
    if version is None:
        return report_for(access=access, year=year, unit_type=unit_type, unit=unit)
    found = selectors.version_get(
        access=access, year=year, unit_type=unit_type, unit=unit, version=version
    )
    if found is None:
        raise ReportError(f"没有第 {version} 版", version=version)
    return signed_content(found)


def render(content: dict[str, Any], fmt: str) -> bytes:
    """Return a report's content rendered as `fmt` (pdf, html or xlsx)."""
    from xiezuo.reports import render as renderer  # WeasyPrint: loaded when a file is made
    from xiezuo.reports import xlsx

    programme = content.get("kind") == "programme"
    if fmt == "pdf":
        if programme:
            return renderer.render_programme_pdf(content)
        return renderer.render_pdf(content)
    if fmt == "html":
        page = (
            renderer.render_programme_html(content) if programme else renderer.render_html(content)
        )
        return page.encode("utf-8")
    if fmt == "xlsx":
        import tempfile

        with tempfile.TemporaryDirectory() as scratch:
            path = Path(scratch) / "report.xlsx"
            (xlsx.write_programme_workbook if programme else xlsx.write_workbook)(content, path)
            return path.read_bytes()
    raise ReportError(f"不支持的格式：{fmt}")


def file_name(content: dict[str, Any], fmt: str) -> str:
    """Return the download name of a report: 年度-自评报告-单位名称(代码)[-v版本].格式."""
    unit = content.get("unit") or {}
    if content.get("kind") == "programme":
        who = (content.get("programme") or {}).get("name", "项目")
    else:
        who = f"{unit.get('name', '')}({unit.get('code', '')})"
    signed = content.get("signoff")
    version = f"-v{signed['version']}" if signed else "-草稿"
    name = f"{content.get('year')}年自评报告-{who}{version}.{fmt}"
    return "".join(ch if ch.isprintable() and ch not in '/\\:*?"<>|' else "_" for ch in name)


def report_document(
    *,
    access: Access,
    year: int,
    unit_type: str,
    unit: str,
    fmt: str,
    version: int | None = None,
) -> tuple[bytes, str]:
    """Return one report as a file (its bytes and download name); the download is audited."""
    if fmt not in FORMATS:
        raise ReportError(f"不支持的格式：{fmt}")
    content = report_version_content(
        access=access, year=year, unit_type=unit_type, unit=unit, version=version
    )
    data = render(content, fmt)
    if fmt != "html":
        audit(
            access=access,
            action=AuditEvent.Action.EXPORT,
            what=f"自评报告 {year} {unit_type}:{unit} {fmt}",
            region=unit if unit_type != "programme" else "",
            detail={"version": (content.get("signoff") or {}).get("version")},
        )
    return data, file_name(content, fmt)


def zip_directory() -> Path:
    """Return where the zips of a year's reports are written (inside the data directory)."""
    return Path(settings.DATA_DIR) / "reports" / "zip"


ZIP_NAME = re.compile(r"reports-[a-z0-9-]+-[0-9]{4}-[0-9]{14}-[0-9a-f]{8}\.zip")


def reports_zip_write(*, access: Access, year: int, progress: Any = None) -> Path:
    """Write every unit's report of `year` as PDF (and the programme's) into one zip in the
    data directory; return its path. For the programme office. A unit whose report cannot be
    made (no result in the run) is listed in `无法生成.txt` inside the zip."""
    programme = selectors.programme_of(access, Verb.SIGN_REPORTS)
    if not selectors.may_sign(access, "programme", programme.key):
        raise ScopeError("只有协作办可以打包下载全部自评报告")
    if year not in programme.years:
        raise ReportError(f"{year} 年不在项目期内", year=year)
    directory = zip_directory()
    directory.mkdir(parents=True, exist_ok=True)
    stamp = timezone.localtime().strftime("%Y%m%d%H%M%S")
    target = directory / f"reports-{programme.key}-{year}-{stamp}-{secrets.token_hex(4)}.zip"
    partial = target.with_suffix(".part")
    units = selectors.year_units(programme, year)
    failed = []
    with zipfile.ZipFile(partial, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, (unit_type, unit) in enumerate(units, start=1):
            try:
                content = report_for(access=access, year=year, unit_type=unit_type, unit=unit)
            except XiezuoError as error:
                failed.append(f"{unit_type}:{unit}\t{error.message}")
                continue
            archive.writestr(file_name(content, "pdf"), render(content, "pdf"))
            if progress is not None:
                progress(done, len(units))
        if failed:
            archive.writestr("无法生成.txt", "\n".join(failed) + "\n")
    partial.replace(target)
    audit(
        access=access,
        action=AuditEvent.Action.EXPORT,
        what=f"自评报告 {year} 全部（{len(units) - len(failed)} 份）",
        detail={"year": year, "file": target.name, "failed": len(failed)},
    )
    return target
