from django.apps import AppConfig


class RegionsConfig(AppConfig):
    name = "xiezuo.regions"
    label = "regions"
