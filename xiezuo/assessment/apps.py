from django.apps import AppConfig


class AssessmentConfig(AppConfig):
    name = "xiezuo.assessment"
    label = "assessment"
    verbose_name = "考核"
