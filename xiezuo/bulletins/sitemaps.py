"""The sitemap of the public portal: its front page, channels and published articles."""

import datetime as dt

from django.contrib.sitemaps import Sitemap

from xiezuo.access import Access
from xiezuo.bulletins import channels, selectors
from xiezuo.bulletins.models import Article


class ArticleSitemap(Sitemap):
    changefreq = "monthly"
    priority = 0.6
    limit = 5000

    def items(self):
        return selectors.article_list(access=Access.public()).only("pk", "updated")

    def lastmod(self, item: Article) -> dt.datetime:
        return item.updated


class PortalSitemap(Sitemap):
    changefreq = "daily"
    priority = 0.8

    def items(self) -> list[str]:
        return ["/bulletins/", *(f"/bulletins/c/{c.slug}/" for c in channels.channels())]

    def location(self, item: str) -> str:  # type: ignore[override]
        return item


SITEMAPS = {"portal": PortalSitemap, "bulletins": ArticleSitemap}
