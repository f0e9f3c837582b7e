"""The labour cooperation pages: 劳务协作 (flows), 岗位, 匹配 (a task, then proposals to confirm
or decline), 稳岗跟踪. Each parses its request, calls the labour selectors or services, renders."""

import datetime as dt
import re
from itertools import groupby
from typing import Any

from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from xiezuo.access import Access, Verb
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.labour import calculations as calc
from xiezuo.labour import selectors, services
from xiezuo.labour.models import MatchRun, Proposal
from xiezuo.labour.tasks import run_match
from xiezuo.programs.models import Programme
from xiezuo.regions.models import Region
from xiezuo.web import params
from xiezuo.web.guards import verb_required

POSTS_PER_PAGE = 50
ENDED_SHOWN = 100
_REGION = re.compile(r"[0-9]{6}([0-9]{3}){0,2}")


# Sign-in and `view_labour` required; the view receives the access and programme.
labour_view = verb_required(Verb.VIEW_LABOUR)


def _names(codes_wanted: set[str]) -> dict[str, str]:
    return dict(Region.objects.filter(code__in=codes_wanted).values_list("code", "name"))


@require_GET
@labour_view
def labour_overview(request: HttpRequest, *, access: Access, programme: Programme) -> HttpResponse:
    """Flows of workers from recipient counties to places of work (ECharts Sankey)."""
    years = range(programme.start_year, programme.end_year + 1)
    year = params.year(request, years=years, default=programme.end_year)
    flows = selectors.labour_flows(access=access, year=year)
    names = _names({c for c, _, _ in flows} | {w for _, w, _ in flows})
    links: list[dict[str, str | int]] = [
        {"source": names.get(c, c), "target": f"{names.get(w, w)}·就业", "value": n}
        for c, w, n in flows
    ]
    nodes = sorted(
        {str(link["source"]) for link in links} | {str(link["target"]) for link in links}
    )
    return render(
        request,
        "web/labour_overview.html",
        {
            "programme": programme,
            "year": year,
            "years": list(years),
            "people": sum(n for _, _, n in flows),
            "chart": {"nodes": [{"name": n} for n in nodes], "links": links},
        },
    )


@require_GET
@labour_view
def posts_page(request: HttpRequest, *, access: Access, programme: Programme) -> HttpResponse:
    """The posts the caller reads, with open and filled places."""
    region = params.key(request, "region", pattern=_REGION)
    try:
        views = selectors.post_views(access=access, region=region)
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    page = params.page(Paginator(views, POSTS_PER_PAGE), request.GET.get("page"))
    return render(
        request,
        "web/labour_posts.html",
        {
            "page": page,
            "region": region or "",
            "places": sum(v.post.places for v in views),
            "filled": sum(v.filled for v in views),
            "count": len(views),
        },
    )


@require_GET
@labour_view
def match_page(request: HttpRequest, *, access: Access, programme: Programme) -> HttpResponse:
    """Runs, and the chosen run's proposals by village with their reasons."""
    runs = list(selectors.run_list(access=access)[:10])
    raw = params.key(request, "run", pattern=re.compile(r"[0-9]{1,9}"))
    run = None
    if raw:
        try:
            run = selectors.run_get(access=access, pk=int(raw))
        except ScopeError as error:
            raise Http404(error.message) from error
    elif runs:
        run = runs[0]
    context: dict[str, Any] = {
        "runs": runs,
        "run": run,
        "may_match": access.may(Verb.MATCH_LABOUR),
        "default_region": _own_county(access),
    }
    if run is not None and run.status == MatchRun.Status.DONE:
        proposals = list(selectors.proposal_list(access=access, run=run))
        villages = [
            {
                "village": village,
                "rows": [
                    {"proposal": p, "shown": selectors.shown_proposal(access, p)} for p in items
                ],
            }
            for village, items in groupby(proposals, key=lambda p: p.village)
        ]
        context |= {
            "villages": villages,
            "batches": sorted({p.batch_id for p in proposals if p.batch_id}),
            "confirmed_pending": sum(
                1 for p in proposals if p.status == Proposal.Status.CONFIRMED and not p.batch_id
            ),
            "unplaced": _unplaced(access, run),
            "reasons": calc.UNPLACED_REASONS,
        }
    return render(request, "web/labour_match.html", context)


def _own_county(access: Access) -> str:
    counties = [r for _, r in access.grants if codes.level_of(r) >= codes.Level.COUNTY]
    return codes.county_of(counties[0]) if len(counties) == 1 else ""


def _unplaced(access: Access, run: MatchRun) -> list[dict[str, Any]]:
    shown = {v: c for v, c in run.unplaced.items() if access.covers(v)}
    names = _names(set(shown))
    return [
        {
            "village": v,
            "name": names.get(v, v),
            "cells": [c.get(reason) for reason in calc.UNPLACED_REASONS],
            "total": sum(c.values()),
        }
        for v, c in sorted(shown.items())
    ]


@require_POST
@labour_view
def match_start(request: HttpRequest, *, access: Access, programme: Programme) -> HttpResponse:
    """Queue a match of the caller's county (or the region asked for); follow it on the page."""
    try:
        access.check(Verb.MATCH_LABOUR)
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    region = request.POST.get("region", "").strip() or _own_county(access)
    if region and (not _REGION.fullmatch(region) or not access.covers(region)):
        messages.error(request, f"无法运行匹配：无权对区域 {region} 运行匹配。")
        return redirect("web:labour-match")
    user = request.user if request.user.is_authenticated else None
    run = MatchRun.objects.create(programme=programme, region=region, user=user)
    run_match.enqueue(run.pk, request.user.pk)
    return redirect(f"{reverse('web:labour-match')}?run={run.pk}")


@require_GET
@labour_view
def match_status(
    request: HttpRequest, pk: int, *, access: Access, programme: Programme
) -> HttpResponse:
    """The run's progress bar, polled until it is done."""
    try:
        run = selectors.run_get(access=access, pk=pk)
    except ScopeError as error:
        raise Http404(error.message) from error
    if run.status == MatchRun.Status.DONE and request.headers.get("HX-Request") == "true":
        response = HttpResponse(status=204)
        response["HX-Redirect"] = f"{reverse('web:labour-match')}?run={run.pk}"
        return response
    return render(request, "web/labour_match_status.html", {"run": run})


@require_POST
@labour_view
def proposals_view(
    request: HttpRequest, pk: int, *, access: Access, programme: Programme
) -> HttpResponse:
    """Confirm or decline the ticked proposals; write the confirmed ones; undo a batch."""
    try:
        run = selectors.run_get(access=access, pk=pk)
        action = request.POST.get("action", "")
        if action in ("confirm", "decline"):
            ids = [int(i) for i in request.POST.getlist("proposal") if i.isdigit()]
            changed = services.proposals_decide(
                access=access, run=run, ids=ids, confirm=action == "confirm"
            )
            messages.success(
                request, f"已{'确认' if action == 'confirm' else '谢绝'} {changed} 条。"
            )
        elif action == "write":
            report = services.proposals_write(access=access, run=run, user=request.user)
            messages.success(
                request, f"已写入劳务协作台账 {report.inserted} 行（批次 {report.batch_id}）。"
            )
        elif action == "undo":
            batch = request.POST.get("batch", "")
            if not batch.isdigit():
                raise BadRequest("批次无效")
            reopened = services.proposals_undo(access=access, run=run, batch_id=int(batch))
            messages.success(request, f"已撤销批次 {batch}，{reopened} 条匹配恢复为待确认。")
        else:
            raise BadRequest("未知操作")
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    except XiezuoError as error:
        messages.error(request, error.message)
    return redirect(f"{reverse('web:labour-match')}?run={pk}")


@require_GET
@labour_view
def tracking_page(request: HttpRequest, *, access: Access, programme: Programme) -> HttpResponse:
    """Placements approaching 90 days, those that ended early (with the next best post), and
    the people who reach I16 / I17 in the year."""
    years = range(programme.start_year, programme.end_year + 1)
    year = params.year(request, years=years, default=programme.end_year)
    as_of = _as_of(request, year)
    spells = selectors.placement_spells(access=access, year=year)
    followed = calc.stability(
        spells, year=year, as_of=as_of, helper_province=programme.helper_province_id
    )
    ended = followed.ended_early[:ENDED_SHOWN]
    nexts = selectors.next_best_posts(
        access=access, programme=programme, spells=[s for s, _ in ended]
    )

    def shown(spell: calc.Spell) -> str:
        return str(access.mask("ledgers.LabourTransfer", {"id_number": spell.id_number},
                               region=spell.county)["id_number"])  # fmt: skip

    return render(
        request,
        "web/labour_tracking.html",
        {
            "year": year,
            "years": list(years),
            "as_of": as_of,
            "followed": followed,
            "approaching": [(s, d, shown(s)) for s, d in followed.approaching[:ENDED_SHOWN]],
            "ended": [(s, d, shown(s), nexts.get(s.id_number)) for s, d in ended],
            "stable_days": calc.STABLE_DAYS,
        },
    )


def _as_of(request: HttpRequest, year: int) -> dt.date:
    raw = request.GET.get("as_of", "")
    if not raw:
        today = timezone.localdate()
        return today if today.year == year else dt.date(year, 12, 31)
    try:
        day = dt.date.fromisoformat(raw)
    except ValueError:
        raise BadRequest("截至日期须为 YYYY-MM-DD") from None
    if day.year != year:
        raise BadRequest("截至日期须在所选年度内")
    return day
