from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "xiezuo.registry"
    label = "registry"
