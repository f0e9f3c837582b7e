"""Pages of the crosscheck app: the counties' counts, a county's queue, one flag."""

from django.urls import path

from xiezuo.web.crosscheck import views

urlpatterns = [
    path("", views.index, name="crosscheck"),
    path("run/", views.run, name="crosscheck-run"),
    path("flag/<int:pk>/", views.flag_page, name="crosscheck-flag"),
    path("flag/<int:pk>/<str:decision>/", views.decide, name="crosscheck-decide"),
    path("<str:county>/", views.county_page, name="crosscheck-county"),
]
