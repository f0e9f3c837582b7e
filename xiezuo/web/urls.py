from django.urls import path

from xiezuo.web import views

app_name = "web"
urlpatterns = [
    path("", views.overview, name="overview"),
]
