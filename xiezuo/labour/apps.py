from django.apps import AppConfig


class LabourConfig(AppConfig):
    name = "xiezuo.labour"
    label = "labour"
    verbose_name = "劳务协作对接"
