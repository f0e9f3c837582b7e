"""Reads of the bulletins, scoped by the caller's access.

Published articles are public: anyone reads them. An unpublished one (草稿, 待审核, 已撤回)
is read only by who may edit it (`services.may_edit`): a publisher, or a writer of its office's
region. Lists show published articles; `article_drafts` lists what the caller may edit.
"""

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from xiezuo.access import Access, Verb
from xiezuo.bulletins import channels, search
from xiezuo.bulletins.models import Article, Attachment
from xiezuo.core import codes
from xiezuo.core.errors import ScopeError

PUBLISHED = Q(status=Article.Status.PUBLISHED)


def article_list(
    *, access: Access, channel: str | None = None, region: str | None = None
) -> QuerySet[Article]:
    """Return the published articles, newest first, of a channel and/or about a region (the
    region itself or anything inside it)."""
    articles = Article.objects.filter(PUBLISHED)
    if channel:
        articles = articles.filter(channel=channel)
    if region:
        articles = articles.filter(_about(region)).distinct()
    return articles.order_by("-published", "-pk")


def article_latest(*, access: Access, limit: int = 5) -> list[Article]:
    """Return the newest published articles (the overview's block)."""
    articles = article_list(access=access).only("pk", "title", "published", "channel")
    return list(articles[:limit])


def _about(region: str) -> Q:
    try:
        inside = codes.prefix(region)
    except ValueError:
        return Q(pk__in=[])
    return Q(regions__code__startswith=inside)


def article_get(*, access: Access, pk: int) -> Article:
    """Return article `pk` when the caller may read it; Article.DoesNotExist otherwise (an
    unpublished article is not shown to who may not edit it, as if it did not exist)."""
    from xiezuo.bulletins.services import may_edit

    article = Article.objects.select_related("office").get(pk=pk)
    if article.status != Article.Status.PUBLISHED and not may_edit(access, article):
        raise Article.DoesNotExist
    return article


def article_drafts(*, access: Access) -> list[Article]:
    """Return the unpublished articles the caller may edit, newest change first."""
    from xiezuo.bulletins.services import may_edit

    access.check(Verb.WRITE_BULLETINS)
    articles = Article.objects.exclude(PUBLISHED).select_related("office").order_by("-updated")
    return [a for a in articles if may_edit(access, a)]


@dataclass(frozen=True)
class Neighbours:
    previous: Article | None  # the next older article of the channel
    next: Article | None  # the next newer one


def article_neighbours(*, access: Access, article: Article) -> Neighbours:
    """Return the published articles before and after `article` in its channel."""
    same = Article.objects.filter(PUBLISHED, channel=article.channel).exclude(pk=article.pk)
    older = same.filter(
        Q(published__lt=article.published) | Q(published=article.published, pk__lt=article.pk)
    ).order_by("-published", "-pk")
    newer = same.filter(
        Q(published__gt=article.published) | Q(published=article.published, pk__gt=article.pk)
    ).order_by("published", "pk")
    return Neighbours(
        previous=older.only("pk", "title").first(), next=newer.only("pk", "title").first()
    )


def article_related(*, access: Access, article: Article, limit: int = 5) -> list[Article]:
    """Return published articles sharing a region (or a county of its regions) with `article`,
    the newest first."""
    counties = set()
    for code in article.regions.values_list("code", flat=True):
        try:
            counties.add(
                codes.county_of(code) if codes.level_of(code) > codes.Level.COUNTY else code
            )
        except ValueError:
            continue
    if not counties:
        return []
    condition = Q(pk__in=[])
    for county in counties:
        condition |= _about(county)
    related = (
        Article.objects.filter(PUBLISHED)
        .filter(condition)
        .exclude(pk=article.pk)
        .distinct()
        .order_by("-published", "-pk")
    )
    return list(related.only("pk", "title", "published")[:limit])


def article_search(*, access: Access, query: str, channel: str | None = None) -> list[Article]:
    """Return the published articles matching `query` (every term), the most relevant first,
    then the newest."""
    scores = search.matches(query)
    if not scores:
        return []
    articles = Article.objects.filter(PUBLISHED, pk__in=list(scores)).defer(
        "body", "title_tokens", "text_tokens"
    )
    if channel:
        articles = articles.filter(channel=channel)
    return sorted(
        articles, key=lambda a: (-round(scores[a.pk], 6), -a.published.timestamp(), -a.pk)
    )


def attachment_get(*, access: Access, pk: int) -> Attachment:
    """Return attachment `pk` when the caller may read its article; DoesNotExist otherwise."""
    attachment = Attachment.objects.select_related("article").get(pk=pk)
    try:
        article_get(access=access, pk=attachment.article_id)
    except Article.DoesNotExist:
        raise Attachment.DoesNotExist from None
    return attachment


def channel_counts() -> dict[str, int]:
    """Return {channel name: published articles} for every channel."""
    from django.db.models import Count

    counts = dict(
        Article.objects.filter(PUBLISHED)
        .values_list("channel")
        .annotate(n=Count("pk"))
        .values_list("channel", "n")
    )
    return {name: counts.get(name, 0) for name in channels.names()}


def check_region(access: Access, region: str) -> None:
    """Raise ScopeError for a malformed region code (region lists are public)."""
    try:
        codes.level_of(region)
    except ValueError as error:
        raise ScopeError(str(error), region=region) from error
