"""Pages of the bulletins app (included at /bulletins/ in the web namespace)."""

from django.urls import path

from xiezuo.bulletins import feeds
from xiezuo.web.bulletins import extract, views

urlpatterns: list = [
    path("", views.index, name="bulletins"),
    path("search/", views.search_page, name="bulletins-search"),
    path("rss/", feeds.LatestRss(), name="bulletins-rss"),
    path("atom/", feeds.LatestAtom(), name="bulletins-atom"),
    path("c/<str:slug>/", views.channel_page, name="bulletins-channel"),
    path("c/<str:slug>/rss/", feeds.ChannelRss(), name="bulletins-channel-rss"),
    path("c/<str:slug>/atom/", feeds.ChannelAtom(), name="bulletins-channel-atom"),
    path("region/<str:code>/", views.region_page, name="bulletins-region"),
    path("files/<int:pk>/", views.attachment_file, name="bulletins-file"),
    path("mine/", views.drafts_page, name="bulletins-drafts"),
    path("new/", views.new_page, name="bulletins-new"),
    path("<int:pk>/", views.article_page, name="bulletins-article"),
    path("<int:pk>/edit/", views.edit_page, name="bulletins-edit"),
    path("<int:pk>/status/", views.status_action, name="bulletins-status"),
    path("<int:pk>/extract/", extract.extract_page, name="bulletins-extract"),
]
