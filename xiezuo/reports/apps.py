from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "xiezuo.reports"
    label = "reports"
    verbose_name = "自评报告"
