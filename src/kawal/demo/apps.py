from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "kawal.demo"
    label = "demo"
