from django.apps import AppConfig


class IngestConfig(AppConfig):
    name = "xiezuo.ingest"
    label = "ingest"
