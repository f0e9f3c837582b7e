"""Pure arithmetic of precision work and monitoring (docs/precision.md): the what-if of a
county's exit, the exit tests against thresholds, the as-of day, a case's categories,
reasons, status and deadlines. No database here: the selectors compute the per-household
flags and figures over the database and hand them to these functions."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from fractions import Fraction
from typing import NamedTuple

from xiezuo.precision.reports import (
    ELIMINATED,
    HELPING,
    MARGINAL,
    OVERDUE_CONFIRM,
    OVERDUE_MEASURE,
    OVERDUE_NOTICE,
    PENDING,
    SUDDEN,
    UNSTABLE,
)
from xiezuo.precision.rules import Rules


def _fraction(value: float | Decimal | int) -> Fraction:
    """Return a threshold as the exact fraction it is written as (2.0 → 2, 0.1 → 1/10)."""
    return Fraction(str(value))


def incidence(poor: int, population: int | None) -> float | None:
    """Return poor ÷ population × 100 rounded to two places; None without a population."""
    if not population:
        return None
    return round(poor * 100 / population, 2)


def below_incidence(poor: int, population: int | None, threshold: float) -> bool:
    """Return True when poor ÷ population × 100 < threshold, exactly (False without a
    population)."""
    if not population:
        return False
    return Fraction(poor * 100, population) < _fraction(threshold)


def people_to_exit(poor: int, population: int | None, threshold: float) -> int:
    """Return the fewest n with (poor − n) ÷ population × 100 < threshold, exactly.

    Population 1000 and threshold 2 %: at most 19 poor people may remain, so 25 poor → 6.
    Without a population there is nothing to reach: 0.
    """
    if not population:
        return 0
    limit = _fraction(threshold) * population / 100  # remaining poor must be < limit
    most_remaining = -((-limit.numerator) // limit.denominator) - 1  # ceil(limit) − 1
    return max(0, poor - max(most_remaining, 0))


def villages_holding(poor_by_village: dict[str, int], needed: int) -> tuple[tuple[str, int], ...]:
    """Return (village, poor people), largest first (then by code), just enough villages for
    their poor people to reach `needed`; empty when nothing is needed."""
    chosen: list[tuple[str, int]] = []
    total = 0
    ranked = sorted(
        ((code, n) for code, n in poor_by_village.items() if n > 0), key=lambda r: (-r[1], r[0])
    )
    for code, poor in ranked:
        if total >= needed:
            break
        chosen.append((code, poor))
        total += poor
    return tuple(chosen)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:g}%"


def county_failing(
    *,
    rules: Rules,
    population: int | None,
    poor: int,
    missed_rate: Decimal | None,
    wrong_exit_rate: Decimal | None,
    approval: Decimal | None,
) -> tuple[str, ...]:
    """Return the tests of 摘帽 a county fails, as Chinese labels (empty: it passes)."""
    failing: list[str] = []
    if not population:
        failing.append("无人口数据")
    elif not below_incidence(poor, population, rules.county_exit_incidence):
        failing.append(
            f"贫困发生率 {_percent(incidence(poor, population))}"
            f" 未低于 {_percent(rules.county_exit_incidence)}"
        )
    if missed_rate is None or wrong_exit_rate is None or approval is None:
        failing.append("无核查数据")
        return tuple(failing)
    if _fraction(missed_rate) > _fraction(rules.county_max_missed_rate):
        failing.append(f"漏评率 {missed_rate}% 高于 {_percent(rules.county_max_missed_rate)}")
    if _fraction(wrong_exit_rate) > _fraction(rules.county_max_wrong_exit_rate):
        failing.append(
            f"错退率 {wrong_exit_rate}% 高于 {_percent(rules.county_max_wrong_exit_rate)}"
        )
    if _fraction(approval) < _fraction(rules.county_min_approval):
        failing.append(f"群众认可度 {approval}% 低于 {_percent(rules.county_min_approval)}")
    return tuple(failing)


def default_as_of(year: int, today: date) -> date:
    """Return the as-of day of a year's monitoring: today while the year runs, else its
    last day."""
    return today if today.year == year else date(year, 12, 31)


def per_capita(net: Decimal | None, size: int) -> Decimal | None:
    """Return net income ÷ household size to the fen; None without an income or a size."""
    if net is None or size <= 0:
        return None
    return (net / size).quantize(Decimal("0.01"))


def _yuan(amount: Decimal) -> str:
    return f"{amount:,.2f}"


class CaseFacts(NamedTuple):
    """What the database says about one household of a monitoring year: one query row, in
    the order of its columns (amounts in fen, exact)."""

    registered: bool
    unstable: bool  # flags computed over the database
    marginal: bool
    sudden: bool
    size: int
    net_fen: int | None  # net income of the year (None: no income record)
    before_fen: int | None  # of the year before
    rigid_fen: int | None  # the largest 刚性支出 of the year's clues
    first_clue: date | None
    clues: int  # clues of the year up to the as-of day
    monitored_from: date | None
    monitored_until: date | None
    confirmed_on: date | None  # as recorded on the monitoring board
    notice_from: date | None
    notice_to: date | None
    eliminated_on: date | None

    @property
    def net(self) -> Decimal | None:
        return _from_fen(self.net_fen)

    @property
    def net_before(self) -> Decimal | None:
        return _from_fen(self.before_fen)

    @property
    def rigid_spending(self) -> Decimal | None:
        return _from_fen(self.rigid_fen)


def _from_fen(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen) / 100


def case_reasons(facts: CaseFacts, *, threshold: Decimal) -> tuple[tuple[str, ...], ...]:
    """Return (categories, reasons) of a case: the categories in their fixed order, one
    Chinese sentence per reason with its figures. Reasons never name the clue's category or
    note (a reason is printed on the village notice, which carries no health data)."""
    categories: list[str] = []
    reasons: list[str] = []
    income = per_capita(facts.net, facts.size)
    income_text = "无当年收入记录" if income is None else f"人均纯收入 {_yuan(income)} 元"
    if facts.unstable:
        categories.append(UNSTABLE)
        if income is not None and income < threshold:
            reasons.append(f"{UNSTABLE}：已脱贫，{income_text}，低于监测标准 {_yuan(threshold)} 元")
        if facts.clues:
            reasons.append(f"{UNSTABLE}：已脱贫，当年有风险线索 {facts.clues} 条")
    if facts.marginal:
        categories.append(MARGINAL)
        if income is None:
            reasons.append(f"{MARGINAL}：监测户{income_text}，按低于监测标准处理")
        else:
            reasons.append(f"{MARGINAL}：监测户{income_text}，低于监测标准 {_yuan(threshold)} 元")
    if facts.sudden:
        categories.append(SUDDEN)
        before = facts.net_before if facts.net_before is not None else Decimal(0)
        before_text = (
            f"上年家庭纯收入 {_yuan(before)} 元"
            if facts.net_before is not None
            else "上年无收入记录（按 0 元计）"
        )
        reasons.append(
            f"{SUDDEN}：风险线索刚性支出 {_yuan(facts.rigid_spending or Decimal(0))} 元，"
            f"超过{before_text}"
        )
    return tuple(categories), tuple(reasons)


@dataclass(frozen=True)
class Standing:
    """A case's status and deadlines as of a day."""

    confirm_by: date | None
    confirmed_on: date | None
    measure_by: date | None
    eliminated_on: date | None
    status: str
    overdue: tuple[str, ...]


def case_standing(
    facts: CaseFacts, *, rules: Rules, as_of: date, first_measure: date | None
) -> Standing:
    """Return a case's status and overdue deadlines as of `as_of` (docs/precision.md).

    Confirmed: the board's confirmation, or for a monitored household its inclusion;
    eliminated: the board's elimination, or the monitored household's end of watch; only
    days up to `as_of` count. `first_measure` is the first measure starting on or after the
    confirmation (and by `as_of`).
    """
    confirmed = facts.confirmed_on or (None if facts.registered else facts.monitored_from)
    if confirmed is not None and confirmed > as_of:
        confirmed = None
    eliminated = facts.eliminated_on or (None if facts.registered else facts.monitored_until)
    if eliminated is not None and eliminated > as_of:
        eliminated = None
    confirm_by = (
        facts.first_clue + timedelta(days=rules.confirm_within_days)
        if facts.first_clue is not None
        else None
    )
    measure_by = (
        confirmed + timedelta(days=rules.measure_within_days) if confirmed is not None else None
    )
    if eliminated is not None:
        return Standing(confirm_by, confirmed, measure_by, eliminated, ELIMINATED, ())
    overdue: list[str] = []
    if confirmed is None:
        if confirm_by is not None and as_of > confirm_by:
            overdue.append(OVERDUE_CONFIRM)
        return Standing(confirm_by, None, None, None, PENDING, tuple(overdue))
    if not notice_long_enough(facts.notice_from, facts.notice_to, rules.notice_min_days):
        overdue.append(OVERDUE_NOTICE)
    assert measure_by is not None
    if as_of > measure_by and (first_measure is None or first_measure > measure_by):
        overdue.append(OVERDUE_MEASURE)
    return Standing(confirm_by, confirmed, measure_by, None, HELPING, tuple(overdue))


def notice_long_enough(start: date | None, end: date | None, min_days: int) -> bool:
    """Return True when a notice ran at least `min_days` days, both ends counted."""
    if start is None or end is None:
        return False
    return (end - start).days + 1 >= min_days
