"""The bulletins portal: public lists, articles, search, files; the editor for writers.

Published articles are public (no sign-in); drafts are shown only to who may edit them.
Every read goes through `xiezuo.bulletins.selectors`, every write through its services.
"""

import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from xiezuo.access import Access, Verb
from xiezuo.access.middleware import access_of
from xiezuo.bulletins import channels, selectors, services
from xiezuo.bulletins.models import Article, Attachment
from xiezuo.core.errors import ScopeError, XiezuoError
from xiezuo.programs.models import Programme
from xiezuo.programs.selectors import pairing_list
from xiezuo.regions.models import Region
from xiezuo.web import params
from xiezuo.web.bulletins.forms import ArticleForm
from xiezuo.web.guards import verb_required

PER_PAGE = 20
VISITOR_COOKIE = "xz_reader"
_VISITOR = re.compile(r"[A-Za-z0-9_-]{16,64}")
MAX_QUERY = 200


def _access(request: HttpRequest) -> Access:
    """Return the caller's access; an installation without a programme reads as the public."""
    try:
        return access_of(request)[0]
    except Programme.DoesNotExist:
        return Access.public()


def _page(request: HttpRequest, articles):
    return params.page(Paginator(articles, PER_PAGE), request.GET.get("page"))


def index(request: HttpRequest) -> HttpResponse:
    """The portal's front page: the latest articles and each channel's newest."""
    access = _access(request)
    latest = list(selectors.article_list(access=access)[:8])
    counts = selectors.channel_counts()
    sections = [
        (c, counts[c.name], list(selectors.article_list(access=access, channel=c.name)[:5]))
        for c in channels.channels()
    ]
    return render(
        request,
        "web/bulletins_index.html",
        {
            "latest": latest,
            "sections": sections,
            "channels": channels.channels(),
            "may_write": access.may(Verb.WRITE_BULLETINS),
        },
    )


def channel_page(request: HttpRequest, slug: str) -> HttpResponse:
    """One channel's published articles, newest first, paged."""
    params.check_path(slug)
    channel = channels.by_slug(slug)
    if channel is None:
        raise Http404("没有这个栏目")
    access = _access(request)
    page = _page(request, selectors.article_list(access=access, channel=channel.name))
    return render(
        request,
        "web/bulletins_list.html",
        {
            "heading": channel.name,
            "channel": channel,
            "page": page,
            "channels": channels.channels(),
        },
    )


def region_page(request: HttpRequest, code: str) -> HttpResponse:
    """The published articles about a region (or any place inside it), paged."""
    params.check_path(code)
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise Http404("没有这个区划")
    access = _access(request)
    page = _page(request, selectors.article_list(access=access, region=code))
    return render(
        request,
        "web/bulletins_list.html",
        {
            "heading": f"{region.name}工作动态",
            "region": region,
            "page": page,
            "channels": channels.channels(),
        },
    )


def search_page(request: HttpRequest) -> HttpResponse:
    """Full-text search over the published articles' titles and bodies."""
    query = request.GET.get("q", "")
    if not query.isprintable():
        query = "".join(ch for ch in query if ch.isprintable())
    query = query.strip()[:MAX_QUERY]
    channel = None
    if slug := request.GET.get("c", ""):
        found = channels.by_slug(slug)
        if found is None:
            raise BadRequest("没有这个栏目")
        channel = found.name
    results = (
        selectors.article_search(access=_access(request), query=query, channel=channel)
        if query
        else []
    )
    page = _page(request, results)
    return render(
        request,
        "web/bulletins_search.html",
        {
            "query": query,
            "page": page,
            "count": len(results),
            "channels": channels.channels(),
            "slug": slug,
        },
    )


def _visitor(request: HttpRequest) -> tuple[str, str | None]:
    """Return (the visitor's key, a new cookie value to set or None)."""
    token = request.COOKIES.get(VISITOR_COOKIE, "")
    fresh = None
    if not _VISITOR.fullmatch(token):
        token = fresh = secrets.token_urlsafe(18)
    key = hmac.new(settings.SECRET_KEY.encode(), token.encode(), hashlib.sha256).hexdigest()[:32]
    return key, fresh


def _qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=3, border=2, dark="#1f2933")


def article_page(request: HttpRequest, pk: int) -> HttpResponse:
    """One article: its facts, body, files, share links, neighbours and related articles.
    A published article's hit counts once per visitor and day."""
    access = _access(request)
    try:
        article = selectors.article_get(access=access, pk=pk)
    except Article.DoesNotExist:
        raise Http404("没有这篇文章") from None
    fresh = None
    if article.is_published:
        visitor, fresh = _visitor(request)
        if services.hit_count(article_pk=article.pk, visitor=visitor, day=timezone.localdate()):
            article.refresh_from_db(fields=["hits"])
    url = request.build_absolute_uri(article.get_absolute_url())
    channel = channels.by_name(article.channel)
    response = render(
        request,
        "web/bulletins_article.html",
        {
            "article": article,
            "channel": channel,
            "channels": channels.channels(),
            "regions": list(article.regions.order_by("code")),
            "attachments": [a for a in article.attachments.all() if not a.image],
            "neighbours": selectors.article_neighbours(access=access, article=article),
            "related": selectors.article_related(access=access, article=article),
            "share_url": url,
            "qr_svg": _qr_svg(url),
            "may_edit": services.may_edit(access, article) if access.authenticated else False,
            "may_publish": access.may(Verb.PUBLISH_BULLETINS),
            "may_extract": access.may(Verb.IMPORT_LEDGERS),
        },
    )
    if fresh:
        response.set_cookie(
            VISITOR_COOKIE, fresh, max_age=365 * 24 * 3600, httponly=True, samesite="Lax",
            secure=request.is_secure(),
        )  # fmt: skip
    return response


def attachment_file(request: HttpRequest, pk: int) -> FileResponse:
    """Serve an article's file: images inline, everything else as a download."""
    try:
        attachment = selectors.attachment_get(access=_access(request), pk=pk)
    except Attachment.DoesNotExist:
        raise Http404("没有这个附件") from None
    try:
        handle = attachment.file.open("rb")
    except (FileNotFoundError, OSError):
        raise Http404("附件文件已不存在") from None
    inline = attachment.image and attachment.content_type.startswith("image/")
    response = FileResponse(
        handle,
        as_attachment=not inline,
        filename=attachment.name,
        content_type=attachment.content_type if inline else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response


# --- the editor ------------------------------------------------------------------------------


def _region_choices(programme: Programme, access: Access) -> list[tuple[str, str]]:
    everyone = access.may(Verb.PUBLISH_BULLETINS)
    seen: dict[str, str] = {}
    for pairing in pairing_list(programme=programme):
        for region in (pairing.recipient, pairing.helper):
            if everyone or access.covers(region.code):
                seen[region.code] = region.name
    return sorted(seen.items())


@verb_required(Verb.WRITE_BULLETINS)
def drafts_page(request: HttpRequest, *, access: Access, programme: Programme) -> HttpResponse:
    """The articles the caller may edit that are not published: drafts, in review, withdrawn."""
    return render(
        request,
        "web/bulletins_drafts.html",
        {
            "articles": selectors.article_drafts(access=access),
            "may_publish": access.may(Verb.PUBLISH_BULLETINS),
        },
    )


def _edit(
    request: HttpRequest, access: Access, programme: Programme, article: Article | None
) -> HttpResponse:
    choices = _region_choices(programme, access)
    if article is not None:
        for region in article.regions.all():
            if region.code not in dict(choices):
                choices.append((region.code, region.name))
    if request.method == "POST":
        form = ArticleForm(request.POST, request.FILES, regions=choices)
        if form.is_valid():
            data = form.cleaned_data
            try:
                article = services.article_save(
                    access=access,
                    article=article,
                    title=data["title"],
                    body=data["body"],
                    html=data["format"] == "html",
                    channel=data["channel"],
                    published=data["published"],
                    source=data["source"],
                    publisher=data["publisher"],
                    regions=data["regions"],
                )
                if data["attachment"]:
                    services.attachment_add(
                        access=access, article=article, upload=data["attachment"]
                    )
                if data["image"]:
                    services.attachment_add(
                        access=access, article=article, upload=data["image"], image=True
                    )
                if request.POST.get("action") == "submit":
                    services.article_submit(access=access, article=article)
                    messages.success(request, "已保存并送审")
                else:
                    messages.success(
                        request, "已保存为草稿" if not article.is_published else "已保存"
                    )
                return redirect("web:bulletins-edit", pk=article.pk)
            except ScopeError as error:
                raise PermissionDenied(error.message) from error
            except XiezuoError as error:
                form.add_error(None, error.message)
    elif article is not None:
        form = ArticleForm(
            initial={
                "title": article.title,
                "channel": article.channel,
                "published": timezone.localtime(article.published),
                "source": article.source,
                "publisher": article.publisher,
                "format": "html",
                "body": article.body,
                "regions": list(article.regions.values_list("code", flat=True)),
            },
            regions=choices,
        )
    else:
        form = ArticleForm(initial={"channel": channels.DEFAULT, "format": "text"}, regions=choices)
    return render(
        request,
        "web/bulletins_edit.html",
        {
            "form": form,
            "article": article,
            "attachments": list(article.attachments.all()) if article else [],
            "may_publish": access.may(Verb.PUBLISH_BULLETINS),
        },
        status=400 if request.method == "POST" else 200,
    )


@verb_required(Verb.WRITE_BULLETINS)
def new_page(request: HttpRequest, *, access: Access, programme: Programme) -> HttpResponse:
    """Write a new bulletin (saved as a draft)."""
    return _edit(request, access, programme, None)


def _editable(access: Access, pk: int) -> Article:
    try:
        article = selectors.article_get(access=access, pk=pk)
    except Article.DoesNotExist:
        raise Http404("没有这篇文章") from None
    if not services.may_edit(access, article):
        raise PermissionDenied("无权修改这篇工作动态")
    return article


@verb_required(Verb.WRITE_BULLETINS)
def edit_page(
    request: HttpRequest, pk: int, *, access: Access, programme: Programme
) -> HttpResponse:
    """Edit a bulletin the caller may edit."""
    return _edit(request, access, programme, _editable(access, pk))


ACTIONS = {
    "submit": (services.article_submit, "已送审"),
    "publish": (services.article_publish, "已发布"),
    "withdraw": (services.article_withdraw, "已撤回"),
}


@require_POST
@verb_required(Verb.WRITE_BULLETINS)
def status_action(
    request: HttpRequest, pk: int, *, access: Access, programme: Programme
) -> HttpResponse:
    """Send for review, publish or withdraw; delete an unpublished article."""
    article = _editable(access, pk)
    action = request.POST.get("action", "")
    try:
        if action == "delete":
            services.article_delete(access=access, article=article)
            messages.success(request, "已删除")
            return redirect("web:bulletins-drafts")
        if action not in ACTIONS:
            raise BadRequest("未知的操作")
        service, done = ACTIONS[action]
        service(access=access, article=article)
    except ScopeError as error:
        raise PermissionDenied(error.message) from error
    except XiezuoError as error:
        messages.error(request, error.message)
        return redirect("web:bulletins-edit", pk=article.pk)
    messages.success(request, done)
    if article.is_published:
        return redirect("web:bulletins-article", pk=article.pk)
    return redirect("web:bulletins-edit", pk=article.pk)
