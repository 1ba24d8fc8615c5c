from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PlacementConfig(AppConfig):
    name = "kawal.placement"
    label = "placement"
    verbose_name = _("Placement")

    def ready(self) -> None:
        from kawal.placement import case_file

        case_file.register()
