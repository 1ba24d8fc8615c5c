from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "kawal.core"
    label = "core"

    def ready(self) -> None:
        from kawal.core import checks  # noqa: F401  (registers the deploy checks)
