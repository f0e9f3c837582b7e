"""`/bulletins/<pk>/extract/`: review the ledger rows proposed from a bulletin and accept them.

The article's text with each evidence sentence highlighted, beside one editable row per
proposal (the ledger template's columns). Ticked rows go through the normal import path as one
batch per ledger (`xiezuo.bulletins.extraction.accept`), linked to the article; on any error
nothing is written and the errors show per row and column.
"""

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from xiezuo.access import Access, Verb
from xiezuo.bulletins import selectors
from xiezuo.bulletins.models import Article
from xiezuo.core.errors import XiezuoError
from xiezuo.programs.models import Programme
from xiezuo.web.guards import verb_required


@dataclass
class Row:
    """One proposal on the page: its ledger, columns, values as typed, errors by column."""

    number: int
    kind: str
    ledger: str
    ledger_title: str
    evidence: str
    cells: list[dict[str, Any]]
    accepted: bool = True
    errors: list[str] = field(default_factory=list)


def _segments(text: str, spans: list[tuple[int, int, int]]) -> list[dict[str, Any]]:
    """`text` cut into plain and highlighted pieces (highlights numbered by proposal)."""
    pieces: list[dict[str, Any]] = []
    at = 0
    for start, end, number in sorted(spans):
        if start < at:
            continue
        if start > at:
            pieces.append({"text": text[at:start], "mark": None})
        pieces.append({"text": text[start:end], "mark": number})
        at = end
    if at < len(text):
        pieces.append({"text": text[at:], "mark": None})
    return pieces


@verb_required(Verb.IMPORT_LEDGERS)
def extract_page(
    request: HttpRequest, pk: int, *, access: Access, programme: Programme
) -> HttpResponse:
    from xiezuo.bulletins.extraction import extract
    from xiezuo.bulletins.extraction.accept import Proposal, ProposalsRejected, proposals_accept
    from xiezuo.bulletins.extraction.loading import place_index, sides_for
    from xiezuo.bulletins.extraction.rules import kind_names
    from xiezuo.bulletins.textfile import ArticleText
    from xiezuo.ingest.catalog import ledger as get_ledger

    try:
        article = selectors.article_get(access=access, pk=pk)
    except Article.DoesNotExist:
        raise Http404("没有这篇文章") from None
    text = ArticleText(
        title=article.title,
        published=article.published,
        source=article.source,
        publisher=article.publisher,
        body=article.text,
    )
    activities = extract(text, places=place_index(), sides=sides_for(programme))
    names = kind_names()
    rows: list[Row] = []
    others = []
    for activity in activities:
        if not (activity.ledger and activity.row):
            others.append({"kind": names[activity.kind], "fields": activity.as_json()})
            continue
        template = get_ledger(activity.ledger)
        number = len(rows)
        rows.append(
            Row(
                number=number,
                kind=names[activity.kind],
                ledger=activity.ledger,
                ledger_title=template.title,
                evidence=activity.evidence,
                cells=[
                    {
                        "header": column.header,
                        "name": f"p{number}-c{position}",
                        "value": ""
                        if activity.row[column.header] is None
                        else str(activity.row[column.header]),
                        "required": column.required,
                        "errors": [],
                    }
                    for position, column in enumerate(template.columns)
                ],
            )
        )
    spans = [(a.span[0], a.span[1], i + 1) for i, a in enumerate(activities)]
    general: list[str] = []
    if request.method == "POST":
        for row in rows:
            row.accepted = request.POST.get(f"p{row.number}-accept") == "on"
            for cell in row.cells:
                cell["value"] = request.POST.get(cell["name"], "")[:500]
        accepted = [row for row in rows if row.accepted]
        try:
            batches = proposals_accept(
                access=access,
                programme=programme,
                article=article,
                proposals=[
                    Proposal(row.ledger, {c["header"]: c["value"] for c in row.cells})
                    for row in accepted
                ],
                user=request.user,
            )
        except ProposalsRejected as rejected:
            for error in rejected.errors:
                if error.proposal is None:
                    general.append(error.message)
                    continue
                row = accepted[error.proposal]
                for cell in row.cells:
                    if cell["header"] == error.column:
                        cell["errors"].append(error.message)
                        break
                else:
                    row.errors.append(error.message)
        except XiezuoError as error:
            general.append(error.message)
        else:
            messages.success(
                request,
                f"已导入 {len(accepted)} 行，生成 {len(batches)} 个批次（批次号 "
                f"{'、'.join(str(b.pk) for b in batches)}），可在导入记录中撤销。",
            )
            return redirect("web:bulletins-extract", pk=article.pk)
    return render(
        request,
        "web/bulletins_extract.html",
        {
            "article": article,
            "segments": _segments(article.text, spans),
            "rows": rows,
            "others": others,
            "general_errors": general,
            "batches": list(article.batches.order_by("pk")),
        },
        status=400 if request.method == "POST" else 200,
    )
