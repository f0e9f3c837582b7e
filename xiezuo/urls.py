from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.contrib.sitemaps.views import sitemap
from django.urls import include, path

from xiezuo.api.api import api
from xiezuo.bulletins.sitemaps import SITEMAPS

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/", api.urls),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "sitemap.xml",
        sitemap,
        {"sitemaps": SITEMAPS, "template_name": "web/bulletins_sitemap.xml"},
        name="sitemap",
    ),
    path("", include("xiezuo.web.urls")),
]
