from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PublicationConfig(AppConfig):
    name = "kawal.publication"
    label = "publication"
    verbose_name = _("Public figures")

    def ready(self) -> None:
        from kawal.publication import case_file

        case_file.register()
