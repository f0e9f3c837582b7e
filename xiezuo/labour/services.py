"""Writes of the labour matching: run a match (and store it), decide proposals, write the
confirmed ones into the labour ledger as one import batch, and take that batch back.

A run reads the posts (stored, or a posts file validated as the 岗位 template), the pool the
caller reads and its labour-ledger spells, and hands them to `calculations.match`. Confirmed
proposals go into the labour ledger through `xiezuo.ingest.services.import_file` — the same
validation, attribution, scope and bulk path as an official's file — so the batch shows in the
import history and can be undone there or from the match page.
"""

import csv
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import transaction
from django.utils import timezone

from xiezuo.access import Access, Verb
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.core.progress import Progress, silent
from xiezuo.labour import calculations as calc
from xiezuo.labour import selectors
from xiezuo.labour.models import MatchRun, Post, Proposal
from xiezuo.programs.models import Programme

LABOUR_HEADERS = [
    "证件号码",
    "户编号",
    "就业地代码",
    "用工单位",
    "开始日期",
    "结束日期",
    "组织方式",
]
ORGANISED = "有组织"


@dataclass
class MatchOutcome:
    """A match and what it was run on; `as_json()` is the command's stable shape."""

    posts: list[calc.PostRow]
    people: selectors.PoolPeople
    match: calc.Match
    seconds: float
    stored_posts: dict[str, Post] = field(default_factory=dict)

    def as_json(self, access: Access | None = None) -> dict[str, Any]:
        pool = self.people.pool
        assignments = []
        for placement in self.match.placements:
            person = pool.id_numbers[placement.person]
            if access is not None:
                person = access.mask(
                    "labour.Proposal",
                    {"id_number": person},
                    region=pool.villages[placement.person],
                )["id_number"]
            assignments.append(
                {
                    "post": self.posts[placement.post].number,
                    "person": person,
                    "household": pool.households[placement.person],
                    "wage": _number(self.posts[placement.post].wage),
                    "kind": placement.kind,
                }
            )
        return {
            "posts": self.match.posts,
            "candidates": self.match.candidates,
            "placed": self.match.placed,
            "wage_total": _number(self.match.wage_total),
            "assignments": assignments,
            "unfilled": [
                {"post": self.posts[j].number, "open": places} for j, places in self.match.unfilled
            ],
            "seconds": round(self.seconds, 3),
        }

    def unplaced_by_village(self) -> dict[str, dict[str, int]]:
        """Return {village: {reason: people}} of the pool's people left unplaced."""
        counts: Counter[tuple[str, str]] = Counter(
            (self.people.pool.villages[person], reason)
            for person, reason in self.match.unplaced.items()
        )
        found: dict[str, dict[str, int]] = {}
        for (village, reason), people in sorted(counts.items()):
            found.setdefault(village, {})[reason] = people
        return found


def _number(value: Decimal) -> int | float:
    return int(value) if value == value.to_integral_value() else float(value)


def match_compute(
    *,
    access: Access,
    programme: Programme,
    region: str | None = None,
    posts: list[calc.PostRow] | None = None,
    progress: Progress | None = None,
) -> MatchOutcome:
    """Match the pool the caller reads (inside `region`) to the posts (stored ones in reach
    when `posts` is None); store nothing."""
    access.check(Verb.MATCH_LABOUR)
    report = progress or silent
    started = time.perf_counter()
    report("读取", 0, None)
    stored: dict[str, Post] = {}
    if posts is None:
        found = list(selectors.post_list(access=access, region=region).order_by("post_no"))
        stored = {p.post_no: p for p in found}
        posts = selectors.post_rows(posts=found)
    people = selectors.labour_pool(access=access, region=region)
    pairings = selectors.programme_pairings(programme=programme)
    report("读取", 1, 1)
    result = calc.match(posts, people.pool, people.spells, pairings, progress=report)
    return MatchOutcome(posts, people, result, time.perf_counter() - started, stored)


def posts_from_file(*, path: Path | str, programme: Programme) -> list[calc.PostRow]:
    """Read a posts file (the 岗位 template) without storing it; XiezuoError lists its errors."""
    from xiezuo.ingest import catalog
    from xiezuo.ingest.reading import open_table
    from xiezuo.ingest.validation import Context, validate

    ledger = catalog.ledger("posts")
    context = Context(
        programme=programme,
        scope=Access.operator(programme).import_regions("labour.Post"),
        today=timezone.localdate(),
    )
    rows: list[calc.PostRow] = []
    errors: list[str] = []
    with open_table(Path(path), ledger) as stream:
        for table in stream:
            validated = validate(table, ledger, context)
            errors += [_error_text(e) for e in validated.errors]
            rows.extend(
                calc.PostRow(
                    number=row["post_no"],
                    helper=row["helper_id"],
                    workplace=row["workplace_id"],
                    wage=Decimal(str(row["wage"])),
                    places=int(row["places"]),
                    skilled_only=row["skill"] == Post.Skill.SKILLED,
                    age_min=int(row["age_min"]),
                    age_max=int(row["age_max"]),
                    start=row["start_date"],
                )
                for row in validated.valid_frame.iter_rows(named=True)
            )
        errors += [_error_text(e) for e in stream.cell_errors()]
    if errors:
        raise XiezuoError("岗位文件有错误：" + "；".join(errors[:20]), errors=len(errors))
    return sorted(rows, key=lambda p: p.number)


def _error_text(error: Any) -> str:
    where = f"第 {error.row} 行" if error.row is not None else ""
    return f"{where}「{error.column or ''}」{error.message}"


def match_save(
    *, access: Access, outcome: MatchOutcome, run: MatchRun, progress: Progress | None = None
) -> MatchRun:
    """Store a computed match on `run` as proposals (every assignment, with its reasons)."""
    from xiezuo.core.bulk import bulk_insert

    access.check(Verb.MATCH_LABOUR)
    missing = [p.number for p in outcome.posts if p.number not in outcome.stored_posts]
    if missing:
        stored = {
            p.post_no: p for p in Post.objects.filter(post_no__in=[p.number for p in outcome.posts])
        }
        outcome.stored_posts.update(stored)
        missing = [n for n in missing if n not in stored]
    if missing:
        raise XiezuoError(
            f"岗位 {', '.join(missing[:5])} 等 {len(missing)} 个尚未导入："
            "请先导入岗位台账再保存匹配。"
        )
    pool = outcome.people.pool
    rows = []
    for placement in outcome.match.placements:
        post = outcome.posts[placement.post]
        person = placement.person
        rows.append(
            (
                run.pk,
                outcome.stored_posts[post.number].pk,
                pool.id_numbers[person],
                outcome.people.names[person],
                outcome.people.household_ids[person],
                pool.villages[person],
                placement.kind,
                float(post.wage),
                placement.age,
                placement_reasons(post, placement, skilled=bool(pool.skilled[person])),
                Proposal.Status.PROPOSED,
            )
        )
    with transaction.atomic():
        bulk_insert(
            Proposal,
            [
                "run_id",
                "post_id",
                "id_number",
                "name",
                "household_id",
                "village_id",
                "kind",
                "wage",
                "age",
                "reasons",
                "status",
            ],
            rows,
        )
        run.posts = outcome.match.posts
        run.candidates = outcome.match.candidates
        run.placed = outcome.match.placed
        run.wage_total = outcome.match.wage_total
        run.seconds = outcome.seconds
        run.unplaced = outcome.unplaced_by_village()
        run.status = MatchRun.Status.DONE
        run.stage = "完成"
        run.save()
    return run


def placement_reasons(post: calc.PostRow, placement: calc.Placement, *, skilled: bool) -> str:
    """Return why a person may take a post: local or transfer, skill, age."""
    where = (
        "工作地在本县"
        if placement.kind == calc.LOCAL
        else f"帮扶方 {post.helper} 与本县结对（转移就业）"
    )
    skill = calc.SKILLED if skilled else calc.ORDINARY
    asks = "岗位要求技能劳动力" if post.skilled_only else "岗位不限技能"
    return (
        f"{where}；{skill}，{asks}；开始日期 {post.start:%Y-%m-%d} 时 {placement.age} 周岁，"
        f"在 {post.age_min}–{post.age_max} 岁之间；开始日期无在岗记录"
    )


def match_run(
    *,
    access: Access,
    programme: Programme,
    region: str | None = None,
    user: Any = None,
    run: MatchRun | None = None,
    progress: Progress | None = None,
) -> MatchRun:
    """Run a match of the stored posts and store it as a run with proposals (the page's task).

    `run` is the queued run to fill in; its stage and counts follow the progress.
    """
    access.check(Verb.MATCH_LABOUR)
    if region and not access.covers(region):
        raise ScopeError(f"无权对区域 {region} 运行匹配", region=region)
    if run is None:
        run = MatchRun.objects.create(
            programme=programme,
            region=region or "",
            user=user if getattr(user, "pk", None) else None,
        )
    run.status = MatchRun.Status.RUNNING
    run.save(update_fields=["status"])
    outer = progress or silent

    def follow(stage: str, done: int, total: int | None) -> None:
        MatchRun.objects.filter(pk=run.pk).update(stage=stage, done=done, total=total)
        outer(stage, done, total)

    try:
        outcome = match_compute(access=access, programme=programme, region=region, progress=follow)
        follow("保存", 0, 1)
        match_save(access=access, outcome=outcome, run=run)
    except Exception as error:
        MatchRun.objects.filter(pk=run.pk).update(
            status=MatchRun.Status.FAILED, error=str(error)[:2000]
        )
        raise
    return run


# --- proposals --------------------------------------------------------------------------------


def proposals_decide(*, access: Access, run: MatchRun, ids: list[int], confirm: bool) -> int:
    """Confirm or decline proposals of `run` for people the caller reads; return how many
    changed. Proposals already written into the labour ledger are left as they are."""
    access.check(Verb.MATCH_LABOUR)
    mine = selectors.proposal_list(access=access, run=run).filter(pk__in=ids, batch__isnull=True)
    allowed = [p.pk for p in mine if access.covers(p.village_id)]
    status = Proposal.Status.CONFIRMED if confirm else Proposal.Status.DECLINED
    return Proposal.objects.filter(pk__in=allowed).update(status=status, decided_at=timezone.now())


def proposals_write(*, access: Access, run: MatchRun, user: Any = None) -> Any:
    """Write the run's confirmed, unwritten proposals into the labour ledger as one import
    batch (组织方式 有组织); return the import report. Nothing is written when the import
    finds an error (XiezuoError names them)."""
    from xiezuo.ingest.services import import_file

    access.check(Verb.MATCH_LABOUR)
    pending = list(
        selectors.proposal_list(access=access, run=run)
        .filter(status=Proposal.Status.CONFIRMED, batch__isnull=True)
        .select_related("post", "household")
        .order_by("id_number")
    )
    pending = [p for p in pending if access.covers(p.village_id)]
    if not pending:
        raise XiezuoError("没有待写入的已确认匹配。")
    with tempfile.TemporaryDirectory(prefix="xiezuo-labour-") as folder:
        path = Path(folder) / f"岗位匹配{run.pk}-确认.csv"
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(LABOUR_HEADERS)
            for proposal in pending:
                post = proposal.post
                writer.writerow(
                    [
                        proposal.id_number,
                        proposal.household.household_no,
                        post.workplace_id,
                        post.employer,
                        post.start_date.isoformat(),
                        post.end_date.isoformat() if post.end_date else "",
                        ORGANISED,
                    ]
                )
        report = import_file(
            ledger_key="labour", path=path, access=access, user=user, programme=run.programme
        )
    if report.errors:
        raise XiezuoError(
            "写入劳务协作台账失败：" + "；".join(e.message for e in report.errors[:10]),
            errors=len(report.errors),
        )
    Proposal.objects.filter(pk__in=[p.pk for p in pending]).update(batch_id=report.batch_id)
    return report


def proposals_undo(*, access: Access, run: MatchRun, batch_id: int) -> int:
    """Take back a batch of confirmed proposals of `run`: the labour-ledger rows go, the
    proposals become undecided again. Return how many proposals were reopened."""
    from xiezuo.ingest.models import Batch
    from xiezuo.ingest.services import batch_undo

    access.check(Verb.MATCH_LABOUR)
    mine = selectors.proposal_list(access=access, run=run).filter(batch_id=batch_id)
    if not mine.exists():
        raise ScopeError(f"批次 {batch_id} 不属于本次匹配，或不在您的权限范围内")
    with transaction.atomic():
        batch = Batch.objects.get(pk=batch_id)
        if batch.status == Batch.Status.LOADED:
            batch_undo(batch)
        return Proposal.objects.filter(run=run, batch_id=batch_id).update(
            batch=None, status=Proposal.Status.PROPOSED, decided_at=None
        )
