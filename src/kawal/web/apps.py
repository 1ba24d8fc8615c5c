from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "kawal.web"
    label = "web"
