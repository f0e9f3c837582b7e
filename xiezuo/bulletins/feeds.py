"""RSS and Atom feeds of the published bulletins: all of them and one per channel."""

import datetime as dt

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.utils.feedgenerator import Atom1Feed

from xiezuo.access import Access
from xiezuo.bulletins import channels, selectors
from xiezuo.bulletins.models import Article

ITEMS = 30
SUMMARY = 200  # characters of the text in an item's description


class LatestRss(Feed):
    """The newest published bulletins of every channel."""

    title = "工作动态"
    description = "扶贫协作工作动态"

    def link(self) -> str:
        return "/bulletins/"

    def items(self) -> list[Article]:
        return list(selectors.article_list(access=Access.public())[:ITEMS])

    def item_title(self, item: Article) -> str:
        return item.title

    def item_description(self, item: Article) -> str:
        text = item.text[:SUMMARY]
        return text + ("…" if len(item.text) > SUMMARY else "")

    def item_link(self, item: Article) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Article) -> dt.datetime:
        return item.published

    def item_updateddate(self, item: Article) -> dt.datetime:
        return item.updated

    def item_author_name(self, item: Article) -> str:
        return item.publisher or item.source

    def item_categories(self, item: Article) -> list[str]:
        return [item.channel]


class LatestAtom(LatestRss):
    feed_type = Atom1Feed
    subtitle = LatestRss.description


class ChannelRss(LatestRss):
    """The newest published bulletins of one channel."""

    def get_object(self, request: HttpRequest, slug: str) -> channels.Channel:  # type: ignore[override]
        channel = channels.by_slug(slug)
        if channel is None:
            raise Http404("没有这个栏目")
        return channel

    def title(self, obj: channels.Channel) -> str:  # type: ignore[override]
        return f"工作动态 · {obj.name}"

    def description(self, obj: channels.Channel) -> str:  # type: ignore[override]
        return obj.description or obj.name

    def link(self, obj: channels.Channel) -> str:  # type: ignore[override]
        return f"/bulletins/c/{obj.slug}/"

    def items(self, obj: channels.Channel) -> list[Article]:  # type: ignore[override]
        return list(selectors.article_list(access=Access.public(), channel=obj.name)[:ITEMS])


class ChannelAtom(ChannelRss):
    feed_type = Atom1Feed

    def subtitle(self, obj: channels.Channel) -> str:
        return obj.description or obj.name
