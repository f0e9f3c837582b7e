from django.apps import AppConfig


class CrosscheckConfig(AppConfig):
    name = "xiezuo.crosscheck"
    label = "crosscheck"
    verbose_name = "比对核查"
