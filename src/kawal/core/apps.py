from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kawal.core"
    label = "core"
