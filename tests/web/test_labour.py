"""The labour pages: who sees them, the match as a task, confirming into the labour ledger."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from xiezuo.access import Role
from xiezuo.core.ids import make_id
from xiezuo.labour.models import MatchRun, Post, Proposal
from xiezuo.labour.tasks import run_match
from xiezuo.ledgers.models import LabourTransfer
from xiezuo.registry.models import Member

pytestmark = pytest.mark.django_db


@pytest.fixture
def labour(registry):
    """B's household (康保 一村, 未脱贫) gets a labourer aged 29 on 2019-03-01; a 朝阳 post."""
    member = Member.objects.create(
        household=registry["B"],
        name="王劳",
        id_number=make_id("130723", dt.date(1990, 1, 1), 901),
        sex="男",
        birth_date=dt.date(1990, 1, 1),
        relation="之子",
        health="健康",
        labour_skill="普通劳动力",
    )
    post = Post.objects.create(
        post_no="GW-CY-1",
        employer="北京示例物业管理有限公司",
        credit_code="91110105MA01ABCD5F",
        helper_id="110105",
        workplace_id="110105",
        title="物业保洁员",
        places=2,
        wage=Decimal(4500),
        skill="不限",
        age_min=18,
        age_max=55,
        start_date=dt.date(2019, 3, 1),
    )
    return member, post


def test_the_labour_pages_answer_the_offices(client, make_user, labour):
    client.force_login(make_user("county", Role.COUNTY_OFFICE, "130723"))
    for name in ("web:labour", "web:labour-posts", "web:labour-match", "web:labour-tracking"):
        response = client.get(reverse(name))
        assert response.status_code == 200, name
    page = client.get(reverse("web:labour-posts")).content.decode()
    assert "GW-CY-1" in page
    assert ">劳务</a>" in client.get(reverse("web:overview")).content.decode()


def test_a_cadre_is_refused(client, make_user, labour):
    client.force_login(make_user("cadre", Role.CADRE, "130723100201"))
    assert client.get(reverse("web:labour-posts")).status_code == 403
    assert ">劳务</a>" not in client.get(reverse("web:overview")).content.decode()


def test_a_helper_sees_its_posts_but_may_not_run_a_match(client, make_user, labour):
    client.force_login(make_user("huairou", Role.HELPER_OFFICE, "110116"))
    assert "GW-CY-1" not in client.get(reverse("web:labour-posts")).content.decode()
    assert client.post(reverse("web:labour-match-run")).status_code == 403


def test_run_confirm_write_and_undo(client, make_user, labour):
    """The county office queues a match, the worker runs it, the office confirms the proposal
    and writes it into the labour ledger, then takes the batch back."""
    member, _post = labour
    client.force_login(make_user("county", Role.COUNTY_OFFICE, "130723"))
    response = client.post(reverse("web:labour-match-run"))
    run = MatchRun.objects.get()
    assert response.status_code == 302
    assert run.region == "130723"
    status = client.get(reverse("web:labour-match-status", args=[run.pk]))
    assert b"match-run" in status.content
    run_match.call(run.pk, run.user_id)  # what the worker does
    run.refresh_from_db()
    assert (run.status, run.placed, run.candidates) == (MatchRun.Status.DONE, 1, 1)
    page = client.get(reverse("web:labour-match"), {"run": run.pk}).content.decode()
    assert member.id_number in page  # the county office sees its own people unmasked
    assert "帮扶方 110105 与本县结对" in page
    proposal = Proposal.objects.get()
    url = reverse("web:labour-proposals", args=[run.pk])
    client.post(url, {"action": "confirm", "proposal": [proposal.pk]})
    client.post(url, {"action": "write"})
    spell = LabourTransfer.objects.get()
    assert (spell.id_number, spell.organisation) == (member.id_number, "有组织")
    proposal.refresh_from_db()
    assert proposal.batch_id is not None
    client.post(url, {"action": "undo", "batch": proposal.batch_id})
    assert not LabourTransfer.objects.exists()


def test_tracking_counts_stable_placements(client, make_user, labour, programme):
    member, _post = labour
    from xiezuo.programs.models import Pairing

    pairing = Pairing.objects.get(helper_id="110105", recipient_id="130723")
    LabourTransfer.objects.create(
        pairing=pairing, id_number=member.id_number, household=member.household,
        workplace_code="110105", employer="甲公司", start_date=dt.date(2019, 3, 1),
        end_date=dt.date(2019, 5, 29), organisation="有组织",
    )  # fmt: skip
    client.force_login(make_user("county", Role.COUNTY_OFFICE, "130723"))
    page = client.get(reverse("web:labour-tracking"), {"year": 2019, "as_of": "2019-12-31"})
    text = page.content.decode()
    # 3-01 to 5-29 is 90 days, both ends counted: stable, in the helper's province (I16).
    assert 'data-tile="i16">1<' in text
    assert 'data-alert="ended-early"' not in text
