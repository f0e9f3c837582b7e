"""Rectification (整改): items drafted from a run's alerts, their progress, overdue, access."""

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser, User
from django.core.files.uploadedfile import SimpleUploadedFile

from xiezuo.access import Access, Role
from xiezuo.access.selectors import access_for
from xiezuo.access.services import grant_give
from xiezuo.assessment.models import RectificationItem
from xiezuo.assessment.rectification.selectors import (
    rectification_get,
    rectification_list,
    visible_units,
)
from xiezuo.assessment.rectification.services import (
    RectificationError,
    rectification_draft,
    rectification_update,
)
from xiezuo.assessment.services import assessment_run, targets_load
from xiezuo.core.errors import ScopeError
from xiezuo.ledgers.models import Fund, Project

pytestmark = pytest.mark.django_db

KB, HA, FN = "110105→130723", "110116→130728", "110116→130826"
AS_OF = dt.date(2019, 6, 30)
DEADLINE = dt.date(2019, 7, 31)
Status = RectificationItem.Status


@pytest.fixture
def programme(assessment_data, beijing_targets, settings):
    """The fixture programme, the installation's, with the default targets for 2019."""
    settings.XIEZUO_DEFAULT_PROGRAMME = assessment_data.programme.key
    targets_load(programme=assessment_data.programme, years=[2019], path=beijing_targets)
    return assessment_data.programme


@pytest.fixture
def run(programme):
    """An in-year run (as of 30 June 2019): its alerts compare with pro-rated targets."""
    return assessment_run(
        access=Access.operator(programme), programme=programme, year=2019, as_of=AS_OF
    )


@pytest.fixture
def access_of(programme):
    """Return the access of a new user holding one grant (role over region)."""

    def make(role: Role, region: str):
        user = User.objects.create_user(f"{role}-{region}")
        grant_give(user=user, role=role, region_code=region)
        return access_for(user=user, programme=programme)

    return make


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _keys(items):
    return {(i.indicator, i.unit_type, i.unit) for i in items}


def _item(run, indicator, unit_type, unit):
    return RectificationItem.objects.get(
        run=run, indicator=indicator, unit_type=unit_type, unit=unit
    )


# --- drafting -------------------------------------------------------------------------------


def test_draft_makes_one_item_per_red_and_amber_alert(run, django_assert_max_num_queries):
    alerts = list(run.alerts.all())
    assert {a.level for a in alerts} == {"red", "amber"}
    operator = Access.operator(run.programme)
    with django_assert_max_num_queries(8):
        draft = rectification_draft(access=operator, run=run, deadline=DEADLINE)
    items = list(run.rectification_items.all())
    assert (draft.created, draft.existing) == (len(alerts), 0)
    assert _keys(items) == _keys(alerts)
    assert all(i.alert.indicator == i.indicator and i.alert.unit == i.unit for i in items)
    assert {i.deadline for i in items} == {DEADLINE}
    assert {i.status for i in items} == {Status.OPEN}


def test_a_run_without_alerts_drafts_nothing(programme):
    year_end = assessment_run(access=Access.operator(programme), programme=programme, year=2019)
    assert not year_end.alerts.exists()
    assert (
        rectification_draft(
            access=Access.operator(year_end.programme), run=year_end, deadline=DEADLINE
        ).created
        == 0
    )


def test_drafting_again_does_not_duplicate(run):
    first = rectification_draft(access=Access.operator(run.programme), run=run, deadline=DEADLINE)
    again = rectification_draft(
        access=Access.operator(run.programme), run=run, deadline=dt.date(2019, 9, 30)
    )
    assert (again.created, again.existing) == (0, first.created)
    assert run.rectification_items.count() == first.created
    assert {i.deadline for i in run.rectification_items.all()} == {DEADLINE}


def test_a_later_run_adds_only_what_is_not_already_open(programme, run):
    """An unfinished item of the same programme-year is not drafted twice; a done one is."""
    rectification_draft(access=Access.operator(run.programme), run=run, deadline=DEADLINE)
    done = _item(run, "I08", "pairing", KB)
    RectificationItem.objects.filter(pk=done.pk).update(status=Status.DONE, note="已拨付")
    later = assessment_run(
        access=Access.operator(programme),
        programme=programme,
        year=2019,
        as_of=dt.date(2019, 7, 31),
    )
    draft = rectification_draft(
        access=Access.operator(later.programme), run=later, deadline=dt.date(2019, 8, 31)
    )
    open_before = _keys(run.rectification_items.exclude(status=Status.DONE))
    assert _keys(later.rectification_items.all()) == _keys(later.alerts.all()) - open_before
    assert ("I08", "pairing", KB) in _keys(later.rectification_items.all())
    assert draft.created == later.rectification_items.count()


def test_the_finding_and_the_responsible_office_come_from_the_alert_and_the_unit(run):
    rectification_draft(access=Access.operator(run.programme), run=run, deadline=DEADLINE)
    fiscal = _item(run, "I08", "pairing", KB)
    assert fiscal.finding == (
        "截至 2019-06-30，财政援助资金为 1,500.50 万元，应达 1,884.38 万元"
        "（完成 79.6 %）：黄色预警。"
    )
    assert fiscal.responsible_office == "朝阳区扶贫协作办、康保县扶贫办"
    assert _item(run, "I08", "helper", "110116").responsible_office == "怀柔区扶贫协作办"
    assert _item(run, "I08", "recipient", "130728").responsible_office == "怀安县扶贫办"
    assert _item(run, "I08", "programme", "small").responsible_office == "北京市扶贫协作办"


# --- overdue --------------------------------------------------------------------------------


def test_overdue_is_a_passed_deadline_on_an_unfinished_item(run, access_of):
    rectification_draft(access=Access.operator(run.programme), run=run, deadline=DEADLINE)
    done = _item(run, "I08", "pairing", KB)
    RectificationItem.objects.filter(pk=done.pk).update(status=Status.DONE, note="已拨付")
    done.refresh_from_db()
    scope = access_of(Role.PROGRAMME_OFFICE, "110000")
    before, after = dt.date(2019, 7, 31), dt.date(2019, 8, 1)

    assert not rectification_list(access=scope, overdue=True, today=before).exists()
    late = rectification_list(access=scope, overdue=True, today=after)
    assert late.count() == run.rectification_items.count() - 1
    assert done not in late
    assert list(rectification_list(access=scope, overdue=False, today=after)) == [done]
    assert not done.is_overdue(after)
    assert _item(run, "I08", "helper", "110116").is_overdue(after)
    assert not _item(run, "I08", "helper", "110116").is_overdue(before)


# --- progress -------------------------------------------------------------------------------


def test_status_note_and_file_are_recorded(run, access_of, media):
    rectification_draft(access=Access.operator(run.programme), run=run, deadline=DEADLINE)
    item = _item(run, "I08", "recipient", "130723")
    scope = access_of(Role.COUNTY_OFFICE, "130723")
    upload = SimpleUploadedFile("拨付凭证.pdf", b"%PDF-1.4 evidence", "application/pdf")

    updated = rectification_update(
        item=item, access=scope, status=Status.DONE, note=" 第三批资金已拨付 ", file=upload
    )

    item.refresh_from_db()
    assert (item.status, item.note) == (Status.DONE, "第三批资金已拨付")
    assert item.evidence_name == "拨付凭证.pdf"
    assert item.evidence_file.name == f"rectification/{item.pk}/拨付凭证.pdf"
    assert (media / item.evidence_file.name).read_bytes() == b"%PDF-1.4 evidence"
    assert updated.updated >= item.created


def test_a_new_file_replaces_the_old_one(run, access_of, media, django_capture_on_commit_callbacks):
    rectification_draft(access=Access.operator(run.programme), run=run, deadline=DEADLINE)
    item = _item(run, "I08", "recipient", "130723")
    scope = access_of(Role.COUNTY_OFFICE, "130723")
    with django_capture_on_commit_callbacks(execute=True):
        rectification_update(item=item, access=scope, file=SimpleUploadedFile("a.pdf", b"1"))
        rectification_update(item=item, access=scope, file=SimpleUploadedFile("b.pdf", b"2"))
    item.refresh_from_db()
    assert item.evidence_name == "b.pdf"
    assert sorted(p.name for p in (media / "rectification" / str(item.pk)).iterdir()) == ["b.pdf"]


def test_done_needs_evidence(run, access_of):
    rectification_draft(access=Access.operator(run.programme), run=run, deadline=DEADLINE)
    item = _item(run, "I08", "recipient", "130723")
    with pytest.raises(RectificationError, match="整改说明"):
        rectification_update(
            item=item, access=access_of(Role.COUNTY_OFFICE, "130723"), status="done"
        )
    item.refresh_from_db()
    assert item.status == Status.OPEN


def test_linked_records_must_be_in_scope(assessment_data, run, access_of):
    rectification_draft(access=Access.operator(run.programme), run=run, deadline=DEADLINE)
    item = _item(run, "I12", "recipient", "130728")
    scope = access_of(Role.COUNTY_OFFICE, "130728")
    project = Project.objects.get(project_no="HA-1")
    other = Fund.objects.filter(pairing=assessment_data.kb).earliest("id")

    rectification_update(
        item=item, access=scope, records=[{"ledger": "project", "id": str(project.pk)}]
    )
    item.refresh_from_db()
    assert item.records == [{"ledger": "project", "id": project.pk}]
    with pytest.raises(RectificationError, match="权限范围"):
        rectification_update(item=item, access=scope, records=[{"ledger": "fund", "id": other.pk}])
    with pytest.raises(RectificationError, match="未知的台账"):
        rectification_update(item=item, access=scope, records=[{"ledger": "auth_user", "id": 1}])


# --- access ---------------------------------------------------------------------------------


def test_a_county_office_sees_its_county_and_its_pairings_only(run, access_of):
    rectification_draft(access=Access.operator(run.programme), run=run, deadline=DEADLINE)
    items = rectification_list(access=access_of(Role.COUNTY_OFFICE, "130723"))
    assert {(i.unit_type, i.unit) for i in items} == {("recipient", "130723"), ("pairing", KB)}
    assert items.count() == run.rectification_items.filter(unit__in=["130723", KB]).count()


def test_a_helper_office_sees_its_district_and_its_pairings(programme, access_of):
    units = visible_units(access=access_of(Role.HELPER_OFFICE, "110116"))
    # 怀安 and 丰宁 are helped by 怀柔 alone, so their counties' items are 怀柔's to follow too.
    assert units == {
        ("helper", "110116"),
        ("pairing", HA),
        ("pairing", FN),
        ("recipient", "130728"),
        ("recipient", "130826"),
    }


def test_programme_wide_roles_see_everything(run, access_of):
    rectification_draft(access=Access.operator(run.programme), run=run, deadline=DEADLINE)
    for role in (Role.PROGRAMME_OFFICE, Role.ASSESSOR):
        items = rectification_list(access=access_of(role, "110000"))
        assert items.count() == run.rectification_items.count()


def test_an_anonymous_caller_reads_nothing(run, programme):
    rectification_draft(access=Access.operator(run.programme), run=run, deadline=DEADLINE)
    with pytest.raises(ScopeError):
        rectification_list(access=access_for(user=AnonymousUser(), programme=programme))


def test_a_helper_office_cannot_update_another_districts_item(run, access_of):
    rectification_draft(access=Access.operator(run.programme), run=run, deadline=DEADLINE)
    item = _item(run, "I08", "helper", "110116")
    chaoyang = access_of(Role.HELPER_OFFICE, "110105")
    with pytest.raises(ScopeError):
        rectification_update(item=item, access=chaoyang, status="in_progress")
    with pytest.raises(ScopeError):
        rectification_get(access=chaoyang, pk=item.pk)
    item.refresh_from_db()
    assert item.status == Status.OPEN


@pytest.mark.parametrize(("role", "region"), [(Role.ASSESSOR, "110000"), (Role.CADRE, "130723")])
def test_the_services_check_their_own_verbs(run, access_of, role, region):
    """Drafting is the programme office's; recording progress is the offices': an assessor or a
    cadre is refused by the service itself, whichever page or command calls it."""
    caller = access_of(role, region)
    with pytest.raises(ScopeError):
        rectification_draft(access=caller, run=run, deadline=DEADLINE)
    rectification_draft(access=Access.operator(run.programme), run=run, deadline=DEADLINE)
    item = _item(run, "I08", "recipient", "130723")
    with pytest.raises(ScopeError):
        rectification_update(item=item, access=caller, note="已整改")


def test_only_the_programme_office_runs_the_assessment(programme, access_of):
    for role, region in [(Role.ASSESSOR, "110000"), (Role.COUNTY_OFFICE, "130723")]:
        with pytest.raises(ScopeError):
            assessment_run(access=access_of(role, region), programme=programme, year=2019)
    run = assessment_run(
        access=access_of(Role.PROGRAMME_OFFICE, "110000"), programme=programme, year=2019
    )
    assert run.pk
