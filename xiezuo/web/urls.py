from django.urls import path

from xiezuo.web import views

app_name = "web"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("households/", views.households, name="households"),
    path("households/<str:household_no>/", views.household_detail, name="household"),
]
