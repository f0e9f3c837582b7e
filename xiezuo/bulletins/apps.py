from django.apps import AppConfig


class BulletinsConfig(AppConfig):
    name = "xiezuo.bulletins"
    label = "bulletins"
    verbose_name = "工作动态"
