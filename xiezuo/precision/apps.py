from django.apps import AppConfig


class PrecisionConfig(AppConfig):
    name = "xiezuo.precision"
    label = "precision"
    verbose_name = "精准帮扶与防返贫监测"
