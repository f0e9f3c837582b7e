"""Running a match as a task would, deciding proposals, writing them as one undoable batch."""

import pytest

from xiezuo.access import Access, Role
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.ingest.models import Batch
from xiezuo.labour import selectors, services
from xiezuo.labour.models import MatchRun, Proposal
from xiezuo.ledgers.models import LabourTransfer

pytestmark = pytest.mark.django_db


def test_a_county_office_runs_a_match_of_its_county(labourers, posts, small_programme, access_as):
    """康保's office: its two labourers only; 甲 on GW1, 乙 on GW3."""
    county = access_as(small_programme, (Role.COUNTY_OFFICE, "130723"))
    run = services.match_run(access=county, programme=small_programme, region="130723")
    assert run.status == MatchRun.Status.DONE
    assert run.candidates == 2
    placed = dict(run.proposals.values_list("name", "post__post_no"))
    assert placed == {"甲": "GW1", "乙": "GW3"}


def test_a_helper_office_may_not_run_a_match(small_programme, access_as):
    helper = access_as(small_programme, (Role.HELPER_OFFICE, "110105"))
    with pytest.raises(ScopeError):
        services.match_run(access=helper, programme=small_programme)


def test_a_county_office_may_not_match_another_county(small_programme, access_as, posts):
    county = access_as(small_programme, (Role.COUNTY_OFFICE, "130723"))
    with pytest.raises(ScopeError):
        services.match_run(access=county, programme=small_programme, region="130728")


def test_confirmed_proposals_become_one_labour_batch_that_can_be_undone(
    labourers, posts, small_programme, access_as
):
    county = access_as(small_programme, (Role.COUNTY_OFFICE, "130723"))
    run = services.match_run(access=county, programme=small_programme, region="130723")
    first, second = run.proposals.order_by("name")
    assert services.proposals_decide(access=county, run=run, ids=[first.pk], confirm=True) == 1
    services.proposals_decide(access=county, run=run, ids=[second.pk], confirm=False)
    report = services.proposals_write(access=county, run=run)
    assert report.inserted == 1
    spell = LabourTransfer.objects.get()
    assert spell.id_number == first.id_number
    assert spell.organisation == "有组织"
    assert spell.employer == first.post.employer
    assert spell.start_date == first.post.start_date
    first.refresh_from_db()
    assert first.batch_id == report.batch_id
    # The confirmed place is filled: a new match sees GW1 with no open place.
    assert selectors.filled_places(posts=[first.post]) == {first.post.pk: 1}
    again = services.match_compute(access=county, programme=small_programme, region="130723")
    assert again.match.placed == 1  # 乙 on GW3 only; 甲 now has a spell on GW1's start
    with pytest.raises(XiezuoError):
        services.proposals_write(access=county, run=run)  # nothing left to write

    assert services.proposals_undo(access=county, run=run, batch_id=report.batch_id) == 1
    assert not LabourTransfer.objects.exists()
    assert Batch.objects.get(pk=report.batch_id).status == Batch.Status.UNDONE
    first.refresh_from_db()
    assert (first.status, first.batch_id) == (Proposal.Status.PROPOSED, None)


def test_the_operator_matches_everyone(labourers, posts, small_programme):
    outcome = services.match_compute(
        access=Access.operator(small_programme), programme=small_programme
    )
    assert outcome.match.placed == 4
    assert outcome.unplaced_by_village() == {}
