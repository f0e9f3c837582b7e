"""Shape the precision and monitoring reports for the pages: no queries here, only
arrangement and arithmetic over what the selectors returned."""

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from xiezuo.precision.reports import (
    CATEGORIES,
    OVERDUE_CONFIRM,
    OVERDUE_MEASURE,
    OVERDUE_NOTICE,
    STATUSES,
    Case,
    CountyExit,
    Gap,
    PrecisionReport,
    VillageExit,
)
from xiezuo.precision.rules import Rules

OVERDUE_LABELS = {
    OVERDUE_CONFIRM: "逾期未确认",
    OVERDUE_NOTICE: "公示未完成",
    OVERDUE_MEASURE: "措施逾期",
}

VILLAGE_SUFFIXES = (("村民委员会", "村"), ("居民委员会", ""), ("村委会", "村"))


def short_village(name: str) -> str:
    """Return a village's name as people say it: 大沟房村民委员会 → 大沟房村, 怡安社区居民委员会 →
    怡安社区 (the division table names the committee)."""
    for suffix, spoken in VILLAGE_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix):
            stem = name.removesuffix(suffix)
            return stem if stem.endswith(spoken) else stem + spoken
    return name


# --- the county page -------------------------------------------------------------------------


@dataclass(frozen=True)
class Check:
    """One test of the county exit checklist: its value, the threshold and the outcome."""

    key: str
    label: str
    value: float | None
    threshold: str  # e.g. "< 2.00 %"
    passes: bool


def exit_checks(county: CountyExit, rules: Rules) -> list[Check]:
    """Return the four tests of 摘帽 for `county` with the year's thresholds (no value: fails)."""

    def below(value: float | None, limit: float) -> bool:
        return value is not None and value < limit

    def at_most(value: float | None, limit: float) -> bool:
        return value is not None and value <= limit

    def at_least(value: float | None, limit: float) -> bool:
        return value is not None and value >= limit

    return [
        Check(
            "incidence",
            "贫困发生率",
            county.incidence,
            f"< {rules.county_exit_incidence:.2f} %",
            below(county.incidence, rules.county_exit_incidence),
        ),
        Check(
            "missed_rate",
            "漏评率",
            county.missed_rate,
            f"≤ {rules.county_max_missed_rate:.2f} %",
            at_most(county.missed_rate, rules.county_max_missed_rate),
        ),
        Check(
            "wrong_exit_rate",
            "错退率",
            county.wrong_exit_rate,
            f"≤ {rules.county_max_wrong_exit_rate:.2f} %",
            at_most(county.wrong_exit_rate, rules.county_max_wrong_exit_rate),
        ),
        Check(
            "approval",
            "群众认可度",
            county.approval,
            f"≥ {rules.county_min_approval:.2f} %",
            at_least(county.approval, rules.county_min_approval),
        ),
    ]


@dataclass(frozen=True)
class GapLine:
    gap: Gap
    village_name: str


@dataclass(frozen=True)
class VillageBar:
    """A village of the sorted incidence list, with its bar's width against the highest."""

    village: VillageExit
    township_name: str
    share: float  # 0–100
    flagged: bool  # at or above the village exit threshold


def village_bars(villages: list[VillageExit], townships: Mapping[str, str]) -> list[VillageBar]:
    """Return the villages by incidence, highest first (those without a value last)."""
    ranked = sorted(
        villages,
        key=lambda v: (v.incidence is None, -(v.incidence or 0), v.village),
    )
    highest = max((v.incidence or 0 for v in villages), default=0) or 1
    return [
        VillageBar(
            village=v,
            township_name=townships.get(v.township, v.township),
            share=round((v.incidence or 0) / highest * 100, 1),
            flagged=v.incidence is not None and not v.passes,
        )
        for v in ranked
    ]


def treemap_data(
    villages: list[VillageExit], townships: Mapping[str, str], *, threshold: float
) -> dict:
    """Return the village chart's data: townships holding their villages, each village sized
    by its population (its poor people without one) and coloured by its incidence."""
    by_township: dict[str, list[dict]] = {}
    for v in sorted(villages, key=lambda v: v.village):
        size = v.population if v.population else max(v.poor_people, 1)
        by_township.setdefault(v.township, []).append(
            {
                "name": short_village(v.name),
                "code": v.village,
                "value": [size, v.incidence],
                "population": v.population,
                "poor": v.poor_people,
                "incidence": v.incidence,
                "flagged": v.incidence is not None and not v.passes,
            }
        )
    return {
        "threshold": threshold,
        "townships": [
            {"name": townships.get(code, code), "code": code, "children": children}
            for code, children in sorted(by_township.items())
        ],
    }


def county_context(
    report: PrecisionReport,
    *,
    county: str,
    rules: Rules,
    townships: Mapping[str, str],
    village_names: Mapping[str, str],
) -> dict:
    """Return the template context of a county's 精准帮扶 page for the report's year."""
    exit_ = next((c for c in report.counties if c.county == county), None)
    names = {**village_names, **{v.village: v.name for v in report.villages}}
    villages = [v for v in report.villages if v.county == county]
    return {
        "county_exit": exit_,
        "checks": exit_checks(exit_, rules) if exit_ else [],
        "to_exit": [
            (code, names.get(code, code), people) for code, people in exit_.villages_to_exit
        ]
        if exit_
        else [],
        "gaps": [
            GapLine(gap=g, village_name=names.get(g.village, g.village))
            for g in sorted(report.gaps, key=lambda g: (g.village, g.household))
        ],
        "wrong_exits": report.wrong_exits,
        "ready_to_exit": report.ready_to_exit,
        "bars": village_bars(villages, townships),
        "flagged_villages": sum(1 for v in villages if v.incidence is not None and not v.passes),
        "chart": treemap_data(villages, townships, threshold=rules.village_exit_incidence),
        "rules": rules,
    }


# --- the monitoring board -------------------------------------------------------------------


@dataclass(frozen=True)
class CaseRow:
    """A case on the board: the case, its village's name and which deadlines are missed."""

    case: Case
    village_name: str

    @property
    def overdue_confirm(self) -> bool:
        return OVERDUE_CONFIRM in self.case.overdue

    @property
    def overdue_notice(self) -> bool:
        return OVERDUE_NOTICE in self.case.overdue

    @property
    def overdue_measure(self) -> bool:
        return OVERDUE_MEASURE in self.case.overdue

    @property
    def overdue_labels(self) -> list[str]:
        return [OVERDUE_LABELS.get(key, key) for key in self.case.overdue]


@dataclass(frozen=True)
class CountLine:
    """Cases of one category (or all of them) by status."""

    category: str
    by_status: list[int]
    total: int
    overdue: int


def case_counts(cases: Iterable[Case]) -> list[CountLine]:
    """Return cases by category and status, then every case once (a household of several
    categories counts under each of them, and once in the last line)."""
    cases = list(cases)
    lines = []
    for category in (*CATEGORIES, None):
        chosen = [c for c in cases if category is None or category in c.categories]
        lines.append(
            CountLine(
                category=category or "合计（每户一次）",
                by_status=[sum(1 for c in chosen if c.status == s) for s in STATUSES],
                total=len(chosen),
                overdue=sum(1 for c in chosen if c.overdue),
            )
        )
    return lines


def filter_cases(
    cases: Iterable[Case],
    *,
    category: str = "",
    status: str = "",
    village: str = "",
    overdue: bool = False,
) -> list[Case]:
    """Return the cases matching every filter given (an empty filter matches all)."""
    return [
        c
        for c in cases
        if (not category or category in c.categories)
        and (not status or c.status == status)
        and (not village or c.village == village)
        and (not overdue or c.overdue)
    ]


def case_rows(cases: Iterable[Case], village_names: Mapping[str, str]) -> list[CaseRow]:
    return [CaseRow(case=c, village_name=village_names.get(c.village, c.village)) for c in cases]


@dataclass(frozen=True)
class Step:
    """A step of a case's deadlines: what is due, by when, whether done and whether late."""

    key: str
    label: str
    due: dt.date | None
    done: str  # what was recorded, or empty
    overdue: bool


def case_steps(case: Case) -> list[Step]:
    """Return the case's deadlines in order: confirmation, village notice, first measure,
    elimination."""
    notice = (
        f"{case.notice_from:%Y-%m-%d} 至 {case.notice_to:%Y-%m-%d}"
        if case.notice_from and case.notice_to
        else ""
    )
    return [
        Step(
            OVERDUE_CONFIRM,
            "确认监测对象",
            case.confirm_by,
            f"{case.confirmed_on:%Y-%m-%d}" if case.confirmed_on else "",
            OVERDUE_CONFIRM in case.overdue,
        ),
        Step(OVERDUE_NOTICE, "村内公示", None, notice, OVERDUE_NOTICE in case.overdue),
        Step(
            OVERDUE_MEASURE,
            "落实帮扶措施",
            case.measure_by,
            f"{case.first_measure:%Y-%m-%d}" if case.first_measure else "",
            OVERDUE_MEASURE in case.overdue,
        ),
        Step(
            "eliminated",
            "风险消除",
            None,
            f"{case.eliminated_on:%Y-%m-%d}" if case.eliminated_on else "",
            False,
        ),
    ]


def timeline_kind(text: str) -> str:
    """Return the CSS kind of a timeline event from its text (for its dot's colour)."""
    for word, kind in (
        ("线索", "clue"),
        ("确认", "confirmed"),
        ("公示", "notice"),
        ("措施", "measure"),
        ("消除", "eliminated"),
    ):
        if word in text:
            return kind
    return "other"
