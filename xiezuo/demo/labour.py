"""The demo's labour matching: posts, the saved match behind the ledger, a match to confirm.

`write_matching` loads the drawn posts through the bulk path, then one saved match run whose
confirmed proposals are the placements the posts account for (each is a spell of the labour
ledger: same person, employer, place of work and start date), and — for the county named in
`ledgers.toml` [posts] `live_match_county` — a real match of the posts' open places, left for
that county's office to confirm or decline on the 匹配 page.
"""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import Q

from xiezuo.access import Access
from xiezuo.core.bulk import reset_sequence
from xiezuo.core.progress import Progress
from xiezuo.demo import generate
from xiezuo.demo.loading import insert_columns
from xiezuo.labour import calculations as calc
from xiezuo.labour.models import MatchRun, Post, Proposal
from xiezuo.labour.services import match_compute, match_save, placement_reasons
from xiezuo.programs.models import Programme


def labour_rows(programme: Programme) -> list[Any]:
    """Return what a rebuild deletes, children first: the programme's runs and proposals,
    and the posts offered at its places (helper districts and recipient counties)."""
    places = Q(pk__in=[])
    for helper, recipient in programme.pairings.values_list("helper_id", "recipient_id"):
        places |= Q(helper_id=helper) | Q(workplace__code__startswith=recipient)
        places |= Q(workplace_id=helper)
    return [
        Proposal.objects.filter(run__programme=programme),
        MatchRun.objects.filter(programme=programme),
        Post.objects.filter(places),
    ]


def write_matching(
    programme: Programme,
    draw: generate.PostDraw,
    geography: generate.Geography,
    households: generate.Households,
    members: generate.Members,
    settings: dict[str, Any],
    *,
    household_base: int,
    rows: dict[str, int],
    report: Progress,
) -> None:
    """Load posts, the saved match of the ledger's placements and the live county match."""
    first_post, rows["posts"] = insert_columns(Post, draw.columns, stage="posts", report=report)
    columns = draw.columns
    run = MatchRun.objects.create(
        programme=programme,
        region="",
        status=MatchRun.Status.DONE,
        stage="完成",
        posts=len(set(draw.placement_post.tolist())),
        candidates=draw.placement_member.size,
        placed=draw.placement_member.size,
        wage_total=sum(
            (Decimal(columns["wage"][j]) for j in draw.placement_post.tolist()), Decimal(0)
        ),
    )
    names = members.columns["name"]
    ids = members.columns["id_number"]
    skills = members.columns["labour_skill"]
    household = members.household[draw.placement_member]
    villages = geography.villages[households.village[household]].astype(str).tolist()
    proposal_columns: dict[str, list[Any]] = {
        name: []
        for name in (
            "run_id", "post_id", "id_number", "name", "household_id", "village_id", "kind",
            "wage", "age", "reasons", "status",
        )
    }  # fmt: skip
    for j, m, h, village, kind in zip(
        draw.placement_post.tolist(),
        draw.placement_member.tolist(),
        household.tolist(),
        villages,
        draw.placement_kind,
        strict=True,
    ):
        post = calc.PostRow(
            number=columns["post_no"][j],
            helper=columns["helper_id"][j],
            workplace=columns["workplace_id"][j],
            wage=Decimal(columns["wage"][j]),
            places=columns["places"][j],
            skilled_only=columns["skill"][j] == calc.SKILLED,
            age_min=columns["age_min"][j],
            age_max=columns["age_max"][j],
            start=dt.date.fromisoformat(columns["start_date"][j]),
        )
        age = calc.age_on(int(ids[m][6:14]), calc.day_number(post.start))
        placement = calc.Placement(j, m, kind, age)
        proposal_columns["run_id"].append(run.pk)
        proposal_columns["post_id"].append(first_post + j)
        proposal_columns["id_number"].append(ids[m])
        proposal_columns["name"].append(names[m])
        proposal_columns["household_id"].append(h + household_base)
        proposal_columns["village_id"].append(village)
        proposal_columns["kind"].append(kind)
        proposal_columns["wage"].append(columns["wage"][j])
        proposal_columns["age"].append(age)
        proposal_columns["reasons"].append(
            placement_reasons(post, placement, skilled=skills[m] == calc.SKILLED)
        )
        proposal_columns["status"].append(Proposal.Status.CONFIRMED.value)
    _, rows["proposals"] = insert_columns(Proposal, proposal_columns, stage="posts", report=report)
    for model in (Post, Proposal):  # explicit ids: later inserts take the sequence
        reset_sequence(model)
    county = settings.get("live_match_county", "")
    if county and county in geography.counties:
        access = Access.operator(programme)
        outcome = match_compute(access=access, programme=programme, region=county)
        live = MatchRun.objects.create(programme=programme, region=county)
        match_save(access=access, outcome=outcome, run=live)
        rows["proposals"] += outcome.match.placed
