"""Pages of the bulletins app."""

from django.urls import path  # noqa: F401

urlpatterns: list = []
