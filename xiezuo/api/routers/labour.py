"""Labour cooperation (docs/labour.md): match runs, their proposals (ID numbers masked as on
the pages) and the labour flows. Posts are a ledger: `/api/ledgers/posts`."""

from datetime import datetime
from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from xiezuo.access import Access
from xiezuo.access.audit import audit
from xiezuo.access.models import AuditEvent
from xiezuo.api.auth import caller_access
from xiezuo.api.listing import STREAMED, ListParams, listing
from xiezuo.labour.models import MatchRun, Proposal
from xiezuo.labour.selectors import labour_flows, proposal_list, run_get, run_list, shown_proposal

router = Router(tags=["labour"])


class MatchRunOut(Schema):
    id: int
    region: str = Field(..., description="the region matched; empty for the whole programme")
    created_at: datetime
    status: str
    posts: int
    candidates: int
    placed: int
    wage_total: float
    seconds: float
    unplaced: dict[str, Any]
    error: str


class MatchRunPage(Schema):
    items: list[MatchRunOut]
    next: str | None


class ProposalOut(Schema):
    post: str = Field(..., description="岗位编号")
    household: str = Field(..., description="户编号")
    village: str
    name: str
    id_number: str = Field(..., description="masked unless the role may see it")
    kind: str
    wage: float
    age: int
    reasons: str
    status: str


class ProposalPage(Schema):
    items: list[ProposalOut]
    next: str | None


class FlowOut(Schema):
    county: str = Field(..., description="the people's recipient county")
    workplace: str = Field(..., description="the county they work in")
    people: int


def _run(run: MatchRun) -> dict[str, Any]:
    return {
        "id": run.pk,
        "region": run.region,
        "created_at": run.created_at,
        "status": run.status,
        "posts": run.posts,
        "candidates": run.candidates,
        "placed": run.placed,
        "wage_total": run.wage_total,
        "seconds": run.seconds,
        "unplaced": run.unplaced or {},
        "error": run.error,
    }


def _proposals(access: Access) -> Any:
    def shape(rows: QuerySet[Proposal]) -> list[dict[str, Any]]:
        shown = []
        for p in rows.select_related("post", "household"):
            masked = shown_proposal(access, p)
            shown.append(
                {
                    "post": p.post.post_no,
                    "household": p.household.household_no,
                    "village": p.village_id,
                    "name": masked["name"],
                    "id_number": masked["id_number"],
                    "kind": p.kind,
                    "wage": p.wage,
                    "age": p.age,
                    "reasons": p.reasons,
                    "status": p.status,
                }
            )
        return shown

    return shape


@router.get("/labour/runs", response=MatchRunPage, openapi_extra={"responses": STREAMED})
def match_runs(request: HttpRequest, params: Query[ListParams]) -> object:
    """List the match runs the caller may follow, newest first."""
    rows = run_list(access=caller_access(request))
    fields = [f for f in MatchRunOut.model_fields if f != "unplaced"]
    return listing(
        request,
        rows,
        params,
        key="-pk",
        shape=lambda runs: [_run(r) for r in runs],
        fields=fields,
        name="labour-runs",
    )


@router.get("/labour/runs/{match_id}", response=MatchRunOut)
def match_run(request: HttpRequest, match_id: int) -> object:
    """Return one match run: posts, candidates, people placed, why the others were not."""
    return _run(run_get(access=caller_access(request), pk=match_id))


@router.get(
    "/labour/runs/{match_id}/proposals",
    response=ProposalPage,
    openapi_extra={"responses": STREAMED},
)
def match_proposals(request: HttpRequest, match_id: int, params: Query[ListParams]) -> object:
    """List a run's proposals for the people the caller reads (ID numbers masked unless the
    role may see them; the read is written to the audit log)."""
    access = caller_access(request)
    run = run_get(access=access, pk=match_id)

    def on_read(rows: int) -> None:
        audit(
            access=access,
            action=AuditEvent.Action.API_READ,
            what=f"/api/labour/runs/{run.pk}/proposals",
            rows=rows,
            region=run.region or None,
        )

    return listing(
        request,
        proposal_list(access=access, run=run),
        params,
        key="pk",
        shape=_proposals(access),
        fields=list(ProposalOut.model_fields),
        name=f"labour-proposals-{run.pk}",
        on_read=on_read,
    )


@router.get("/labour/flows", response=list[FlowOut])
def flows(request: HttpRequest, year: int | None = Query(None, ge=1949, le=2100)) -> object:
    """Return the labour ledger's flows the caller reads: (recipient county, workplace county,
    distinct people), largest first."""
    rows = labour_flows(access=caller_access(request), year=year)
    return [{"county": c, "workplace": w, "people": n} for c, w, n in rows]
