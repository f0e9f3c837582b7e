"""Reads of the labour matching: posts, the pool of people, runs and proposals, all scoped.

Posts are read by whoever may view labour cooperation, inside their area: a post whose place
of work or helper lies in a region the caller reads, or whose helper is paired with a county
the caller reads (the transfer posts in reach of that county). People of the pool are read
through the registry's scoped selector (`household_list`): a county office sees its county.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet

from xiezuo.access import Access, Verb
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError
from xiezuo.labour import calculations as calc
from xiezuo.labour.models import MatchRun, Post, Proposal
from xiezuo.ledgers.models import LabourTransfer
from xiezuo.ledgers.selectors import ledger_records
from xiezuo.programs.models import Pairing, Programme
from xiezuo.registry.models import Member
from xiezuo.registry.selectors import household_list

# A confirmed proposal fills its place unless the batch it was written in was undone.
FILLING = Q(status=Proposal.Status.CONFIRMED) & (Q(batch__isnull=True) | ~Q(batch__status="undone"))


def _regions_filter(regions: set[str] | frozenset[str], programme: Programme | None) -> Q:
    """Return the posts in reach of or posted inside `regions`."""
    condition = Q(pk__in=[])
    pairings = list(
        Pairing.objects.filter(programme=programme).values_list("helper_id", "recipient_id")
        if programme is not None
        else Pairing.objects.values_list("helper_id", "recipient_id")
    )
    helpers: set[str] = set()
    for region in regions:
        condition |= Q(workplace__code__startswith=codes.prefix(region))
        condition |= Q(helper__code__startswith=codes.prefix(region))
        if codes.level_of(region) > codes.Level.COUNTY:
            condition |= Q(workplace_id=codes.county_of(region))
        for helper, recipient in pairings:
            if codes.contains(region, recipient) or codes.contains(recipient, region):
                helpers.add(helper)
    for helper in helpers:
        condition |= Q(helper__code__startswith=codes.prefix(helper))
    return condition


def post_list(*, access: Access, region: str | None = None) -> QuerySet[Post]:
    """Return the posts the caller reads, optionally those in reach of or inside `region`."""
    access.check(Verb.VIEW_LABOUR)
    posts = Post.objects.all()
    if not access.everything:
        posts = posts.filter(_regions_filter(access.read_regions, access.programme))
    if region:
        if not access.covers(region):
            raise ScopeError(f"无权查看区域 {region} 的岗位", region=region)
        posts = posts.filter(_regions_filter({region}, access.programme))
    return posts


def filled_places(*, posts: QuerySet[Post] | list[Post]) -> dict[int, int]:
    """Return {post id: places filled by confirmed proposals} for `posts`."""
    ids = [p.pk for p in posts]
    rows = (
        Proposal.objects.filter(FILLING, post_id__in=ids)
        .values("post_id")
        .annotate(filled=Count("pk"))
        .values_list("post_id", "filled")
    )
    return dict(rows)


@dataclass
class PostView:
    """A post as the 岗位 page shows it."""

    post: Post
    filled: int

    @property
    def open(self) -> int:
        return max(0, self.post.places - self.filled)


def post_views(*, access: Access, region: str | None = None) -> list[PostView]:
    """Return the posts the caller reads with their filled and open places."""
    posts = list(post_list(access=access, region=region).select_related("helper", "workplace"))
    filled = filled_places(posts=posts)
    return [PostView(p, filled.get(p.pk, 0)) for p in posts]


def post_rows(*, posts: list[Post]) -> list[calc.PostRow]:
    """Return the match's view of stored posts: open places after confirmed proposals."""
    filled = filled_places(posts=posts)
    return [
        calc.PostRow(
            number=p.post_no,
            helper=p.helper_id,
            workplace=p.workplace_id,
            wage=Decimal(p.wage),
            places=max(0, p.places - filled.get(p.pk, 0)),
            skilled_only=p.skill == Post.Skill.SKILLED,
            age_min=p.age_min,
            age_max=p.age_max,
            start=p.start_date,
        )
        for p in posts
    ]


@dataclass
class PoolPeople:
    """The pool with what a proposal needs beside the calculation's columns."""

    pool: calc.Pool
    spells: calc.Spells
    names: list[str]
    household_ids: list[int]


def labour_pool(
    *, access: Access, region: str | None = None, only: list[str] | None = None
) -> PoolPeople:
    """Return the people the caller reads whom rules 1 and 2 put forward, and their spells.

    Registered households only (not the monitored ones outside the register), status 未脱贫,
    已脱贫(享受政策) or 返贫; members of skill 普通劳动力 or 技能劳动力. In the order of county,
    village, household and ID number. `only` keeps the people of these ID numbers.
    """
    import numpy as np

    households = household_list(access=access, region=region, registered=True).filter(
        status__in=calc.POOL_STATUSES
    )
    members = Member.objects.filter(
        household__in=households.values("pk"), labour_skill__in=calc.POOL_SKILLS
    )
    if only is not None:
        members = members.filter(id_number__in=only)
    rows = list(
        members.order_by(
            "household__county_id", "household__village_id", "household_id", "id_number"
        ).values_list(
            "id_number",
            "name",
            "household__household_no",
            "household_id",
            "household__village_id",
            "household__county_id",
            "labour_skill",
        )
    )
    ids = [r[0] for r in rows]
    pool = calc.Pool(
        id_numbers=ids,
        households=[r[2] for r in rows],
        villages=[r[4] for r in rows],
        counties=[r[5] for r in rows],
        skilled=np.array([r[6] == calc.SKILLED for r in rows], dtype=bool),
        births=calc.birth_numbers(ids),
    )
    index = {number: i for i, number in enumerate(ids)}
    spells = (
        ledger_records(access=access, model=LabourTransfer)
        .filter(household__in=households.values("pk"))
        .values_list("id_number", "start_date", "end_date")
    )
    person, start, end = [], [], []
    for number, first, last in spells:
        if number in index:
            person.append(index[number])
            start.append(calc.day_number(first))
            end.append(calc.day_number(last) if last else calc.OPEN_END)
    return PoolPeople(
        pool=pool,
        spells=calc.Spells(
            np.array(person, dtype=np.int64),
            np.array(start, dtype=np.int64),
            np.array(end, dtype=np.int64),
        ),
        names=[r[1] for r in rows],
        household_ids=[r[3] for r in rows],
    )


def programme_pairings(*, programme: Programme) -> list[tuple[str, str]]:
    """Return the programme's pairings as (helper, recipient) codes."""
    return list(
        Pairing.objects.filter(programme=programme).values_list("helper_id", "recipient_id")
    )


# --- runs and proposals ------------------------------------------------------------------------


def run_list(*, access: Access) -> QuerySet[MatchRun]:
    """Return the match runs the caller may follow: all for a reader of the whole programme;
    otherwise their own, the runs of regions they read, and the runs of the whole programme
    (whose proposals `proposal_list` keeps to what they read)."""
    access.check(Verb.VIEW_LABOUR)
    programme = access.programme
    runs = MatchRun.objects.filter(programme=programme)
    if programme is not None and all(
        access.covers(p) for p in (programme.helper_province_id, programme.recipient_province_id)
    ):
        return runs  # a reader of the whole programme
    visible = Q(region="")
    if access.user_id:
        visible |= Q(user_id=access.user_id)
    for region in access.read_regions:
        visible |= Q(region__startswith=codes.prefix(region)) & ~Q(region="")
    return runs.filter(visible)


def run_get(*, access: Access, pk: int) -> MatchRun:
    """Return one run the caller may follow; ScopeError otherwise."""
    run = run_list(access=access).filter(pk=pk).first()
    if run is None:
        raise ScopeError(f"没有匹配记录 {pk}，或不在您的权限范围内")
    return run


def proposal_list(*, access: Access, run: MatchRun) -> QuerySet[Proposal]:
    """Return the run's proposals for people the caller reads (village by village)."""
    access.check(Verb.VIEW_LABOUR)
    proposals = run.proposals.select_related("post", "village", "household")
    if access.everything:
        return proposals
    inside = Q(pk__in=[])
    for region in access.read_regions:
        inside |= Q(village__code__startswith=codes.prefix(region))
    helpers = Q(pk__in=[])
    for _role, region in access.grants:
        helpers |= Q(post__helper__code__startswith=codes.prefix(region))
    return proposals.filter(inside | helpers)


def shown_proposal(access: Access, proposal: Proposal) -> dict[str, object]:
    """Return a proposal's fields as the caller may see them (the ID number masked)."""
    return access.mask(
        "labour.Proposal",
        {
            "id_number": proposal.id_number,
            "name": proposal.name,
            "household__village_id": proposal.village_id,
        },
    )


# --- follow-up and flows -------------------------------------------------------------------------


def placement_spells(*, access: Access, year: int) -> list[calc.Spell]:
    """Return the organised (有组织) labour-ledger spells of `year` the caller reads."""
    access.check(Verb.VIEW_LABOUR)
    rows = (
        ledger_records(access=access, model=LabourTransfer, year=year)
        .filter(organisation="有组织")
        .values_list(
            "id_number",
            "household__county_id",
            "workplace_code",
            "employer",
            "start_date",
            "end_date",
            "household__responsible_name",
        )
    )
    return [calc.Spell(*row) for row in rows]


def next_best_posts(
    *, access: Access, programme: Programme, spells: list[calc.Spell]
) -> dict[str, calc.PostRow]:
    """Return, for each spell that ended early, the best-paid post with an open place that its
    worker is a candidate for, starting after the spell ended (by ID number)."""
    if not spells:
        return {}
    rows = post_rows(posts=list(post_list(access=access).order_by("post_no")))
    people = labour_pool(access=access, only=[s.id_number for s in spells])
    index = {n: i for i, n in enumerate(people.pool.id_numbers)}
    pairings = programme_pairings(programme=programme)
    groups = calc.group_people(rows, people.pool, people.spells, pairings)
    best: dict[str, calc.PostRow] = {}
    ended = {s.id_number: s for s in spells if s.end is not None}
    by_person: dict[int, list[int]] = {}
    for members, eligible in zip(groups.members, groups.posts, strict=True):
        for person in members.tolist():
            by_person[person] = eligible.tolist()
    for number, spell in ended.items():
        person = index.get(number)
        if person is None or spell.end is None:
            continue
        later = [rows[j] for j in by_person.get(person, []) if rows[j].start > spell.end]
        if later:
            best[number] = max(later, key=lambda p: (p.wage, -p.start.toordinal()))
    return best


def labour_flows(*, access: Access, year: int | None = None) -> list[tuple[str, str, int]]:
    """Return (recipient county, workplace county, distinct people) of the labour ledger the
    caller reads: the flows of the Sankey."""
    access.check(Verb.VIEW_LABOUR)
    rows = ledger_records(access=access, model=LabourTransfer, year=year).values_list(
        "household__county_id", "workplace_code", "id_number"
    )
    people: dict[tuple[str, str], set[str]] = {}
    for county, workplace, number in rows:
        people.setdefault((county, workplace[:6]), set()).add(number)
    return sorted(
        ((county, place, len(who)) for (county, place), who in people.items()),
        key=lambda row: -row[2],
    )
