from django.apps import AppConfig


class ProgramsConfig(AppConfig):
    name = "xiezuo.programs"
    label = "programs"
