from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "xiezuo.demo"
    label = "demo"
