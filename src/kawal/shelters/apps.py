from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SheltersConfig(AppConfig):
    name = "kawal.shelters"
    label = "shelters"
    verbose_name = _("Shelters")

    def ready(self) -> None:
        from kawal.shelters import case_file

        case_file.register()
