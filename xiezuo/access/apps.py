from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "xiezuo.access"
    label = "access"
    verbose_name = "权限"
