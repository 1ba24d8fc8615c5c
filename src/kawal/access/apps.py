from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "kawal.access"
    label = "access"
