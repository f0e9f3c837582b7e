from django.apps import AppConfig


class LedgersConfig(AppConfig):
    name = "xiezuo.ledgers"
    label = "ledgers"
