"""The demo's posts and saved match: the confirmed placements are spells of the labour ledger."""

from decimal import Decimal

from xiezuo.demo.services import demo_build
from xiezuo.ingest import catalog
from xiezuo.labour.models import MatchRun, Post, Proposal
from xiezuo.ledgers.models import LabourTransfer

SCALE = 0.005


def _build(programme, **kwargs):
    return demo_build(programme=programme.key, **{"scale": SCALE, **kwargs})


def _posts():
    return list(Post.objects.order_by("post_no").values_list())


def test_confirmed_placements_are_spells_of_the_labour_ledger(ledger_programme):
    _build(ledger_programme)
    saved = MatchRun.objects.get(region="")
    confirmed = saved.proposals.filter(status=Proposal.Status.CONFIRMED).select_related("post")
    assert confirmed.exists()
    spells = set(
        LabourTransfer.objects.filter(organisation="有组织").values_list(
            "id_number", "employer", "workplace_code", "start_date"
        )
    )
    for proposal in confirmed:
        post = proposal.post
        assert (proposal.id_number, post.employer, post.workplace_id, post.start_date) in spells
        assert post.age_min <= proposal.age <= post.age_max
    assert saved.placed == confirmed.count()
    # Every post asks for ages the posts template accepts (16–70), so its export re-imports.
    low, high = (catalog.ledger("posts").column(h) for h in ("年龄下限", "年龄上限"))
    assert Post.objects.filter(age_min__lt=low.min).count() == 0
    assert Post.objects.filter(age_max__gt=high.max).count() == 0


def test_posts_cover_the_programme_years_and_beijing_pays_more(ledger_programme):
    _build(ledger_programme)
    years = {d.year for d in Post.objects.values_list("start_date", flat=True)}
    assert years == {2018, 2019, 2020}
    transfer = list(Post.objects.filter(helper__isnull=False).values_list("wage", flat=True))
    local = list(Post.objects.filter(helper__isnull=True).values_list("wage", flat=True))
    assert transfer
    assert local
    assert sum(transfer) / len(transfer) > sum(local) / len(local) + Decimal(1000)
    for post in Post.objects.exclude(helper=None):
        assert post.workplace_id == post.helper_id


def test_the_live_match_of_kangbao_is_left_to_confirm(ledger_programme):
    _build(ledger_programme)
    live = MatchRun.objects.get(region="130723")
    assert live.status == MatchRun.Status.DONE
    assert set(live.proposals.values_list("status", flat=True)) <= {Proposal.Status.PROPOSED}
    villages = live.proposals.values_list("village_id", flat=True)
    assert all(code.startswith("130723") for code in villages)


def test_same_seed_same_posts_and_a_rebuild_replaces_them(ledger_programme):
    _build(ledger_programme)
    first = _posts()
    _build(ledger_programme)
    assert [row[1:] for row in _posts()] == [row[1:] for row in first]
    assert MatchRun.objects.count() == 2


def test_the_demo_posts_export_and_re_import_unchanged(ledger_programme, tmp_path):
    import io
    import json

    from django.core.management import call_command

    _build(ledger_programme)
    path = tmp_path / "posts.csv"
    call_command("export", "posts", "-o", str(path), "--programme", "small", stdout=io.StringIO())
    out = io.StringIO()
    call_command(
        "import", "posts", str(path), "--dry-run", "--format", "json", "--programme", "small",
        stdout=out, stderr=io.StringIO(),
    )  # fmt: skip
    report = json.loads(out.getvalue())
    assert report["errors"] == []
    assert report["rows"] == Post.objects.count() > 0
    assert report["unchanged"] == report["rows"]
