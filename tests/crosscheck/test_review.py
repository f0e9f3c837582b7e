"""The review queue's services and selectors: storing runs, confirming and dismissing flags,
who may read and decide what, and masking."""

import datetime as dt

import pytest

from xiezuo.access import Access, Role
from xiezuo.access.models import AuditEvent
from xiezuo.core.errors import ScopeError
from xiezuo.core.ids import mask_id
from xiezuo.crosscheck import selectors, services
from xiezuo.crosscheck.models import CrossCheckFlag
from xiezuo.crosscheck.services import ReviewError, flag_confirm, flag_dismiss, flags_store
from xiezuo.registry.models import Household, Member

KANGBAO, HUAIAN = "130723", "130728"
ONE, TWO = "130723100201", "130723100202"
YEAR = 2020
FUTURE = dt.date(2099, 6, 30)
Status = CrossCheckFlag.Status


@pytest.fixture
def kangbao(access_as, review_world):
    return access_as(review_world["programme"], (Role.COUNTY_OFFICE, KANGBAO))


@pytest.fixture
def operator(review_world):
    return Access.operator(review_world["programme"])


def register_state():
    """Return every household and member row as values: the register, to compare."""
    return (
        list(Household.objects.order_by("pk").values()),
        list(Member.objects.order_by("pk").values()),
        Household.edits.count() + Member.edits.count(),
    )


# --- storing runs ------------------------------------------------------------------------------


def test_a_run_stores_new_flags_pending(stored):
    """Every flag of a run is stored once, waiting for review, current, first and last seen
    at the run."""
    flags = CrossCheckFlag.objects.all()
    assert flags.count() == len(stored)
    for flag in flags:
        assert flag.status == Status.PENDING
        assert flag.current
        assert flag.first_seen == flag.last_seen
    assert stored["k1_payroll"].member.household_id == stored["k1"].household_id
    assert stored["k1_payroll"].member != stored["k1"].member


def test_rerunning_keeps_decisions_and_marks_what_a_run_no_longer_produces(
    review_world, stored, kangbao, operator, make_flag
):
    """A flag seen again keeps its decision and first sighting, its evidence refreshed; one
    not produced any more stays (decision kept) with `current` false; other counties untouched."""
    k1, k2 = review_world["k1"], review_world["k2"]
    flag_dismiss(access=kangbao, flag=stored["k1"], reason="车辆已于2018年转让")
    flag_confirm(access=kangbao, flag=stored["k2"], reason="核实属实", deadline=FUTURE)
    again = make_flag(k1, score=0.97, evidence={"why": "second run"})
    count = flags_store(access=operator, year=YEAR, region=KANGBAO, flags=[again, make_flag(k2)])
    assert count == 2
    assert CrossCheckFlag.objects.count() == len(stored)  # nothing new: same fingerprints
    k1_flag = CrossCheckFlag.objects.get(pk=stored["k1"].pk)
    assert k1_flag.status == Status.DISMISSED
    assert k1_flag.reason == "车辆已于2018年转让"
    assert k1_flag.score == pytest.approx(0.97)
    assert k1_flag.evidence["why"] == "second run"
    assert k1_flag.first_seen == stored["k1"].first_seen
    assert k1_flag.last_seen > stored["k1"].last_seen
    assert CrossCheckFlag.objects.get(pk=stored["k2"].pk).status == Status.CONFIRMED
    payroll = CrossCheckFlag.objects.get(pk=stored["k1_payroll"].pk)
    assert (payroll.status, payroll.current) == (Status.PENDING, False)
    assert payroll.last_seen == stored["k1_payroll"].last_seen
    assert CrossCheckFlag.objects.get(pk=stored["h1"].pk).current  # 怀安 was not run


def test_a_run_without_fuzzy_linkage_leaves_fuzzy_flags_current(review_world, operator, make_flag):
    k1 = review_world["k1"]
    fuzzy = make_flag(k1, rule="property", match="fuzzy", score=0.9)
    flags_store(access=operator, year=YEAR, region=KANGBAO, flags=[fuzzy, make_flag(k1)])
    flags_store(access=operator, year=YEAR, region=KANGBAO, flags=[], fuzzy=False)
    assert dict(CrossCheckFlag.objects.values_list("match", "current")) == {
        "fuzzy": True,
        "exact": False,
    }


def test_a_run_skips_flags_outside_its_county_and_resolves_by_numbers(
    review_world, operator, make_flag
):
    """Flags without ids are resolved by 户编号 and 证件号码; a household outside the county
    run is not stored."""
    k1, h1 = review_world["k1"], review_world["h1"]
    bare = make_flag(k1, member_id=None, household_id=None)
    count = flags_store(access=operator, year=YEAR, region=KANGBAO, flags=[bare, make_flag(h1)])
    assert count == 1
    flag = CrossCheckFlag.objects.get()
    assert flag.household == k1
    assert flag.member == k1.members.order_by("id").first()


def test_a_county_office_runs_only_its_own_county(review_world, kangbao, access_as, make_flag):
    with pytest.raises(ScopeError):
        flags_store(access=kangbao, year=YEAR, region=HUAIAN, flags=[make_flag(review_world["h1"])])
    with pytest.raises(ScopeError):
        flags_store(access=kangbao, year=YEAR, region=None, flags=[])
    assessor = access_as(review_world["programme"], (Role.ASSESSOR, "130000"))
    with pytest.raises(ScopeError):
        flags_store(access=assessor, year=YEAR, region=KANGBAO, flags=[])
    assert (
        flags_store(
            access=kangbao, year=YEAR, region=KANGBAO, flags=[make_flag(review_world["k1"])]
        )
        == 1
    )


# --- deciding ----------------------------------------------------------------------------------


def test_confirm_marks_the_household_for_correction_audited_register_unchanged(stored, kangbao):
    before = register_state()
    flag = flag_confirm(access=kangbao, flag=stored["k1"], reason="车辆属实", deadline=FUTURE)
    assert (flag.status, flag.reason, flag.deadline) == (Status.CONFIRMED, "车辆属实", FUTURE)
    assert flag.decided_by_id == kangbao.user_id
    assert flag.decided_at is not None
    event = AuditEvent.objects.get(action=services.AUDIT_ACTION)
    assert event.user_id == kangbao.user_id
    assert event.detail["decision"] == "confirmed"
    assert event.detail["flag"] == flag.pk
    assert event.detail["deadline"] == FUTURE.isoformat()
    assert event.region == ONE
    assert register_state() == before
    listed = selectors.corrections(access=kangbao, county=KANGBAO)
    assert [f.pk for f in listed] == [flag.pk]


def test_dismiss_records_the_reason_audited_register_unchanged(stored, kangbao):
    before = register_state()
    flag = flag_dismiss(access=kangbao, flag=stored["k2"], reason="  同名同姓，非本人  ")
    assert (flag.status, flag.reason, flag.deadline) == (Status.DISMISSED, "同名同姓，非本人", None)
    assert AuditEvent.objects.get(action=services.AUDIT_ACTION).detail["decision"] == "dismissed"
    assert register_state() == before
    assert not selectors.corrections(access=kangbao).exists()


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_decision_needs_a_reason(stored, kangbao, reason):
    with pytest.raises(ReviewError, match="理由"):
        flag_dismiss(access=kangbao, flag=stored["k1"], reason=reason)
    with pytest.raises(ReviewError, match="理由"):
        flag_confirm(access=kangbao, flag=stored["k1"], reason=reason, deadline=FUTURE)
    assert CrossCheckFlag.objects.get(pk=stored["k1"].pk).status == Status.PENDING
    assert not AuditEvent.objects.exists()


def test_confirm_needs_a_deadline_not_in_the_past(stored, kangbao):
    with pytest.raises(ReviewError, match="整改期限"):
        flag_confirm(access=kangbao, flag=stored["k1"], reason="属实", deadline=None)
    with pytest.raises(ReviewError, match="早于今天"):
        flag_confirm(
            access=kangbao,
            flag=stored["k1"],
            reason="属实",
            deadline=dt.date(2021, 1, 31),
            today=dt.date(2021, 2, 1),
        )
    assert CrossCheckFlag.objects.get(pk=stored["k1"].pk).status == Status.PENDING


def test_a_decided_flag_is_not_decided_again(stored, kangbao):
    flag_dismiss(access=kangbao, flag=stored["k1"], reason="非本人")
    with pytest.raises(ReviewError, match="不能重复处理"):
        flag_confirm(access=kangbao, flag=stored["k1"], reason="属实", deadline=FUTURE)
    flag = CrossCheckFlag.objects.get(pk=stored["k1"].pk)
    assert (flag.status, flag.reason) == (Status.DISMISSED, "非本人")
    assert AuditEvent.objects.filter(action=services.AUDIT_ACTION).count() == 1


def test_only_the_county_office_of_the_flag_or_the_programme_office_decides(
    stored, review_world, access_as
):
    programme = review_world["programme"]
    huaian = access_as(programme, (Role.COUNTY_OFFICE, HUAIAN))
    assessor = access_as(programme, (Role.ASSESSOR, "130000"))
    helper = access_as(programme, (Role.HELPER_OFFICE, "110105"))  # paired with 康保
    office = access_as(programme, (Role.PROGRAMME_OFFICE, "110000"))
    for caller in (huaian, assessor, helper):
        with pytest.raises(ScopeError):
            flag_dismiss(access=caller, flag=stored["k1"], reason="非本人")
    assert CrossCheckFlag.objects.get(pk=stored["k1"].pk).status == Status.PENDING
    flag_dismiss(access=office, flag=stored["k1"], reason="非本人")
    assert CrossCheckFlag.objects.get(pk=stored["k1"].pk).status == Status.DISMISSED


# --- reading -----------------------------------------------------------------------------------


def test_a_county_office_reads_its_county_only(stored, kangbao):
    flags = selectors.flags_for_county(access=kangbao, county=KANGBAO, year=YEAR)
    assert {f.pk for f in flags} == {stored[k].pk for k in ("k1", "k2", "k1_payroll")}
    with pytest.raises(ScopeError):
        selectors.flags_for_county(access=kangbao, county=HUAIAN, year=YEAR)
    with pytest.raises(ScopeError):
        selectors.flag_get(access=kangbao, pk=stored["h1"].pk)


def test_a_helper_office_sees_no_flags(stored, review_world, access_as):
    helper = access_as(review_world["programme"], (Role.HELPER_OFFICE, "110105"))
    with pytest.raises(ScopeError):
        selectors.flags_for_county(access=helper, county=KANGBAO, year=YEAR)
    with pytest.raises(ScopeError):
        selectors.flag_get(access=helper, pk=stored["k1"].pk)


def test_filters_by_rule_village_and_status(stored, kangbao):
    def pks(**filters):
        flags = selectors.flags_for_county(access=kangbao, county=KANGBAO, year=YEAR, **filters)
        return {f.pk for f in flags}

    assert pks(rule="payroll") == {stored["k1_payroll"].pk}
    assert pks(village=TWO) == {stored["k2"].pk}
    assert pks(village=ONE, rule="vehicle") == {stored["k1"].pk}
    flag_dismiss(access=kangbao, flag=stored["k2"], reason="非本人")
    assert pks(status=Status.DISMISSED) == {stored["k2"].pk}
    assert pks(status=Status.PENDING) == {stored["k1"].pk, stored["k1_payroll"].pk}
    assert not selectors.flags_for_county(access=kangbao, county=KANGBAO, year=2019).exists()
    with pytest.raises(ScopeError):
        pks(village="130728100201")


def test_rule_counts(stored, kangbao):
    flag_confirm(access=kangbao, flag=stored["k2"], reason="属实", deadline=FUTURE)
    counts = {c.rule: c for c in selectors.rule_counts(access=kangbao, county=KANGBAO, year=YEAR)}
    assert list(counts)[:2] == ["payroll", "village_cadre"]  # every rule, in order
    assert (counts["vehicle"].pending, counts["vehicle"].confirmed, counts["vehicle"].total) == (
        1,
        1,
        2,
    )
    assert counts["payroll"].total == 1
    assert counts["deceased"].total == 0


def test_masking_of_the_person_and_the_evidence(stored, review_world, kangbao, access_as):
    """The county office sees its members' ID numbers and birth dates; the assessor and the
    programme office see them masked, on both sides of the comparison."""
    member = stored["k1"].member
    assessor = access_as(review_world["programme"], (Role.ASSESSOR, "130000"))
    office = access_as(review_world["programme"], (Role.PROGRAMME_OFFICE, "110000"))
    [own] = selectors.flag_rows(access=kangbao, flags=[stored["k1"]])
    assert own.person == member.id_number
    assert not own.masked
    evidence = selectors.flag_evidence(access=kangbao, flag=stored["k1"])
    shown = {c.label: c for c in evidence.compared}
    assert shown["证件号码"].registry == shown["证件号码"].listed == member.id_number
    assert shown["出生日期"].listed == member.birth_date.isoformat()
    for caller in (assessor, office):
        [row] = selectors.flag_rows(access=caller, flags=[stored["k1"]])
        assert row.person == mask_id(member.id_number)
        assert row.masked
        evidence = selectors.flag_evidence(access=caller, flag=stored["k1"])
        shown = {c.label: c for c in evidence.compared}
        assert shown["证件号码"].registry == shown["证件号码"].listed == mask_id(member.id_number)
        assert member.birth_date.isoformat() not in (shown["出生日期"].listed or "")
        assert shown["出生日期"].listed.endswith("岁")


def test_side_by_side_marks_the_fields_that_differ(review_world, operator, kangbao, make_flag):
    """A fuzzy match with another birth day, a transposed name and a county-level region code:
    the birth date and the name differ, the ID number and the region do not."""
    k1 = review_world["k1"]
    member = k1.members.order_by("id").first()
    other_day = member.birth_date + dt.timedelta(days=1)
    flags_store(
        access=operator,
        year=YEAR,
        region=KANGBAO,
        flags=[
            make_flag(
                k1,
                match="fuzzy",
                score=0.91,
                evidence={
                    "姓名": member.name[::-1],
                    "出生日期": other_day.isoformat(),
                    "区划代码": KANGBAO,
                },
            )
        ],
    )
    flag = CrossCheckFlag.objects.get()
    evidence = selectors.flag_evidence(access=kangbao, flag=flag)
    differs = {c.label: c.differs for c in evidence.compared}
    assert differs == {"姓名": True, "证件号码": False, "出生日期": True, "区划代码": False}
    assert ("号牌号码", f"冀G{member.pk:05d}") in evidence.other
